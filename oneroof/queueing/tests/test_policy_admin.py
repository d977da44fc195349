"""A center's calling policy is data its supervisor edits; waiting visitors are re-ranked."""

import pytest

from oneroof.queueing.actions import ticket_issue
from oneroof.queueing.models import CallingPolicy

pytestmark = pytest.mark.django_db


def change_url(slug: str) -> str:
    policy = CallingPolicy.objects.get(center__slug=slug)
    return f"/en/admin/queueing/callingpolicy/{policy.pk}/change/"


FORM = {
    "kind": "weighted",
    "priority_bonus_minutes": 45,
    "appointment_bonus_minutes": 30,
    "interleave_normal": 2,
    "interleave_priority": 1,
    "requeue_window_minutes": 30,
    "notify_at_position": 3,
    "pause_alert_minutes": 20,
}


def test_supervisor_changes_their_centers_policy_and_waiting_tickets_are_reranked(
    as_persona, always_open
):
    from oneroof.catalog.models import Service

    ticket = ticket_issue(
        center=always_open,
        service=Service.objects.get(slug="passport-renewal"),
        priority_reason="elderly",
    )
    before = ticket.rank_at
    response = as_persona("supervisor_a").post(change_url("al-rayyan"), FORM)
    assert response.status_code == 302
    assert CallingPolicy.objects.get(center=always_open).priority_bonus_minutes == 45
    ticket.refresh_from_db()
    assert (before - ticket.rank_at).total_seconds() == 25 * 60


@pytest.mark.parametrize(
    "persona", ["supervisor_a", "employee_a", "employee_b", "agency_admin", "anonymous"]
)
def test_nobody_else_changes_another_centers_policy(as_persona, persona):
    as_persona(persona).post(change_url("al-wakra"), {**FORM, "kind": "strict"})
    assert CallingPolicy.objects.get(center__slug="al-wakra").kind == "weighted"
