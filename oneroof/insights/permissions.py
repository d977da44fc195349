"""Who may see which figures.

* System administrators, decision makers and evaluators see every center, agency,
  service and employee.
* A supervisor sees their center(s): figures of any agency, service or employee there.
* An agency administrator sees their agency's figures at every center, its staff included.
* An employee sees their own figures.

A request that names something outside the user's slice is refused (403); a request that
names nothing is narrowed to the slice. For a user with several roles, the first role (in
the order above) whose slice admits the request decides."""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from oneroof.accounts.choices import Role
from oneroof.accounts.models import User
from oneroof.accounts.permissions import (
    AnyUser,
    agency_ids,
    center_ids,
    has_role,
    sees_everything,
)
from oneroof.catalog.models import Agency, Service
from oneroof.centers.models import Center, CenterAgency
from oneroof.core.errors import InvalidInput, NotAllowed
from oneroof.insights.selectors import KpiFilter


def _one(pk: int | None) -> frozenset[int] | None:
    return None if pk is None else frozenset({pk})


def sees_all_figures(user: AnyUser) -> bool:
    return sees_everything(user) or has_role(user, Role.EVALUATOR)


def kpi_filter_for(
    user: AnyUser,
    *,
    center: Center | None = None,
    agency: Agency | None = None,
    service: Service | None = None,
    employee: User | None = None,
) -> KpiFilter:
    """The slice a user asked for, narrowed to what they may see; NotAllowed when the
    request lies outside it."""
    if not user.is_authenticated:
        raise NotAllowed(_("Sign in to see these figures."))
    if service is not None and agency is not None and service.agency_id != agency.pk:
        raise InvalidInput(_("This service belongs to another agency."))
    asked = KpiFilter(
        center_ids=_one(center.pk if center else None),
        agency_ids=_one(agency.pk if agency else None),
        service_ids=_one(service.pk if service else None),
        employee_ids=_one(employee.pk if employee else None),
    )
    if sees_all_figures(user):
        return asked
    supervised = center_ids(user, Role.SUPERVISOR)
    if supervised and (center is None or center.pk in supervised):
        return replace(asked, center_ids=asked.center_ids or frozenset(supervised))
    administered = agency_ids(user, Role.AGENCY_ADMIN)
    asked_agency = agency.pk if agency else service.agency_id if service else None
    if administered and (asked_agency is None or asked_agency in administered):
        return replace(
            asked, agency_ids=_one(asked_agency) if asked_agency else frozenset(administered)
        )
    if has_role(user, Role.EMPLOYEE) and (employee is None or employee.pk == user.pk):
        return replace(asked, employee_ids=frozenset({user.pk}))
    raise NotAllowed(_("You may not see these figures."))


def access_center_live(user: AnyUser, slug: str) -> tuple[Center, frozenset[int] | None]:
    """A center's live view: the center and the agencies whose desks the user may see
    there (None: all). 404 if no such center, 403 if none of it is the user's."""
    center = Center.objects.filter(slug=slug).first()
    if center is None:
        raise Http404
    if sees_all_figures(user) or center.pk in center_ids(user, Role.SUPERVISOR):
        return center, None
    administered = agency_ids(user, Role.AGENCY_ADMIN)
    if administered:
        hosted = set(
            CenterAgency.objects.filter(center=center, agency_id__in=administered).values_list(
                "agency_id", flat=True
            )
        )
        if hosted:
            return center, frozenset(hosted)
    raise PermissionDenied
