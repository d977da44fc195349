"""The SLA clock: targets from the policy table, "due soon" and "breached", paused while
waiting on the citizen, and breach alerts from the periodic job."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from oneroof.care import sla
from oneroof.care.actions import case_reply, case_set_status, sla_flag_breaches
from oneroof.care.models import Case, SlaPolicy
from oneroof.care.selectors import InboxFilter, inbox
from oneroof.care.tests.factories import make_case
from oneroof.catalog.models import Service
from oneroof.core.events import capture_events

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


@pytest.fixture
def passports():
    return Service.objects.get(slug="passport-renewal")


def test_targets_come_from_the_policy_table(passports):
    SlaPolicy.objects.filter(kind="complaint", priority="high").update(
        first_response_hours=2, resolution_hours=12
    )
    case = make_case(kind="complaint", priority="high", service_id=passports.pk)
    assert case.respond_by - case.created_at == pytest.approx(2 * H, abs=dt.timedelta(seconds=5))
    assert case.due_at - case.created_at == pytest.approx(12 * H, abs=dt.timedelta(seconds=5))
    # "Due soon" in the last quarter of the window.
    assert case.due_at - case.warn_at == 3 * H


def test_without_a_policy_row_the_defaults_apply(passports):
    SlaPolicy.objects.all().delete()
    case = make_case(kind="suggestion", priority="low", service_id=passports.pk)
    first, resolution = sla.DEFAULT_HOURS[("suggestion", "low")]
    assert case.due_at - case.respond_by == (resolution - first) * H


def test_the_clock_goes_on_time_due_soon_breached(passports, employee_a):
    case = make_case(kind="inquiry", priority="normal", service_id=passports.pk)  # 8 h / 48 h
    start = case.created_at
    assert sla.state(case, start + H) == "on_time"
    # No first answer after 8 hours: breached, although the resolution is far off.
    assert sla.state(case, start + 9 * H) == "breached"
    case_reply(
        case=case, text="Looking into it.", acting_user=employee_a, then="open", now=start + 2 * H
    )
    case.refresh_from_db()
    assert sla.state(case, start + 9 * H) == "on_time"
    assert sla.state(case, start + 37 * H) == "due_soon"
    assert sla.state(case, start + 49 * H) == "breached"
    # The inbox filter agrees with the state, for every state at every moment.
    for hours, expected in ((9, "on_time"), (37, "due_soon"), (49, "breached")):
        now = start + hours * H
        for state in ("on_time", "due_soon", "breached"):
            found = inbox(employee_a, InboxFilter(sla=state), now=now).filter(pk=case.pk).exists()
            assert found is (state == expected), (hours, state)


def test_waiting_on_the_citizen_pauses_the_clock_and_the_targets_move_on(passports, employee_a):
    case = make_case(kind="inquiry", priority="normal", service_id=passports.pk)
    start, due = case.created_at, case.due_at
    case_reply(case=case, text="Which passport number?", acting_user=employee_a, now=start + H)
    case.refresh_from_db()
    assert case.status == "waiting_on_citizen"
    assert sla.state(case, start + 100 * H) == "paused"
    assert not Case.objects.filter(sla.breached_q(start + 100 * H), pk=case.pk).exists()
    # The citizen answers after 10 hours: every target moves on by 10 hours.
    case_set_status(case=case, status="open", acting_user=employee_a, now=start + 11 * H)
    case.refresh_from_db()
    assert case.due_at == due + 10 * H and case.paused_at is None


def test_breaches_are_flagged_once_with_a_note_an_email_and_an_event(
    passports, employee_a, mailoutbox, django_capture_on_commit_callbacks
):
    employee_a.email = "employee@example.org"
    employee_a.save()
    case = make_case(kind="inquiry", priority="normal", service_id=passports.pk)
    Case.objects.filter(pk=case.pk).update(owner=employee_a)
    later = case.created_at + 49 * H
    with capture_events() as events, django_capture_on_commit_callbacks(execute=True):
        flagged = sla_flag_breaches(now=later)
    assert [c.pk for c in flagged] == [case.pk]
    assert ("care", "case.breached") in [(g, t) for g, t, _ in events]
    assert mailoutbox[-1].to == ["employee@example.org"]
    assert f"/staff/care/{case.pk}/" in mailoutbox[-1].body
    case.refresh_from_db()
    assert case.breached_at == later
    assert case.notes.filter(is_system=True, text__contains="SLA").exists()
    assert sla_flag_breaches(now=later + H) == []


def test_care_tick_reports_what_it_did(capsys):
    call_command("care_tick")
    assert "SLA breaches flagged: 0" in capsys.readouterr().out


def test_a_breached_case_without_an_owner_alerts_the_agencys_administrators(
    passports, agency_admin, mailoutbox, django_capture_on_commit_callbacks
):
    agency_admin.email = "admin@passports.example.org"
    agency_admin.save()
    case = make_case(kind="complaint", priority="urgent", service_id=passports.pk)
    with django_capture_on_commit_callbacks(execute=True):
        sla_flag_breaches(now=timezone.now() + 9 * H)
    assert [m.to for m in mailoutbox] == [["admin@passports.example.org"]]
    assert case.reference in mailoutbox[0].subject
