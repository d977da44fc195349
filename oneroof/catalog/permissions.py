"""Who may change which part of the catalog. An agency admin edits only its agency's
services; a system admin edits all."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from oneroof.accounts.choices import Role
from oneroof.accounts.permissions import AnyUser, agency_ids, is_system_admin
from oneroof.catalog.models import Agency, Service


def agencies_for_edit(user: AnyUser) -> QuerySet[Agency]:
    if is_system_admin(user):
        return Agency.objects.all()
    return Agency.objects.filter(pk__in=agency_ids(user, Role.AGENCY_ADMIN))


def services_for_edit(user: AnyUser) -> QuerySet[Service]:
    if is_system_admin(user):
        return Service.objects.all()
    return Service.objects.filter(agency_id__in=agency_ids(user, Role.AGENCY_ADMIN))


def can_edit_service(user: AnyUser, service: Service) -> bool:
    return is_system_admin(user) or service.agency_id in agency_ids(user, Role.AGENCY_ADMIN)


def access_service_for_edit(user: AnyUser, slug: str) -> Service:
    """Fetch a service the user may edit: 404 if it does not exist, 403 if not theirs."""
    try:
        service = Service.objects.select_related("agency").get(slug=slug)
    except Service.DoesNotExist as exc:
        raise Http404 from exc
    if not can_edit_service(user, service):
        raise PermissionDenied
    return service
