"""Who a user is in the organisation: roles and their scopes. Other apps build their
permission checks on these helpers."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from oneroof.accounts.choices import Role
from oneroof.accounts.models import RoleAssignment, User
from oneroof.core.memo import Memo

AnyUser = User | AnonymousUser

# Role rows are read on every staff request; a change reaches this process at once and
# every other worker within ROLES_TTL seconds.
ROLES_TTL = 10
_ROLES = Memo("accounts.roles", ttl=ROLES_TTL).clear_on(RoleAssignment, User)

STAFF_ROLES = {
    Role.SYSTEM_ADMIN,
    Role.AGENCY_ADMIN,
    Role.SUPERVISOR,
    Role.EMPLOYEE,
    Role.EVALUATOR,
    Role.DECISION_MAKER,
}


def roles_of(user: AnyUser) -> list[RoleAssignment]:
    """The user's role rows, read once per user object."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_oneroof_roles", None)
    if cached is None:
        user_id = user.pk
        cached = _ROLES.get(user_id, lambda: list(RoleAssignment.objects.filter(user_id=user_id)))
        user._oneroof_roles = cached  # type: ignore[union-attr]
    return cached


def has_role(user: AnyUser, *roles: str) -> bool:
    return any(r.role in roles for r in roles_of(user))


def is_system_admin(user: AnyUser) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or has_role(user, Role.SYSTEM_ADMIN))
    )


def is_staff_member(user: AnyUser) -> bool:
    return is_system_admin(user) or any(r.role in STAFF_ROLES for r in roles_of(user))


def agency_ids(user: AnyUser, *roles: str) -> set[int]:
    return {r.agency_id for r in roles_of(user) if r.role in roles and r.agency_id}


def center_ids(user: AnyUser, *roles: str) -> set[int]:
    return {r.center_id for r in roles_of(user) if r.role in roles and r.center_id}


def sees_everything(user: AnyUser) -> bool:
    """System admins and decision makers see figures of every center and agency."""
    return is_system_admin(user) or has_role(user, Role.DECISION_MAKER)
