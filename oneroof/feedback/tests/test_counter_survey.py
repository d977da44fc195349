"""The survey on a kiosk or counter-side tablet right after the service: who may show it,
which service it asks about, and that a service is answered once whichever way comes first
(the tablet or the SMS link), with the active survey version."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from oneroof.accounts.models import User
from oneroof.catalog.models import Service
from oneroof.feedback.actions import survey_answer, surveys_send_due
from oneroof.feedback.models import SurveyAnswer, SurveyInvite, SurveyVersion
from oneroof.notify.backends import MemorySmsBackend
from oneroof.queueing.actions import (
    counter_open,
    line_for_service,
    ticket_call_next,
    ticket_complete,
    ticket_issue,
)
from oneroof.transactions.models import TransactionRecord

pytestmark = pytest.mark.django_db
ANSWERS = {"overall": "4", "waiting": "3", "courtesy": "5", "one_visit": "yes", "comment": ""}


def serve(center, employee, capture, *, phone="55123456", complete=True, number=6):
    """A visitor served at counter `number` (and, by default, completed)."""
    service = Service.objects.get(slug="passport-renewal")
    with capture(execute=True):
        ticket_issue(center=center, service=service, phone=phone, lang="en")
    counter = center.counters.get(number=number)
    state = getattr(counter, "state", None)
    if state is None or state.status != "open":
        counter_open(
            counter=counter, lines=[line_for_service(center, service)], acting_user=employee
        )
    with capture(execute=True):
        ticket = ticket_call_next(counter=counter, acting_user=employee)
    if complete:
        with capture(execute=True):
            ticket_complete(ticket=ticket, outcome="completed", acting_user=employee)
    return counter, ticket


def tablet(username: str = "kiosk.rayyan") -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def url(counter) -> str:
    return f"/en/survey/counter/{counter.pk}/"


ACCESS = {  # persona → status of a counter's tablet page at Al Rayyan
    "anonymous": 302,
    "employee_a": 200,
    "supervisor_a": 200,
    "employee_b": 403,
    "agency_admin": 403,
    "evaluator": 403,
    "system_admin": 200,
}


@pytest.mark.parametrize("persona", list(ACCESS))
def test_who_may_put_a_counters_survey_on_a_tablet(
    as_persona, persona, always_open, employee_a, django_capture_on_commit_callbacks
):
    counter, _ticket = serve(always_open, employee_a, django_capture_on_commit_callbacks)
    client = as_persona(persona)
    assert client.get(url(counter)).status_code == ACCESS[persona]
    response = client.post(url(counter), {**ANSWERS, "record": TransactionRecord.objects.get().pk})
    assert response.status_code == (302 if ACCESS[persona] == 200 else ACCESS[persona])
    assert SurveyAnswer.objects.count() == (1 if ACCESS[persona] == 200 else 0)


def test_the_centers_device_shows_the_survey_and_the_sms_is_then_not_sent(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    counter, ticket = serve(always_open, employee_a, django_capture_on_commit_callbacks)
    record = TransactionRecord.objects.get(ticket=ticket)
    invite = SurveyInvite.objects.get(record=record)  # the SMS one, not yet sent
    device = tablet()
    page = device.get(url(counter)).content.decode()
    assert "How was our service?" in page and "Passport Renewal" in page
    assert f'name="record" value="{record.pk}"' in page
    assert "Back to the counter" not in page  # the visitor holds the tablet
    done = device.post(url(counter), {**ANSWERS, "record": record.pk, "comment": "Quick"})
    assert done.status_code == 302 and done["Location"].endswith("?done=1")
    assert b"Thank you" in device.get(done["Location"]).content
    answer = SurveyAnswer.objects.get()
    assert answer.invite == invite and answer.version == SurveyVersion.objects.get(is_active=True)
    assert (answer.overall, answer.employee, answer.comment) == (4, employee_a, "Quick")
    # Answering here closes the SMS: it is never sent, and its link says it is answered.
    later = timezone.now() + dt.timedelta(minutes=11)
    with django_capture_on_commit_callbacks(execute=True):
        assert surveys_send_due(now=later) == 0
    assert not [m for m in MemorySmsBackend.outbox if "/s/" in m["text"]]
    assert Client().get(f"/en/s/{invite.token}/").status_code == 409
    # The tablet goes back to waiting; a replay records nothing.
    assert b"Thank you for your visit" in device.get(url(counter)).content
    again = device.post(url(counter), {**ANSWERS, "record": record.pk})
    assert again.status_code == 409 and SurveyAnswer.objects.count() == 1


def test_answered_by_the_sms_link_first_the_tablet_does_not_ask_again(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    counter, _ticket = serve(always_open, employee_a, django_capture_on_commit_callbacks)
    invite = SurveyInvite.objects.get()
    survey_answer(token=invite.token, overall=5, waiting=5, courtesy=5, one_visit=True)
    device = tablet()
    assert b"Thank you for your visit" in device.get(url(counter)).content
    response = device.post(url(counter), {**ANSWERS, "record": invite.record_id})
    assert response.status_code == 409
    assert SurveyAnswer.objects.count() == 1


def test_the_next_visitor_is_never_asked_about_the_previous_service(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    counter, _first = serve(always_open, employee_a, django_capture_on_commit_callbacks)
    serve(
        always_open,
        employee_a,
        django_capture_on_commit_callbacks,
        phone="55999888",
        complete=False,
    )
    page = tablet().get(url(counter)).content.decode()
    assert "Thank you for your visit" in page and 'name="record"' not in page


def test_a_visitor_without_a_phone_answers_on_the_tablet_and_is_never_texted(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    counter, ticket = serve(always_open, employee_a, django_capture_on_commit_callbacks, phone="")
    record = TransactionRecord.objects.get(ticket=ticket)
    assert not SurveyInvite.objects.exists()
    response = tablet().post(url(counter), {**ANSWERS, "record": record.pk})
    assert response.status_code == 302
    invite = SurveyInvite.objects.get(record=record)
    assert invite.phone == "" and invite.answered_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert surveys_send_due(now=timezone.now() + dt.timedelta(minutes=11)) == 0
    assert Client().get(f"/en/s/{invite.token}/").status_code == 409


def test_the_tablet_survey_closes_after_its_window(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    counter, ticket = serve(always_open, employee_a, django_capture_on_commit_callbacks)
    record = TransactionRecord.objects.get(ticket=ticket)
    TransactionRecord.objects.filter(pk=record.pk).update(
        ended_at=timezone.now() - dt.timedelta(minutes=20)
    )
    device = tablet()
    assert b"Thank you for your visit" in device.get(url(counter)).content
    response = device.post(url(counter), {**ANSWERS, "record": record.pk})
    assert response.status_code == 409 and b"closed on this tablet" in response.content
    assert not SurveyAnswer.objects.exists()


def test_an_incomplete_answer_is_shown_again_and_nothing_is_recorded(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    counter, ticket = serve(always_open, employee_a, django_capture_on_commit_callbacks)
    record = TransactionRecord.objects.get(ticket=ticket)
    response = tablet().post(url(counter), {"overall": "5", "record": record.pk})
    assert response.status_code == 422 and b"Please answer every question." in response.content
    assert not SurveyAnswer.objects.exists()
    assert SurveyInvite.objects.get().answered_at is None


def test_not_now_passes_the_service_over_on_this_tablet(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    counter, ticket = serve(always_open, employee_a, django_capture_on_commit_callbacks)
    record = TransactionRecord.objects.get(ticket=ticket)
    device = tablet()
    device.post(url(counter), {"action": "skip", "record": record.pk})
    assert b"Thank you for your visit" in device.get(url(counter)).content
    assert not SurveyAnswer.objects.exists()
    # The SMS still goes out later.
    with django_capture_on_commit_callbacks(execute=True):
        assert surveys_send_due(now=timezone.now() + dt.timedelta(minutes=11)) == 1


def test_the_tablet_speaks_arabic_by_default(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    counter, _ticket = serve(always_open, employee_a, django_capture_on_commit_callbacks)
    page = tablet().get(f"/survey/counter/{counter.pk}/").content.decode()
    assert 'dir="rtl"' in page and "ما مدى رضاك عن الخدمة بشكل عام؟" in page


def test_the_console_hands_the_tablet_over_when_no_visitor_is_at_the_counter(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    counter, _ticket = serve(always_open, employee_a, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(employee_a)
    console = client.get(f"/en/console/{counter.pk}/").content.decode()
    assert f'href="/en/survey/counter/{counter.pk}/"' in console
    page = client.get(url(counter)).content.decode()
    assert "How was our service?" in page
