"""Who may see and change appointments. The supervisor of a center (and a system admin) runs
its day list, check-ins, bookings on a visitor's behalf and closures; slot rules are edited in
the admin by the supervisors of their centers and by agency admins for their agency.

A visitor needs no account: the booking code with the phone number, or the signed link of
the SMS (`messaging.manage_token`), stands for the booking."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from oneroof.accounts.choices import Role
from oneroof.accounts.permissions import AnyUser, agency_ids, center_ids, is_system_admin
from oneroof.appointments.models import Appointment, SlotRule
from oneroof.catalog.models import Agency
from oneroof.centers.models import Center, CenterAgency, Closure
from oneroof.queueing.permissions import is_supervisor_of

__all__ = ["is_supervisor_of"]  # the same rule as for the center's queue


def centers_supervised(user: AnyUser) -> QuerySet[Center]:
    centers = Center.objects.active().order_by("pk")
    if is_system_admin(user):
        return centers
    return centers.filter(pk__in=center_ids(user, Role.SUPERVISOR))


def access_center_for_supervision(user: AnyUser, slug: str) -> Center:
    """The center whose appointments the user runs: 404 if there is no such center, 403 if it
    is not theirs."""
    center = Center.objects.active().filter(slug=slug).first()
    if center is None:
        raise Http404
    if not is_supervisor_of(user, center.pk):
        raise PermissionDenied
    return center


def access_appointment_at(center: Center, pk: int | str) -> Appointment:
    appointment = (
        Appointment.objects.select_related("center", "service", "agency")
        .filter(pk=int(pk) if str(pk).isdigit() else 0, center=center)
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment


def access_closure_at(center: Center, pk: int) -> Closure:
    closure = Closure.objects.select_related("agency").filter(pk=pk, center=center).first()
    if closure is None:
        raise Http404
    return closure


def mask_phone(phone: str) -> str:
    """+974•••••456: what staff screens show of a visitor's number, enough to tell visitors
    apart, not to call them."""
    return f"{phone[:4]}•••••{phone[-3:]}" if len(phone) > 7 else "•••"


# --- admin: slot rules and appointments ------------------------------------------------------


def _scope(user: AnyUser) -> Q | None:
    """Rows (with `center` and `agency`) the user looks after; None for everything."""
    if is_system_admin(user):
        return None
    return Q(center_id__in=center_ids(user, Role.SUPERVISOR)) | Q(
        agency_id__in=agency_ids(user, Role.AGENCY_ADMIN)
    )


def may_edit_slot_rules(user: AnyUser) -> bool:
    return (
        is_system_admin(user)
        or bool(center_ids(user, Role.SUPERVISOR))
        or bool(agency_ids(user, Role.AGENCY_ADMIN))
    )


def may_edit_slot_rule_at(user: AnyUser, center_id: int, agency_id: int) -> bool:
    return (
        is_system_admin(user)
        or center_id in center_ids(user, Role.SUPERVISOR)
        or agency_id in agency_ids(user, Role.AGENCY_ADMIN)
    )


def slot_rules_for_edit(user: AnyUser) -> QuerySet[SlotRule]:
    rules = SlotRule.objects.all()
    if not may_edit_slot_rules(user):
        return rules.none()
    scope = _scope(user)
    return rules if scope is None else rules.filter(scope)


def centers_for_slot_rules(user: AnyUser) -> QuerySet[Center]:
    """Centers a user may pick for a rule: the centers supervised, and those hosting the
    agencies administered."""
    if is_system_admin(user):
        return Center.objects.all()
    hosting = CenterAgency.objects.filter(agency_id__in=agency_ids(user, Role.AGENCY_ADMIN)).values(
        "center_id"
    )
    return Center.objects.filter(
        Q(pk__in=center_ids(user, Role.SUPERVISOR)) | Q(pk__in=hosting)
    ).distinct()


def agencies_for_slot_rules(user: AnyUser) -> QuerySet[Agency]:
    if is_system_admin(user):
        return Agency.objects.all()
    hosted = CenterAgency.objects.filter(center_id__in=center_ids(user, Role.SUPERVISOR)).values(
        "agency_id"
    )
    return Agency.objects.filter(
        Q(pk__in=agency_ids(user, Role.AGENCY_ADMIN)) | Q(pk__in=hosted)
    ).distinct()


def appointments_for_view(user: AnyUser) -> QuerySet[Appointment]:
    appointments = Appointment.objects.all()
    if not may_edit_slot_rules(user):
        return appointments.none()
    scope = _scope(user)
    return appointments if scope is None else appointments.filter(scope)
