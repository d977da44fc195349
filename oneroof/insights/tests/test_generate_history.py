"""generate_history: the same seed gives the same history, written through the platform's
own tables, with roll-ups that match it; a second run needs --replace."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from oneroof.appointments.models import Appointment
from oneroof.feedback.models import SurveyAnswer, SurveyVersion
from oneroof.insights.actions import history_generate
from oneroof.insights.models import ServiceDay
from oneroof.insights.tests.helpers import from_scratch, snapshot
from oneroof.queueing.models import CounterEvent, Ticket, TicketEvent
from oneroof.transactions.models import TransactionRecord

# The history is written on a connection of its own (PostgreSQL), so the test commits.
pytestmark = pytest.mark.django_db(transaction=True)

END = dt.date(2026, 11, 4)  # Sunday 1 to Wednesday 4 November


def digest() -> dict[str, list]:
    """The history without database ids, which depend on the sequences' state."""
    return {
        "tickets": sorted(
            Ticket.objects.values_list(
                "center__slug", "service__slug", "number", "business_date", "status", "channel",
                "priority_class", "issued_at", "called_at", "ended_at", "served_by__username",
                "public_id", "transferred_from__public_id",
            )
        ),
        "events": sorted(
            TicketEvent.objects.values_list("ticket__public_id", "at", "kind", "user__username")
        ),
        "records": sorted(
            TransactionRecord.objects.values_list(
                "ticket__public_id", "service__slug", "ended_at", "wait_seconds",
                "handling_seconds", "outcome", "employee__username", "fee_charged",
            )
        ),
        "appointments": sorted(
            Appointment.objects.values_list("code", "start", "status", "ticket__public_id")
        ),
        "answers": sorted(
            SurveyAnswer.objects.values_list(
                "invite__record__ticket__public_id", "overall", "waiting", "courtesy",
                "answered_at", "invite__token",
            )
        ),
        "counter_events": sorted(
            CounterEvent.objects.values_list(
                "counter__center__slug", "counter__number", "at", "status", "user__username"
            )
        ),
    }  # fmt: skip


@pytest.fixture
def survey(demo_data):
    """The active survey (a flush by an earlier transactional test removes the one the
    migrations made)."""
    SurveyVersion.objects.get_or_create(
        number=1,
        defaults={"is_active": True, "q_overall": "Overall?", "q_waiting": "Waiting?",
                  "q_courtesy": "Courtesy?", "q_one_visit": "One visit?"},
    )  # fmt: skip


def test_the_same_seed_gives_the_same_history(survey):
    # given a small history
    first = history_generate(months=0, scale=0.02, seed=7, end=END)
    before = digest()
    assert first.rows["tickets"] > 100 and first.rows["services delivered"] > 80
    assert first.start == dt.date(2026, 11, 1) and first.end == END
    assert before["answers"] and before["appointments"] and before["counter_events"]
    assert {t[3] for t in before["tickets"]} <= {END - dt.timedelta(days=d) for d in range(4)}

    # when it is written again with the same seed
    again = history_generate(months=0, scale=0.02, seed=7, end=END, replace=True)

    # then every row is the same, and the roll-ups hold exactly the raw rows' figures
    assert digest() == before
    assert again.rows == first.rows
    assert snapshot() == from_scratch()
    assert sum(ServiceDay.objects.values_list("served", flat=True)) == (
        TransactionRecord.objects.count()
    )

    # and another seed gives another history
    history_generate(months=0, scale=0.02, seed=8, end=END, replace=True)
    assert digest()["tickets"] != before["tickets"]


def test_the_command_refuses_to_write_over_a_history_without_replace(demo_data):
    out = StringIO()
    call_command(
        "generate_history", "--months", "0", "--scale", "0.01", "--end", "2026-11-02", stdout=out
    )
    assert "History: 2026-11-01 to 2026-11-02" in out.getvalue()
    tickets = Ticket.objects.count()
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_history", "--months", "0", "--scale", "0.01", "--end", "2026-11-02")
    assert Ticket.objects.count() == tickets
    with pytest.raises(CommandError):
        call_command("generate_history", "--scale", "0", "--end", "2026-11-02")
