from typing import Any

from django.http import HttpRequest

from oneroof.accounts.permissions import is_staff_member
from oneroof.catalog.selectors import unseen_notices_for


def staff_notices(request: HttpRequest) -> dict[str, Any]:
    """Unseen notices of changed services, shown to staff on every page until dismissed."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_staff_member(user):
        return {"staff_notices": []}
    return {"staff_notices": unseen_notices_for(user)}
