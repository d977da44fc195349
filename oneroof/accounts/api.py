"""API of accounts: who the caller is (a device checks its key with this)."""

from ninja import Router, Schema
from ninja.security import django_auth

from oneroof.accounts.auth import BearerKey
from oneroof.accounts.permissions import roles_of
from oneroof.core.schemas import ERRORS

router = Router(tags=["accounts"])


class RoleOut(Schema):
    role: str
    agency: str | None
    center: str | None


class MeOut(Schema):
    username: str
    name: str
    roles: list[RoleOut]


@router.get(
    "/me",
    response={200: MeOut, **ERRORS},
    auth=[BearerKey(), django_auth],
    summary="The signed-in user or device",
)
def me(request):
    user = request.user
    roles = [
        {
            "role": r.role,
            "agency": r.agency.slug if r.agency_id else None,
            "center": r.center.slug if r.center_id else None,
        }
        for r in roles_of(user)
    ]
    return {"username": user.username, "name": user.get_full_name(), "roles": roles}
