"""API of the satisfaction index."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from oneroof.accounts.auth import BearerKey
from oneroof.accounts.permissions import is_staff_member
from oneroof.catalog.models import Agency, Service
from oneroof.centers.models import Center
from oneroof.core.errors import InvalidInput, NotAllowed
from oneroof.core.schemas import ERRORS
from oneroof.feedback.selectors import satisfaction_index

router = Router(tags=["feedback"])


class IndexFilter(Schema):
    center: str | None = Field(None, max_length=80)
    agency: str | None = Field(None, max_length=80)
    service: str | None = Field(None, max_length=100)
    start: dt.date | None = Field(None, alias="from")
    end: dt.date | None = Field(None, alias="to", description="exclusive")


class IndexOut(Schema):
    responses: int
    satisfied_share: float | None
    mean: float | None
    low_sample: bool


def _pk(model, slug: str | None) -> int | None:
    if not slug:
        return None
    obj = model.objects.filter(slug=slug).first()
    if obj is None:
        unknown = {
            Center: _("Unknown center “%(slug)s”."),
            Agency: _("Unknown agency “%(slug)s”."),
            Service: _("Unknown service “%(slug)s”."),
        }[model]
        raise InvalidInput(unknown % {"slug": slug})
    return obj.pk


@router.get(
    "/satisfaction",
    response={200: IndexOut, **ERRORS},
    auth=[BearerKey(), django_auth],
    summary="Satisfaction index",
)
def satisfaction(request, filters: Query[IndexFilter]):
    """Share of answers scoring 4–5 overall, the mean and the count, for a center, agency,
    service and period (staff); `low_sample` marks fewer than 30 answers."""
    if not is_staff_member(request.user):
        raise NotAllowed(_("You are not allowed to do this."))
    tz = dt.UTC
    return satisfaction_index(
        center_id=_pk(Center, filters.center),
        agency_id=_pk(Agency, filters.agency),
        service_id=_pk(Service, filters.service),
        start=dt.datetime.combine(filters.start, dt.time(), tz) if filters.start else None,
        end=dt.datetime.combine(filters.end, dt.time(), tz) if filters.end else None,
    ).__dict__
