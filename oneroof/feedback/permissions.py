"""Who may see survey complaints, and who may put a counter's survey on a tablet."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from oneroof.accounts.choices import Role
from oneroof.accounts.permissions import AnyUser, agency_ids, center_ids, is_system_admin
from oneroof.centers.models import Counter
from oneroof.queueing.permissions import is_device_or_staff


def complaints_scope(user: AnyUser) -> Q | None:
    """The survey answers whose complaints the user follows up: supervisors their centers',
    agency administrators their agency's, system administrators all. None: none at all."""
    if is_system_admin(user):
        return Q()
    centers = center_ids(user, Role.SUPERVISOR)
    agencies = agency_ids(user, Role.AGENCY_ADMIN)
    if not centers and not agencies:
        return None
    scope = Q(pk__in=[])
    if centers:
        scope |= Q(center_id__in=centers)
    if agencies:
        scope |= Q(agency_id__in=agencies)
    return scope


def may_see_complaints(user: AnyUser) -> bool:
    return complaints_scope(user) is not None


def access_counter_for_survey(user: AnyUser, counter_id: int) -> Counter:
    """A counter whose visitors may answer the survey on this device: the center's own
    device (a kiosk or tablet signed in as it) or staff of the center. 404 if there is no
    such counter, 403 if it is another center's."""
    counter = Counter.objects.select_related("center").filter(pk=counter_id).first()
    if counter is None:
        raise Http404
    if not is_device_or_staff(user, counter.center_id):
        raise PermissionDenied
    return counter
