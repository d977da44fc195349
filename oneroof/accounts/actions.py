"""State changes of accounts: API keys and role assignments."""

from __future__ import annotations

import copy
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oneroof.accounts.choices import ROLE_SCOPE
from oneroof.accounts.models import ApiKey, RoleAssignment, User
from oneroof.core.errors import InvalidInput
from oneroof.core.memo import Memo

KEY_PREFIX = "ork"
# Keys are looked up on every API request. A revoked key or a deactivated user is refused
# at once by this process and within KEYS_TTL seconds by every other worker.
KEYS_TTL = 10
_KEYS = Memo("accounts.api_keys", ttl=KEYS_TTL).clear_on(ApiKey, User)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_create(*, user: User, name: str = "") -> tuple[ApiKey, str]:
    """Create a bearer key for `user`. The full key is returned once and never stored."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(user=user, name=name, prefix=prefix, key_hash=_hash(secret))
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


def api_key_authenticate(raw: str) -> User | None:
    """The active user a presented key belongs to, or None."""
    try:
        tag, prefix, secret = raw.split("_", 2)
    except ValueError:
        return None
    if tag != KEY_PREFIX:
        return None
    key = _KEYS.get(
        prefix,
        lambda: (
            ApiKey.objects.select_related("user")
            .filter(prefix=prefix, revoked_at__isnull=True)
            .first()
        ),
        keep_none=False,
    )
    if key is None or not hmac.compare_digest(key.key_hash, _hash(secret)):
        return None
    if not key.user.is_active:
        return None
    # Record use at most once a minute to keep the hot path free of writes.
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        key.last_used_at = now
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    # Each request gets its own copy of the user: requests attach things to it.
    return copy.copy(key.user)


def api_key_revoke(*, key: ApiKey) -> None:
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    _KEYS.clear()


@transaction.atomic
def role_assign(
    *, user: User, role: str, agency_id: int | None = None, center_id: int | None = None
) -> RoleAssignment:
    if role not in ROLE_SCOPE:
        raise InvalidInput(_("Unknown role “%(role)s”.") % {"role": role})
    needs_agency, needs_center = ROLE_SCOPE[role]
    if needs_agency and agency_id is None:
        raise InvalidInput(_("This role needs an agency."))
    if needs_center and center_id is None:
        raise InvalidInput(_("This role needs a center."))
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, agency_id=agency_id, center_id=center_id
    )
    if not user.is_staff and role != "device":
        # Staff reach the administration screens; what they see there is scoped by role.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return assignment
