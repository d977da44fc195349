import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oneroof.centers.choices import Weekday
from oneroof.core.models import TimeStampedModel

MINUTES_PER_DAY = 24 * 60


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("“%(tz)s” is not a known time zone."), params={"tz": value}
        ) from exc


class CenterQuerySet(models.QuerySet["Center"]):
    def active(self) -> "CenterQuerySet":
        return self.filter(is_active=True)


class Center(TimeStampedModel):
    """A one-stop service center (a branch). Texts are translated (ar/en)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Qatar", validators=[validate_time_zone]
    )
    is_active = models.BooleanField(_("active"), default=True)
    agencies = models.ManyToManyField(
        "catalog.Agency", through="CenterAgency", related_name="centers", verbose_name=_("agencies")
    )
    services = models.ManyToManyField(
        "catalog.Service",
        through="CenterService",
        related_name="centers",
        verbose_name=_("services"),
    )

    objects = CenterQuerySet.as_manager()

    class Meta:
        verbose_name = _("center")
        verbose_name_plural = _("centers")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("centers:detail", args=[self.slug])

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class CenterAgency(models.Model):
    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="center_agencies")
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="center_agencies"
    )

    class Meta:
        verbose_name = _("hosted agency")
        verbose_name_plural = _("hosted agencies")
        constraints = [
            models.UniqueConstraint(fields=["center", "agency"], name="center_agency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency} @ {self.center}"


class CenterService(models.Model):
    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="center_services")
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.CASCADE, related_name="center_services"
    )

    class Meta:
        verbose_name = _("hosted service")
        verbose_name_plural = _("hosted services")
        constraints = [
            models.UniqueConstraint(fields=["center", "service"], name="center_service_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service} @ {self.center}"


class Counter(TimeStampedModel):
    """A desk at a center. Which services it serves is chosen when an employee opens it."""

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="counters", verbose_name=_("center")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    label = models.CharField(_("label"), max_length=50, blank=True)
    zone = models.CharField(_("zone"), max_length=50, blank=True)
    agency = models.ForeignKey(
        "catalog.Agency",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="counters",
        verbose_name=_("agency desk"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        ordering = ["center_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["center", "number"], name="counter_number_unique")
        ]

    def __str__(self) -> str:
        return self.label or str(self.number)


class OpeningInterval(models.Model):
    """One open interval on a weekday, in the center's local time, in minutes of the day
    (0–1440, so a desk can close at 24:00). With an agency, it is that agency desk's own
    schedule at the center, which replaces the center's schedule for that desk."""

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="intervals", verbose_name=_("center")
    )
    agency = models.ForeignKey(
        "catalog.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="desk_intervals",
        verbose_name=_("agency desk"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.PositiveSmallIntegerField(
        _("opens (minute of day)"), validators=[MaxValueValidator(MINUTES_PER_DAY - 1)]
    )
    closes = models.PositiveSmallIntegerField(
        _("closes (minute of day)"),
        validators=[MinValueValidator(1), MaxValueValidator(MINUTES_PER_DAY)],
    )

    class Meta:
        verbose_name = _("opening interval")
        verbose_name_plural = _("opening hours")
        ordering = ["center_id", "agency_id", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                name="interval_opens_before_closes", condition=Q(opens__lt=F("closes"))
            ),
            models.CheckConstraint(
                name="interval_within_day", condition=Q(closes__lte=MINUTES_PER_DAY)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {fmt_minute(self.opens)}–{fmt_minute(self.closes)}"


class Closure(TimeStampedModel):
    """A holiday or closure from `starts_on` to `ends_on` inclusive. No center means every
    center; an agency limits it to that agency's desks."""

    center = models.ForeignKey(
        Center,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        verbose_name=_("center"),
        help_text=_("Leave empty for a holiday at every center."),
    )
    agency = models.ForeignKey(
        "catalog.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        verbose_name=_("agency desk"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (inclusive)"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("holiday or closure")
        verbose_name_plural = _("holidays and closures")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                name="closure_dates_ordered", condition=Q(starts_on__lte=F("ends_on"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.starts_on}–{self.ends_on})"


def fmt_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_hhmm(value: str) -> int:
    """'07:30' → 450; '24:00' → 1440. Raises ValueError on anything else."""
    hours, sep, minutes = value.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"not a time HH:MM: {value!r}")
    total = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or total > MINUTES_PER_DAY:
        raise ValueError(f"not a time of day: {value!r}")
    return total
