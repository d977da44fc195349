"""Who may look at a visitor's history, and how much of each record they see."""

from __future__ import annotations

from oneroof.accounts.choices import Role
from oneroof.accounts.permissions import AnyUser, is_system_admin, roles_of
from oneroof.centers.models import CenterAgency


def may_view_history(user: AnyUser) -> bool:
    return is_system_admin(user) or any(
        r.role in (Role.EMPLOYEE, Role.SUPERVISOR) for r in roles_of(user)
    )


def own_agency_ids(user: AnyUser) -> set[int] | None:
    """Agencies whose records the user sees in full; None means every agency."""
    if is_system_admin(user):
        return None
    agencies = {r.agency_id for r in roles_of(user) if r.role == Role.EMPLOYEE}
    supervised = [r.center_id for r in roles_of(user) if r.role == Role.SUPERVISOR]
    if supervised:
        agencies |= set(
            CenterAgency.objects.filter(center_id__in=supervised).values_list(
                "agency_id", flat=True
            )
        )
    return agencies


def may_review_audit(user: AnyUser) -> bool:
    return is_system_admin(user) or any(r.role == Role.EVALUATOR for r in roles_of(user))
