"""The queue's invariants under random sequences of actions (hypothesis stateful testing).

Two lines (passports "A", civil registry "B") and three counters of al-rayyan, each always
operated by the same person. After every step: numbers are unique and gapless per line and
day, a counter holds at most one visitor, every ticket's history is an unbroken chain of
events ending in its current status (so nobody is called twice in one waiting spell), and
every call took the visitor the policy says. At the end, with all counters open and nobody
new arriving, calling and completing empties the queue: nobody starves."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from oneroof.core.errors import DomainError
from oneroof.queueing import actions
from oneroof.queueing.choices import (
    ACTIVE_AT_COUNTER,
    EventKind,
    PolicyKind,
    PriorityClass,
    TicketStatus,
)
from oneroof.queueing.models import CounterState, LineDay, Ticket, TicketEvent
from oneroof.queueing.tests.factories import (
    ID_CARD,
    PASSPORTS,
    center,
    clear_queue,
    counter,
    employee,
    line,
    service,
    snapshot,
)

pytestmark = pytest.mark.django_db

SERVICES = {"A": PASSPORTS, "B": ID_CARD}
LINE_SETS = [("A",), ("B",), ("A", "B")]
KINDS = [PolicyKind.STRICT, PolicyKind.WEIGHTED, PolicyKind.INTERLEAVE]
CALLED_KINDS = {EventKind.CALLED, EventKind.CALLED_OUT_OF_ORDER}
PHONES = ["", "", "", "55100001", "55100002", "55100003"]
SETTINGS = settings(
    max_examples=30,
    stateful_step_count=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def expected_next(counter_obj, line_ids: list[int], policy, cycle_position: int):
    """The ticket the policy says this counter calls next, computed independently."""
    waiting = [
        t
        for t in Ticket.objects.filter(line_id__in=line_ids, status=TicketStatus.WAITING)
        if t.reserved_counter_id in (None, counter_obj.pk)
    ]
    if not waiting:
        return None

    def mine(t):
        return 0 if t.reserved_counter_id == counter_obj.pk else 1

    if policy.kind == PolicyKind.WEIGHTED:
        return min(waiting, key=lambda t: (mine(t), t.rank_at, t.pk))
    groups = [waiting]
    if policy.kind == PolicyKind.INTERLEAVE:
        cycle = policy.interleave_normal + policy.interleave_priority
        normal = [t for t in waiting if t.priority_class == PriorityClass.NORMAL]
        favoured = [t for t in waiting if t.priority_class != PriorityClass.NORMAL]
        prefer_normal = cycle_position % cycle < policy.interleave_normal
        groups = [normal, favoured] if prefer_normal else [favoured, normal]
    group = next(g for g in groups if g)
    return min(group, key=lambda t: (mine(t), t.class_order, t.queued_at, t.pk))


class QueueMachine(RuleBasedStateMachine):
    operators: dict = {}  # counter number → the person who always operates it

    def __init__(self) -> None:
        super().__init__()
        clear_queue()
        self.kind = PolicyKind.WEIGHTED
        self.counters = {n: counter(n) for n in self.operators}
        self.lines = {prefix: line(prefix) for prefix in SERVICES}
        self.services = {prefix: service(slug) for prefix, slug in SERVICES.items()}
        self.refresh()

    def refresh(self) -> None:
        """What the preconditions look at, read once per step."""
        self.statuses = defaultdict(int)
        for status in Ticket.objects.values_list("status", flat=True):
            self.statuses[status] += 1
        self.active = sorted(
            n
            for n, desk in self.counters.items()
            if Ticket.objects.filter(counter=desk, status__in=ACTIVE_AT_COUNTER).exists()
        )

    @initialize(
        kind=st.sampled_from(KINDS),
        opened=st.lists(st.sampled_from([1, 2, 3]), min_size=2, max_size=3, unique=True),
        prefixes=st.sampled_from(LINE_SETS),
        arrivals=st.lists(
            st.tuples(
                st.sampled_from(sorted(SERVICES)),
                st.sampled_from(["normal", "normal", "priority", "appointment"]),
                st.integers(min_value=0, max_value=90),
            ),
            min_size=2,
            max_size=8,
        ),
    )
    def open_counters_under_a_policy(self, kind, opened, prefixes, arrivals):
        self.kind = kind
        actions.policy_update(center=center(), acting_user=self.operators[2], kind=kind)
        for prefix, klass, minutes_ago in arrivals:
            self.issue(prefix=prefix, klass=klass, phone="", minutes_ago=minutes_ago)
        for n in opened:
            actions.counter_open(
                counter=self.counters[n],
                lines=[self.lines[p] for p in prefixes],
                acting_user=self.operators[n],
            )
        self.refresh()

    # --- helpers -----------------------------------------------------------------------

    def attempt(self, fn, **kwargs):
        """Run an action; a refusal must leave everything as it was."""
        before = snapshot()
        try:
            return fn(**kwargs)
        except DomainError:
            assert snapshot() == before, f"{fn.__name__} was refused but changed the queue"
            return None

    def at_counter(self, n: int) -> Ticket | None:
        return Ticket.objects.filter(counter=self.counters[n], status__in=ACTIVE_AT_COUNTER).first()

    @staticmethod
    def pick(qs, index: int) -> Ticket | None:
        items = list(qs.order_by("pk"))
        return items[index % len(items)] if items else None

    # --- rules ---------------------------------------------------------------------------

    @rule(
        prefix=st.sampled_from(sorted(SERVICES)),
        klass=st.sampled_from(["normal", "normal", "priority", "appointment"]),
        phone=st.sampled_from(PHONES),
        minutes_ago=st.integers(min_value=0, max_value=90),
    )
    def issue(self, prefix, klass, phone, minutes_ago):
        kwargs = {}
        if klass == "priority":
            kwargs["priority_reason"] = "elderly"
        if klass == "appointment":
            kwargs["priority_class"] = PriorityClass.APPOINTMENT
        self.attempt(
            actions.ticket_issue,
            center=center(),
            service=self.services[prefix],
            phone=phone,
            lang="en",
            at=timezone.now() - dt.timedelta(minutes=minutes_ago),
            **kwargs,
        )

    @rule(n=st.sampled_from([1, 2, 3]), prefixes=st.sampled_from(LINE_SETS))
    def open_counter(self, n, prefixes):
        self.attempt(
            actions.counter_open,
            counter=self.counters[n],
            lines=[self.lines[p] for p in prefixes],
            acting_user=self.operators[n],
        )

    @rule(n=st.sampled_from([1, 2, 3]), close=st.booleans())
    def pause_or_close(self, n, close):
        fn = actions.counter_close if close else actions.counter_pause
        self.attempt(fn, counter=self.counters[n], acting_user=self.operators[n])

    @precondition(lambda self: self.statuses[TicketStatus.WAITING])
    @rule(n=st.sampled_from([1, 2, 3]))
    def call_next(self, n):
        desk = self.counters[n]
        state = CounterState.objects.filter(counter=desk).first()
        expected = None
        if state is not None:
            policy = actions.policy_for(desk.center_id)
            line_ids = list(state.lines.values_list("pk", flat=True))
            expected = expected_next(desk, line_ids, policy, state.cycle_position)
        called = self.attempt(actions.ticket_call_next, counter=desk, acting_user=self.operators[n])
        if called is not None:
            assert expected is not None and called.pk == expected.pk, (
                f"called {called.number} (pk {called.pk}) but the policy says "
                f"{expected and expected.number} (pk {expected and expected.pk})"
            )
            assert called.counter_id == desk.pk and called.status == TicketStatus.CALLED

    @precondition(lambda self: self.statuses[TicketStatus.WAITING])
    @rule(n=st.sampled_from([1, 2, 3]), index=st.integers(min_value=0, max_value=50))
    def call_out_of_order(self, n, index):
        ticket = self.pick(Ticket.objects.filter(status=TicketStatus.WAITING), index)
        if ticket is not None:
            self.attempt(
                actions.ticket_call,
                counter=self.counters[n],
                ticket=ticket,
                reason="stateful test",
                acting_user=self.operators[n],
            )

    @precondition(lambda self: self.active)
    @rule(which=st.integers(min_value=0, max_value=2), start=st.booleans())
    def start(self, which, start):
        n = self.active[which % len(self.active)]
        ticket = self.at_counter(n)
        if ticket is not None and start:
            self.attempt(actions.ticket_start, ticket=ticket, acting_user=self.operators[n])

    @precondition(lambda self: self.active)
    @rule(
        which=st.integers(min_value=0, max_value=2),
        outcome=st.sampled_from(["completed", "missing_documents", "referred", "other"]),
    )
    def complete(self, which, outcome):
        n = self.active[which % len(self.active)]
        ticket = self.at_counter(n)
        if ticket is not None:
            self.attempt(
                actions.ticket_complete,
                ticket=ticket,
                outcome=outcome,
                acting_user=self.operators[n],
            )

    @precondition(lambda self: self.active)
    @rule(which=st.integers(min_value=0, max_value=2))
    def no_show(self, which):
        n = self.active[which % len(self.active)]
        ticket = self.at_counter(n)
        if ticket is not None:
            self.attempt(actions.ticket_no_show, ticket=ticket, acting_user=self.operators[n])

    @precondition(lambda self: self.statuses[TicketStatus.NO_SHOW])
    @rule(index=st.integers(min_value=0, max_value=50))
    def requeue(self, index):
        ticket = self.pick(Ticket.objects.filter(status=TicketStatus.NO_SHOW), index)
        if ticket is not None:
            self.attempt(actions.ticket_requeue, ticket=ticket, acting_user=self.operators[2])

    @precondition(lambda self: self.active)
    @rule(which=st.integers(min_value=0, max_value=2))
    def park(self, which):
        n = self.active[which % len(self.active)]
        ticket = self.at_counter(n)
        if ticket is not None:
            self.attempt(actions.ticket_park, ticket=ticket, acting_user=self.operators[n])

    @precondition(lambda self: self.statuses[TicketStatus.PARKED])
    @rule(n=st.sampled_from([1, 2, 3]), index=st.integers(min_value=0, max_value=50))
    def resume(self, n, index):
        ticket = self.pick(Ticket.objects.filter(status=TicketStatus.PARKED), index)
        if ticket is not None:
            self.attempt(
                actions.ticket_resume,
                ticket=ticket,
                counter=self.counters[n],
                acting_user=self.operators[n],
            )

    @precondition(lambda self: self.active)
    @rule(
        which=st.integers(min_value=0, max_value=2),
        prefix=st.sampled_from(sorted(SERVICES)),
        keep_arrival=st.booleans(),
        return_to_counter=st.booleans(),
    )
    def transfer(self, which, prefix, keep_arrival, return_to_counter):
        n = self.active[which % len(self.active)]
        ticket = self.at_counter(n)
        if ticket is not None:
            self.attempt(
                actions.ticket_transfer,
                ticket=ticket,
                service=self.services[prefix],
                keep_arrival=keep_arrival,
                return_to_counter=return_to_counter,
                acting_user=self.operators[n],
            )

    @precondition(lambda self: self.statuses[TicketStatus.WAITING] + self.statuses["parked"])
    @rule(index=st.integers(min_value=0, max_value=50), by_visitor=st.booleans())
    def cancel(self, index, by_visitor):
        statuses = [TicketStatus.WAITING, TicketStatus.PARKED, TicketStatus.CALLED]
        ticket = self.pick(Ticket.objects.filter(status__in=statuses), index)
        if ticket is not None:
            self.attempt(
                actions.ticket_cancel,
                ticket=ticket,
                acting_user=None if by_visitor else self.operators[2],
                by_visitor=by_visitor,
            )

    @rule(kind=st.sampled_from(KINDS))
    def change_policy(self, kind):
        actions.policy_update(center=center(), acting_user=self.operators[2], kind=kind)

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def remember_the_queue_for_the_preconditions(self):
        self.refresh()

    @invariant()
    def numbers_are_unique_and_gapless_per_line_and_day(self):
        sequences = defaultdict(list)
        for line_id, day, seq, number in Ticket.objects.filter(sequence__isnull=False).values_list(
            "line_id", "business_date", "sequence", "number"
        ):
            sequences[(line_id, day)].append(seq)
            assert number.endswith(f"{seq:03d}")
        last = {(d.line_id, d.business_date): d.last_number for d in LineDay.objects.all()}
        for key, seqs in sequences.items():
            assert sorted(seqs) == list(range(1, len(seqs) + 1)), (key, sorted(seqs))
            assert last[key] == len(seqs)

    @invariant()
    def a_counter_holds_at_most_one_visitor(self):
        holders = list(
            Ticket.objects.filter(status__in=ACTIVE_AT_COUNTER).values_list("counter_id", flat=True)
        )
        assert None not in holders
        assert len(holders) == len(set(holders))

    @invariant()
    def every_history_is_an_unbroken_chain_ending_in_the_status(self):
        history = defaultdict(list)
        for ticket_id, kind, from_status, to_status in TicketEvent.objects.order_by(
            "pk"
        ).values_list("ticket_id", "kind", "from_status", "to_status"):
            history[ticket_id].append((kind, from_status, to_status))
        for ticket_id, status in Ticket.objects.values_list("pk", "status"):
            events = history[ticket_id]
            assert events and events[0] == (EventKind.ISSUED, "", TicketStatus.WAITING)
            for previous, current in itertools.pairwise(events):
                assert current[1] == previous[2], (ticket_id, events)
                if current[0] in CALLED_KINDS:
                    # called only from waiting: never twice in one waiting spell
                    assert previous[2] == TicketStatus.WAITING, (ticket_id, events)
            assert events[-1][2] == status, (ticket_id, events, status)

    # --- liveness ------------------------------------------------------------------------

    def teardown(self) -> None:
        """Nobody new arrives; every counter opens for both lines under the example's policy
        and calls and completes until nobody waits."""
        actions.policy_update(center=center(), acting_user=self.operators[2], kind=self.kind)
        for ticket in Ticket.objects.filter(status__in=ACTIVE_AT_COUNTER):
            actions.ticket_complete(
                ticket=ticket, outcome="completed", acting_user=self.operators[2]
            )
        for n, desk in self.counters.items():
            actions.counter_open(
                counter=desk, lines=list(self.lines.values()), acting_user=self.operators[n]
            )
        waiting_at_start = set(
            Ticket.objects.filter(status=TicketStatus.WAITING).values_list("pk", flat=True)
        )
        rounds = 0
        while Ticket.objects.filter(status=TicketStatus.WAITING).exists():
            rounds += 1
            assert rounds <= 3 * len(waiting_at_start) + 10, "the queue does not empty"
            for n, desk in self.counters.items():
                ticket = actions.ticket_call_next(counter=desk, acting_user=self.operators[n])
                if ticket is not None:
                    actions.ticket_complete(
                        ticket=ticket, outcome="completed", acting_user=self.operators[n]
                    )
        called = set(
            TicketEvent.objects.filter(
                ticket_id__in=waiting_at_start, kind__in=CALLED_KINDS
            ).values_list("ticket_id", flat=True)
        )
        assert called == waiting_at_start
        self.every_history_is_an_unbroken_chain_ending_in_the_status()


def test_queue_invariants_hold_under_random_operations(always_open, employee_a, supervisor_a):
    third = employee("passports", "civil-registry")
    machine = type(
        "QueueMachineAtRayyan",
        (QueueMachine,),
        {"operators": {1: employee_a, 2: supervisor_a, 3: third}},
    )
    run_state_machine_as_test(machine, settings=SETTINGS)
