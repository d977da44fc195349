"""The post-service survey: invited after a service with a phone (once a day at most), sent
after the delay, answered once within a week, and counted in the satisfaction index."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from oneroof.catalog.models import Service
from oneroof.core.errors import Conflict, NotFound
from oneroof.feedback.actions import survey_answer, surveys_send_due
from oneroof.feedback.models import SurveyAnswer, SurveyInvite
from oneroof.feedback.selectors import complaints, satisfaction_index
from oneroof.notify.backends import MemorySmsBackend
from oneroof.queueing.actions import (
    counter_open,
    line_for_service,
    ticket_call_next,
    ticket_complete,
    ticket_issue,
)

pytestmark = pytest.mark.django_db


def serve(center, employee, capture, *, phone="55123456", lang="en", counter_number=5):
    service = Service.objects.get(slug="passport-renewal")
    with capture(execute=True):
        ticket_issue(center=center, service=service, phone=phone, lang=lang)
    counter = center.counters.get(number=counter_number)
    if not counter_open_already(counter):
        counter_open(
            counter=counter, lines=[line_for_service(center, service)], acting_user=employee
        )
    with capture(execute=True):
        ticket = ticket_call_next(counter=counter, acting_user=employee)
    with capture(execute=True):
        ticket_complete(ticket=ticket, outcome="completed", acting_user=employee)
    return ticket


def counter_open_already(counter) -> bool:
    state = getattr(counter, "state", None)
    return state is not None and state.status == "open"


def test_a_served_visitor_is_invited_once_a_day_and_texted_after_the_delay(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    serve(always_open, employee_a, django_capture_on_commit_callbacks)
    invite = SurveyInvite.objects.get()
    assert invite.phone == "+97455123456" and invite.lang == "en"
    assert surveys_send_due() == 0  # not before the delay
    later = timezone.now() + dt.timedelta(minutes=11)
    with django_capture_on_commit_callbacks(execute=True):
        assert surveys_send_due(now=later) == 1
    message = MemorySmsBackend.outbox[-1]
    assert message["to"] == "+97455123456"
    assert f"/en/s/{invite.token}/" in message["text"]
    assert surveys_send_due(now=later) == 0  # sent once
    # A second service the same day: no second survey.
    serve(always_open, employee_a, django_capture_on_commit_callbacks)
    assert SurveyInvite.objects.count() == 1


def test_no_phone_no_survey(always_open, employee_a, django_capture_on_commit_callbacks):
    serve(always_open, employee_a, django_capture_on_commit_callbacks, phone="")
    assert not SurveyInvite.objects.exists()


def test_the_link_works_once_and_expires(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    serve(always_open, employee_a, django_capture_on_commit_callbacks)
    invite = SurveyInvite.objects.get()
    answer = survey_answer(token=invite.token, overall=5, waiting=4, courtesy=5, one_visit=True)
    assert answer.version.number == 1 and answer.employee == employee_a
    with pytest.raises(Conflict) as replay:
        survey_answer(token=invite.token, overall=1, waiting=1, courtesy=1, one_visit=False)
    assert replay.value.code == "answered"
    with pytest.raises(NotFound):
        survey_answer(token=invite.token + "x", overall=1, waiting=1, courtesy=1, one_visit=False)
    assert SurveyAnswer.objects.count() == 1
    invite.answered_at = None
    invite.save()
    SurveyAnswer.objects.all().delete()
    with pytest.raises(Conflict) as expired:
        survey_answer(
            token=invite.token,
            overall=3,
            waiting=3,
            courtesy=3,
            one_visit=True,
            now=timezone.now() + dt.timedelta(days=8),
        )
    assert expired.value.code == "expired"
    assert not SurveyAnswer.objects.exists()


def test_the_survey_page_in_arabic_records_answers_and_refuses_a_replay(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    serve(always_open, employee_a, django_capture_on_commit_callbacks, lang="ar")
    invite = SurveyInvite.objects.get()
    client = Client()
    page = client.get(f"/s/{invite.token}/").content.decode()
    assert 'dir="rtl"' in page and "ما مدى رضاك عن الخدمة بشكل عام؟" in page
    incomplete = client.post(f"/s/{invite.token}/", {"overall": "5"})
    assert incomplete.status_code == 422 and not SurveyAnswer.objects.exists()
    done = client.post(
        f"/s/{invite.token}/",
        {
            "overall": "2",
            "waiting": "1",
            "courtesy": "4",
            "one_visit": "no",
            "comment": "انتظرت ساعتين",
        },
    )
    assert done.status_code == 200
    again = client.post(
        f"/s/{invite.token}/", {"overall": "5", "waiting": "5", "courtesy": "5", "one_visit": "yes"}
    )
    assert again.status_code == 409
    assert SurveyAnswer.objects.count() == 1
    assert client.get("/s/not-a-token/").status_code == 404
    # A low score with a comment is listed for supervisors.
    assert [a.comment for a in complaints(center_id=always_open.pk)] == ["انتظرت ساعتين"]


def test_satisfaction_index_share_mean_count_and_low_sample(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    scores = [5, 4, 2]
    for i in range(len(scores)):
        serve(always_open, employee_a, django_capture_on_commit_callbacks, phone=f"5500000{i}")
    for invite, overall in zip(SurveyInvite.objects.order_by("pk"), scores, strict=True):
        survey_answer(token=invite.token, overall=overall, waiting=3, courtesy=3, one_visit=True)
    index = satisfaction_index(center_id=always_open.pk)
    assert index.responses == 3
    assert index.satisfied_share == pytest.approx(2 / 3, abs=1e-4)
    assert index.mean == pytest.approx(11 / 3, abs=0.01)
    assert index.low_sample is True
    assert satisfaction_index(employee_id=employee_a.pk).responses == 3
    assert (
        satisfaction_index(
            center_id=always_open.pk, start=timezone.now() + dt.timedelta(days=1)
        ).responses
        == 0
    )


def test_satisfaction_api_is_for_staff(as_persona, always_open):
    assert as_persona("anonymous").get("/api/v1/satisfaction").status_code == 401
    body = as_persona("supervisor_a").get("/api/v1/satisfaction", {"center": "al-rayyan"}).json()
    assert body == {"responses": 0, "satisfied_share": None, "mean": None, "low_sample": True}
    assert (
        as_persona("supervisor_a").get("/api/v1/satisfaction", {"center": "nowhere"}).status_code
        == 422
    )


def test_sms_link_text_is_in_the_visitors_language(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    serve(always_open, employee_a, django_capture_on_commit_callbacks, lang="ar")
    with django_capture_on_commit_callbacks(execute=True):
        surveys_send_due(now=timezone.now() + dt.timedelta(minutes=11))
    text = MemorySmsBackend.outbox[-1]["text"]
    assert re.search(r"/s/[\w-]+/", text) and "/en/s/" not in text
