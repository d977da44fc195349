"""Who may do what with counters and tickets. Staff act only at their own center, on the
lines of their agencies; a supervisor on every line of their center."""

from __future__ import annotations

import copy

from django.core.exceptions import PermissionDenied
from django.http import Http404

from oneroof.accounts.choices import Role
from oneroof.accounts.permissions import AnyUser, center_ids, is_system_admin, roles_of
from oneroof.centers.models import Center, Counter
from oneroof.core.memo import Memo
from oneroof.queueing.models import CounterState, Line, Ticket

_COUNTERS = Memo("queueing.counters", ttl=30).clear_on(Counter, Center)


def is_supervisor_of(user: AnyUser, center_id: int) -> bool:
    return is_system_admin(user) or center_id in center_ids(user, Role.SUPERVISOR)


def lines_user_may_serve(user: AnyUser, center_id: int) -> list[Line]:
    if not user.is_authenticated:
        return []
    lines = Line.objects.filter(center_id=center_id, is_active=True).order_by("prefix")
    if is_supervisor_of(user, center_id):
        return list(lines)
    agencies = {
        r.agency_id for r in roles_of(user) if r.role == Role.EMPLOYEE and r.center_id == center_id
    }
    return [line for line in lines if line.agency_id in agencies]


def works_at(user: AnyUser, center_id: int) -> bool:
    return is_supervisor_of(user, center_id) or center_id in center_ids(user, Role.EMPLOYEE)


def can_operate_counter(user: AnyUser, state: CounterState) -> bool:
    if not user.is_authenticated:
        return False
    if state.employee_id == user.pk:
        return True
    return is_supervisor_of(user, state.counter.center_id)


def access_counter(user: AnyUser, counter_id: int) -> Counter:
    """A counter the user works at (404 if none such, 403 if another center's). Counters
    and centers change rarely: they are remembered for 30 s (cleared at once in the process
    that saves one); each caller gets its own copy."""
    counter = _COUNTERS.get(
        counter_id,
        lambda: Counter.objects.select_related("center").filter(pk=counter_id).first(),
        keep_none=False,
    )
    if counter is None:
        raise Http404
    counter = copy.copy(counter)
    if not works_at(user, counter.center_id):
        raise PermissionDenied
    return counter


def access_ticket(public_id: str) -> Ticket:
    """Anyone holding a ticket's unguessable id may see it."""
    ticket = (
        Ticket.objects.select_related("line", "service", "counter", "center")
        .filter(public_id=public_id)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def access_ticket_for_staff(user: AnyUser, public_id: str) -> Ticket:
    ticket = access_ticket(public_id)
    if not works_at(user, ticket.center_id):
        raise PermissionDenied
    return ticket


def is_device_or_staff(user: AnyUser, center_id: int) -> bool:
    """A kiosk or display signed in as the center's device, or staff of the center."""
    return works_at(user, center_id) or any(
        r.role == Role.DEVICE and r.center_id == center_id for r in roles_of(user)
    )
