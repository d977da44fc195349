"""Slot rules and bookings. A slot is not stored: it is computed from the rule and the desk's
opening hours. A booking holds one numbered place (`seat`) of its slot, and a partial unique
constraint on (center, agency, start, seat) among bookings that hold a place means a slot
can never hold more than its capacity, whatever runs at the same instant."""

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oneroof.appointments.choices import HOLDS_PLACE, AppointmentStatus
from oneroof.core.models import TimeStampedModel

CODE_ALPHABET = "ACDEFHJKLMNPRTUVWXY347"  # no look-alikes (0/O, 1/I, 2/Z, 5/S, 6/G, 8/B)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(7))


class SlotRule(TimeStampedModel):
    """How an agency's desk at a center takes appointments (optionally for one service)."""

    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.CASCADE,
        related_name="slot_rules",
        verbose_name=_("center"),
    )
    agency = models.ForeignKey(
        "catalog.Agency",
        on_delete=models.CASCADE,
        related_name="slot_rules",
        verbose_name=_("agency"),
    )
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="slot_rules",
        verbose_name=_("service"),
        help_text=_("Leave empty for every service of the agency."),
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    capacity = models.PositiveSmallIntegerField(
        _("visitors per slot"), default=2, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    window_days = models.PositiveSmallIntegerField(
        _("bookable up to (days ahead)"), default=30, validators=[MaxValueValidator(365)]
    )
    min_notice_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), default=120)
    cancel_deadline_minutes = models.PositiveIntegerField(
        _("cancel or move up to (minutes before)"), default=60
    )
    max_active_per_phone = models.PositiveSmallIntegerField(
        _("active bookings per phone and service"), default=1, validators=[MinValueValidator(1)]
    )
    max_no_shows = models.PositiveSmallIntegerField(
        _("no-shows after which a phone may not book (0: no limit)"), default=0
    )
    no_show_window_days = models.PositiveSmallIntegerField(
        _("counting no-shows over (days)"), default=90, validators=[MinValueValidator(1)]
    )
    booking_opens = models.PositiveSmallIntegerField(
        _("bookings from (minute of day)"),
        default=0,
        validators=[MaxValueValidator(1439)],
        help_text=_("Within the desk's opening hours; 0 and 1440 mean all of them."),
    )
    booking_closes = models.PositiveSmallIntegerField(
        _("bookings until (minute of day)"), default=1440, validators=[MaxValueValidator(1440)]
    )
    early_minutes = models.PositiveSmallIntegerField(
        _("check-in opens (minutes early)"), default=15
    )
    late_minutes = models.PositiveSmallIntegerField(
        _("check-in on time until (minutes late)"), default=10
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("slot rule")
        verbose_name_plural = _("slot rules")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "agency"],
                name="slot_rule_agency_unique",
                condition=Q(service__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["center", "agency", "service"],
                name="slot_rule_service_unique",
                condition=Q(service__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.agency_id}/{self.service_id or '*'}"


class Appointment(TimeStampedModel):
    code = models.CharField(_("code"), max_length=12, unique=True, default=new_code)
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("center"),
    )
    agency = models.ForeignKey(
        "catalog.Agency",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("agency"),
    )
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("service"),
    )
    start = models.DateTimeField(_("start"))
    # The start as whole minutes since 1970 (UTC): slot search groups and matches bookings
    # on this integer, which loads far faster than datetimes.
    start_minute = models.BigIntegerField(editable=False, default=0)
    end = models.DateTimeField(_("end"))
    seat = models.PositiveSmallIntegerField(_("place in the slot"))
    phone = models.CharField(_("phone"), max_length=20)
    email = models.EmailField(_("e-mail"), blank=True)
    lang = models.CharField(_("language"), max_length=5, default="ar")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    booked_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    ticket = models.OneToOneField(
        "queueing.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
    )

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["start", "seat"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "agency", "start", "seat"],
                name="appointment_place_unique",
                condition=Q(status__in=HOLDS_PLACE),
            ),
        ]
        indexes = [
            models.Index(fields=["center", "agency", "start"], name="appt_slot"),
            # Covers the slot search's count, so it reads the index only.
            models.Index(
                fields=["agency", "start_minute", "center", "status"], name="appt_agency_minute"
            ),
            models.Index(fields=["phone", "status"], name="appt_phone_status"),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.start_minute = minute_of(self.start)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "start" in update_fields:
            kwargs["update_fields"] = {*update_fields, "start_minute"}
        super().save(*args, **kwargs)


def minute_of(moment) -> int:
    return int(moment.timestamp()) // 60
