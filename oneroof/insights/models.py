"""Roll-up tables: what dashboards, reports and the API read instead of raw rows.

Each row adds up the facts of one slice (a center's agency desk in one hour; a service at a
center on one day or in one month; an employee's work on a service on one day; an
employee's counter time on one day). Every column is a count or a sum, so rows of small
periods add up to large ones, and a row can be changed by adding a difference. The
columns, where each fact comes from and how the rows are kept current are described in
docs/adr/0009-rollups.md; `insights.rollups` writes them, `insights.selectors` reads them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from oneroof.insights.buckets import HANDLING_FIELDS, SCORE_FIELDS, WAIT_FIELDS


def _count() -> models.Field:
    return models.IntegerField(default=0, db_default=0)


def _sum() -> models.Field:
    return models.BigIntegerField(default=0, db_default=0)


def _abstract(name: str, fields: dict[str, models.Field]) -> type[models.Model]:
    meta = type("Meta", (), {"abstract": True})
    return type(name, (models.Model,), {"__module__": __name__, "Meta": meta, **fields})


# Arrivals and how visits ended, counted from tickets in the hour/day the visitor arrived.
VISIT_FIELDS = (
    "arrivals",
    "transfers_in",
    "arrivals_remote",
    "appointments",
    "no_shows",
    "cancelled",
)
# Services delivered, counted from transaction records in the hour/day the service ended.
SERVICE_COUNT_FIELDS = (
    "served",
    "completed",
    "missing_documents",
    "self_service",
    "wait_count",
    "handling_count",
)
SERVICE_SUM_FIELDS = ("wait_sum", "handling_sum")
# Survey answers, counted in the hour/day they were given.
SATISFACTION_FIELDS = (
    "answers",
    *SCORE_FIELDS,
    "waiting_score_sum",
    "courtesy_score_sum",
    "one_visit",
)

SERVICE_FIELDS = (
    *SERVICE_COUNT_FIELDS,
    *SERVICE_SUM_FIELDS,
    "fees",
    *WAIT_FIELDS,
    *HANDLING_FIELDS,
)
MEASURE_FIELDS = (*VISIT_FIELDS, *SERVICE_FIELDS, *SATISFACTION_FIELDS)
EMPLOYEE_FIELDS = (*SERVICE_FIELDS, *SATISFACTION_FIELDS)
COUNTER_FIELDS = ("open_seconds", "paused_seconds")


def _fields(names: tuple[str, ...]) -> dict[str, models.Field]:
    out: dict[str, models.Field] = {}
    for name in names:
        if name == "fees":
            out[name] = models.DecimalField(
                max_digits=16, decimal_places=2, default=0, db_default=0
            )
        elif name.endswith("_sum"):
            out[name] = _sum()
        else:
            out[name] = _count()
    return out


AllMeasures = _abstract("AllMeasures", _fields(MEASURE_FIELDS))
EmployeeMeasures = _abstract("EmployeeMeasures", _fields(EMPLOYEE_FIELDS))


def _fk(model: str) -> models.ForeignKey:
    return models.ForeignKey(model, on_delete=models.CASCADE, related_name="+")


class AgencyHour(AllMeasures):
    """An agency's desk at a center in one local hour: today's figures and peak hours."""

    pk = models.CompositePrimaryKey("center_id", "day", "hour", "agency_id")
    center = _fk("centers.Center")
    agency = _fk("catalog.Agency")
    day = models.DateField()  # in the center's time zone
    hour = models.PositiveSmallIntegerField()  # 0–23, local

    class Meta:
        indexes = [models.Index(fields=["day", "hour"], name="agency_hour_day")]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.agency_id} {self.day} {self.hour:02d}h"


class ServiceDay(AllMeasures):
    """A service at a center on one local day."""

    pk = models.CompositePrimaryKey("center_id", "day", "agency_id", "service_id")
    center = _fk("centers.Center")
    agency = _fk("catalog.Agency")
    service = _fk("catalog.Service")
    day = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["day"], name="service_day_day"),
            models.Index(fields=["agency", "day"], name="service_day_agency"),
            models.Index(fields=["service", "day"], name="service_day_service"),
        ]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.service_id} {self.day}"


class ServiceMonth(AllMeasures):
    """A service at a center in one month (`month` is its first day): the sum of its days,
    for half-year and yearly figures."""

    pk = models.CompositePrimaryKey("center_id", "month", "agency_id", "service_id")
    center = _fk("centers.Center")
    agency = _fk("catalog.Agency")
    service = _fk("catalog.Service")
    month = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["month"], name="service_month_month")]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.service_id} {self.month:%Y-%m}"


class EmployeeDay(EmployeeMeasures):
    """What one employee delivered of one service at a center on one local day."""

    pk = models.CompositePrimaryKey("employee_id", "day", "center_id", "agency_id", "service_id")
    center = _fk("centers.Center")
    agency = _fk("catalog.Agency")
    service = _fk("catalog.Service")
    employee = _fk(settings.AUTH_USER_MODEL)
    day = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["center", "day"], name="employee_day_center"),
            models.Index(fields=["service", "day"], name="employee_day_service"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}/{self.service_id} {self.day}"


class CounterDay(models.Model):
    """An employee's counter time on one local day: open (ready to call) and paused.
    Time of a counter opened for several agencies' lines is shared equally between them."""

    pk = models.CompositePrimaryKey("employee_id", "day", "center_id", "agency_id")
    center = _fk("centers.Center")
    agency = _fk("catalog.Agency")
    employee = _fk(settings.AUTH_USER_MODEL)
    day = models.DateField()
    open_seconds = _sum()
    paused_seconds = _sum()

    class Meta:
        indexes = [models.Index(fields=["center", "day"], name="counter_day_center")]

    def __str__(self) -> str:
        return f"{self.employee_id}@{self.center_id} {self.day}"


class CounterMonth(models.Model):
    """An employee's counter time in one month (`month` is its first day): the sum of its
    days, for half-year efficiency figures."""

    pk = models.CompositePrimaryKey("employee_id", "month", "center_id", "agency_id")
    center = _fk("centers.Center")
    agency = _fk("catalog.Agency")
    employee = _fk(settings.AUTH_USER_MODEL)
    month = models.DateField()
    open_seconds = _sum()
    paused_seconds = _sum()

    class Meta:
        indexes = [models.Index(fields=["month"], name="counter_month_month")]

    def __str__(self) -> str:
        return f"{self.employee_id}@{self.center_id} {self.month:%Y-%m}"
