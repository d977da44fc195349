"""Who sees which cases. Care agents are the staff of an agency (its employees and agency
administrators) and center supervisors:

- employees and agency administrators of agency A see A's cases, wherever they came from;
- supervisors see the cases linked to their centers;
- everyone of them sees the general queue (cases the search could not route to an agency yet),
  so that someone routes them;
- system administrators see everything; decision makers see the dashboard's figures only.

An agent of agency A never sees agency B's cases. Citizens see their own case through its
signed link only (`messaging.case_token`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from oneroof.accounts.choices import Role
from oneroof.accounts.models import RoleAssignment, User
from oneroof.accounts.permissions import (
    AnyUser,
    agency_ids,
    center_ids,
    has_role,
    is_system_admin,
    sees_everything,
)
from oneroof.care.models import Case, MonitoredPost, PublicNotice

AGENCY_AGENT_ROLES = (Role.EMPLOYEE, Role.AGENCY_ADMIN)


def case_scope(user: AnyUser) -> Q | None:
    """The cases a user works on, as a filter; None: none at all."""
    if is_system_admin(user):
        return Q()
    agencies = agency_ids(user, *AGENCY_AGENT_ROLES)
    centers = center_ids(user, Role.SUPERVISOR)
    if not agencies and not centers:
        return None
    scope = Q(agency__isnull=True)
    if agencies:
        scope |= Q(agency_id__in=agencies)
    if centers:
        scope |= Q(center_id__in=centers)
    return scope


def is_care_agent(user: AnyUser) -> bool:
    return case_scope(user) is not None


def cases_for(user: AnyUser) -> QuerySet[Case]:
    scope = case_scope(user)
    if scope is None:
        return Case.objects.none()
    return Case.objects.filter(scope)


def access_case(user: AnyUser, pk: int) -> Case:
    """The case, if the user works on it: 404 if there is no such case, 403 if it is another
    agency's or center's."""
    case = (
        Case.objects.select_related("service", "agency", "center", "owner", "merged_into")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    scope = case_scope(user)
    if scope is None or not Case.objects.filter(scope, pk=case.pk).exists():
        raise PermissionDenied
    return case


def agents_for_case(case: Case) -> QuerySet[User]:
    """People who may own the case: staff of its agency, supervisors of its center, and
    system administrators."""
    rows = Q(role=Role.SYSTEM_ADMIN)
    if case.agency_id:
        rows |= Q(role__in=AGENCY_AGENT_ROLES, agency_id=case.agency_id)
    if case.center_id:
        rows |= Q(role=Role.SUPERVISOR, center_id=case.center_id)
    user_ids = RoleAssignment.objects.filter(rows).values("user_id")
    return User.objects.filter(pk__in=user_ids, is_active=True).order_by("username")


def escalation_target(case: Case) -> User | None:
    """Whom an escalated case goes to: the agency's administrator, else the center's
    supervisor, else a system administrator."""
    for rows in (
        Q(role=Role.AGENCY_ADMIN, agency_id=case.agency_id) if case.agency_id else None,
        Q(role=Role.SUPERVISOR, center_id=case.center_id) if case.center_id else None,
        Q(role=Role.SYSTEM_ADMIN),
    ):
        if rows is None:
            continue
        found = (
            RoleAssignment.objects.filter(rows, user__is_active=True)
            .select_related("user")
            .order_by("user_id")
            .first()
        )
        if found is not None:
            return found.user
    return None


# --- the dashboard, monitoring and notices -----------------------------------------------------


def dashboard_scope(user: AnyUser) -> Q | None:
    """Whose figures the user sees: everyone's for system administrators and decision makers,
    the agency's for its administrators, the centers' for supervisors."""
    if sees_everything(user):
        return Q()
    agencies = agency_ids(user, Role.AGENCY_ADMIN)
    centers = center_ids(user, Role.SUPERVISOR)
    if not agencies and not centers:
        return None
    scope = Q(pk__in=[])
    if agencies:
        scope |= Q(agency_id__in=agencies)
    if centers:
        scope |= Q(center_id__in=centers)
    return scope


def may_see_dashboard(user: AnyUser) -> bool:
    return dashboard_scope(user) is not None


def posts_for(user: AnyUser) -> QuerySet[MonitoredPost]:
    """Public posts are public; care agents see all of them."""
    if not is_care_agent(user):
        return MonitoredPost.objects.none()
    return MonitoredPost.objects.all()


def may_publish_notices(user: AnyUser) -> bool:
    return is_system_admin(user) or has_role(user, Role.AGENCY_ADMIN, Role.SUPERVISOR)


def notices_for_edit(user: AnyUser) -> QuerySet[PublicNotice]:
    """System administrators: every notice; agency administrators: their agency's;
    supervisors: their centers'."""
    if is_system_admin(user):
        return PublicNotice.objects.all()
    scope = Q(pk__in=[])
    agencies = agency_ids(user, Role.AGENCY_ADMIN)
    centers = center_ids(user, Role.SUPERVISOR)
    if agencies:
        scope |= Q(agency_id__in=agencies)
    if centers:
        scope |= Q(center_id__in=centers)
    return PublicNotice.objects.filter(scope)


def access_notice_for_edit(user: AnyUser, pk: int) -> PublicNotice:
    notice = PublicNotice.objects.filter(pk=pk).first()
    if notice is None:
        raise Http404
    if not notices_for_edit(user).filter(pk=pk).exists():
        raise PermissionDenied
    return notice


def check_notice_scope(user: AnyUser, *, agency_id: int | None, center_id: int | None) -> None:
    """A notice must fall within what its author may publish for: an agency administrator
    for their agency, a supervisor for their center."""
    if is_system_admin(user):
        return
    if agency_id and agency_id in agency_ids(user, Role.AGENCY_ADMIN):
        return
    if center_id and center_id in center_ids(user, Role.SUPERVISOR):
        return
    raise PermissionDenied
