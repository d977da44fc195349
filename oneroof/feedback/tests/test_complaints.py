"""Complaints from the survey (a low score with a comment): the selector the care inbox
will reuse, and the page for supervisors and agency administrators, scoped by role."""

import datetime as dt

import pytest
from django.utils import timezone

from oneroof.accounts.models import User
from oneroof.catalog.models import Service
from oneroof.centers.models import Center
from oneroof.feedback.models import SurveyAnswer, SurveyInvite, SurveyVersion
from oneroof.feedback.selectors import complaints_for
from oneroof.transactions.models import TransactionRecord

pytestmark = pytest.mark.django_db
PAGE = "/en/staff/complaints/"


def answer(slug: str, center: str, overall: int, comment: str, *, hours_ago: int = 1):
    service = Service.objects.get(slug=slug)
    now = timezone.now() - dt.timedelta(hours=hours_ago)
    record = TransactionRecord.objects.create(
        service=service,
        agency=service.agency,
        center=Center.objects.get(slug=center),
        employee=User.objects.get(username="employee.rayyan"),
        phone=f"+974550{hours_ago:05d}",
        outcome="completed",
        ended_at=now,
    )
    invite = SurveyInvite.objects.create(
        record=record, phone=record.phone, due_at=now, expires_at=now + dt.timedelta(days=7)
    )
    return SurveyAnswer.objects.create(
        invite=invite,
        version=SurveyVersion.objects.get(is_active=True),
        center=record.center,
        agency=record.agency,
        service=service,
        employee=record.employee,
        overall=overall,
        waiting=1,
        courtesy=2,
        one_visit=False,
        comment=comment,
        answered_at=now,
    )


@pytest.fixture
def answers(db):
    return {
        "rayyan_old": answer(
            "passport-renewal", "al-rayyan", 1, "rayyan passports old", hours_ago=30
        ),
        "rayyan_new": answer("birth-certificate", "al-rayyan", 2, "rayyan civil new", hours_ago=2),
        "wakra_passports": answer(
            "passport-renewal", "al-wakra", 2, "wakra passports", hours_ago=3
        ),
        "wakra_traffic": answer(
            "driving-licence-renewal", "al-wakra", 1, "wakra traffic", hours_ago=4
        ),
        "happy": answer("passport-renewal", "al-rayyan", 5, "rayyan happy", hours_ago=5),
        "silent": answer("passport-renewal", "al-rayyan", 1, "", hours_ago=6),
    }


SEES = {  # persona → the complaints listed for them, newest first
    "supervisor_a": ["rayyan civil new", "rayyan passports old"],
    "agency_admin": ["wakra passports", "rayyan passports old"],
    "system_admin": [
        "rayyan civil new",
        "wakra passports",
        "wakra traffic",
        "rayyan passports old",
    ],
}
REFUSED = {
    "anonymous": 302,
    "employee_a": 403,
    "employee_b": 403,
    "evaluator": 403,
    "decision_maker": 403,
}


@pytest.mark.parametrize("persona", list(SEES))
def test_the_selector_scopes_complaints_by_role(request, persona, answers):
    user = request.getfixturevalue(persona)
    assert [a.comment for a in complaints_for(user)] == SEES[persona]


@pytest.mark.parametrize("persona", list(REFUSED))
def test_the_selector_gives_others_nothing(request, persona, answers):
    user = request.getfixturevalue(persona)
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    assert list(complaints_for(user)) == []


@pytest.mark.parametrize("persona", list(SEES))
def test_the_page_lists_each_roles_complaints_newest_first(as_persona, persona, answers):
    response = as_persona(persona).get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    shown = [c for c in [a.comment for a in answers.values()] if c and c in page]
    assert sorted(shown) == sorted(SEES[persona])
    positions = [page.index(c) for c in SEES[persona]]
    assert positions == sorted(positions)
    assert "rayyan happy" not in page
    assert "Ahmed Al-Naimi" in page and "1/5" in page


@pytest.mark.parametrize("persona", list(REFUSED))
def test_the_page_is_refused_to_others(as_persona, persona, answers):
    response = as_persona(persona).get(PAGE)
    assert response.status_code == REFUSED[persona]
    assert b"wakra traffic" not in response.content


def test_the_page_shows_the_satisfaction_index_of_the_supervisors_center(as_persona, answers):
    page = as_persona("supervisor_a").get(PAGE).content.decode()
    # Al Rayyan: four answers, one of them 4–5.
    assert "Al Rayyan" in page and "25%" in page and "Few answers" in page


def test_the_page_in_arabic(as_persona, answers):
    page = as_persona("supervisor_a").get("/staff/complaints/").content.decode()
    assert 'dir="rtl"' in page and "rayyan civil new" in page
