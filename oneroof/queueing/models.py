"""Lines, tickets and their events, counters' live state and the calling policy.

Race-prone rules are database constraints: a number never repeats within its line and day
(unique line/day/sequence, numbers drawn from a per-line-day counter row updated in one
statement), and a counter holds at most one visitor at a time (unique counter among called
or serving tickets). See docs/adr/0007-queue-numbers-and-calling.md."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oneroof.core.models import TimeStampedModel
from oneroof.queueing.choices import (
    ACTIVE_AT_COUNTER,
    CounterStatus,
    EventKind,
    IssueChannel,
    Outcome,
    PolicyKind,
    PriorityClass,
    PriorityReason,
    TicketStatus,
)

prefix_validator = RegexValidator(r"^[A-Z]{1,3}$", _("Use one to three capital letters."))


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


class Line(TimeStampedModel):
    """A center's queue for one service or a group of services joined into one line."""

    center = models.ForeignKey(
        "centers.Center", on_delete=models.CASCADE, related_name="lines", verbose_name=_("center")
    )
    prefix = models.CharField(_("prefix"), max_length=3, validators=[prefix_validator])
    name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="lines", verbose_name=_("agency")
    )
    services = models.ManyToManyField(
        "catalog.Service", through="LineService", related_name="lines", verbose_name=_("services")
    )
    target_wait_minutes = models.PositiveSmallIntegerField(_("target wait (minutes)"), default=20)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        ordering = ["center_id", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["center", "prefix"], name="line_prefix_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} · {self.name}"


class LineService(models.Model):
    """A service belongs to at most one line at a center."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="line_services")
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.CASCADE, related_name="line_services"
    )
    center = models.ForeignKey("centers.Center", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["center", "service"], name="line_service_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} in {self.line_id}"


class LineDay(models.Model):
    """The last number drawn in a line on one local business day."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="days")
    business_date = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "business_date"], name="line_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} {self.business_date}: {self.last_number}"


class CallingPolicy(TimeStampedModel):
    """How a center's counters choose the next visitor; edited by its supervisor."""

    center = models.OneToOneField(
        "centers.Center",
        on_delete=models.CASCADE,
        related_name="calling_policy",
        verbose_name=_("center"),
    )
    kind = models.CharField(
        _("policy"), max_length=12, choices=PolicyKind.choices, default=PolicyKind.WEIGHTED
    )
    appointment_bonus_minutes = models.PositiveSmallIntegerField(
        _("appointment head start (minutes)"), default=30, validators=[MaxValueValidator(600)]
    )
    priority_bonus_minutes = models.PositiveSmallIntegerField(
        _("priority head start (minutes)"), default=20, validators=[MaxValueValidator(600)]
    )
    interleave_normal = models.PositiveSmallIntegerField(
        _("normal visitors per cycle"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    interleave_priority = models.PositiveSmallIntegerField(
        _("priority visitors per cycle"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    requeue_window_minutes = models.PositiveSmallIntegerField(
        _("a no-show may come back within (minutes)"), default=30
    )
    notify_at_position = models.PositiveSmallIntegerField(
        _("send an SMS when this many people are ahead or fewer"),
        default=3,
        validators=[MaxValueValidator(50)],
    )
    pause_alert_minutes = models.PositiveSmallIntegerField(
        _("alert when a counter is on a break longer than (minutes)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )

    class Meta:
        verbose_name = _("calling policy")
        verbose_name_plural = _("calling policies")

    def __str__(self) -> str:
        return f"{self.center_id}: {self.get_kind_display()}"

    def bonus_minutes(self, priority_class: str) -> int:
        if priority_class == PriorityClass.APPOINTMENT:
            return self.appointment_bonus_minutes
        if priority_class == PriorityClass.PRIORITY:
            return self.priority_bonus_minutes
        return 0


class Ticket(models.Model):
    """A visitor's place in a line. `public_id` is the unguessable id used in links."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="tickets")
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="tickets")
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="tickets")
    business_date = models.DateField()
    # Drawn from LineDay on issue; a transferred visitor's new ticket keeps the number shown
    # to them and has no sequence of its own.
    sequence = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(max_length=12)
    priority_class = models.CharField(
        max_length=12, choices=PriorityClass.choices, default=PriorityClass.NORMAL
    )
    class_order = models.PositiveSmallIntegerField(default=2)
    priority_reason = models.CharField(max_length=12, choices=PriorityReason.choices, blank=True)
    status = models.CharField(
        max_length=12, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    channel = models.CharField(
        max_length=10, choices=IssueChannel.choices, default=IssueChannel.KIOSK
    )
    phone = models.CharField(max_length=20, blank=True)
    lang = models.CharField(max_length=5, default="ar")
    issued_at = models.DateTimeField()  # first arrival, kept across transfers
    queued_at = models.DateTimeField()  # the arrival the line orders by
    rank_at = models.DateTimeField()  # queued_at less the class's head start
    called_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    counter = models.ForeignKey(
        "centers.Counter", on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="served_tickets",
    )
    reserved_counter = models.ForeignKey(
        "centers.Counter", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_counter = models.ForeignKey(
        "centers.Counter", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    transferred_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="transferred_to"
    )
    recall_count = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    note = models.TextField(blank=True)
    position_notified = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["line", "business_date", "sequence"],
                name="ticket_number_unique",
                condition=Q(sequence__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["counter"],
                name="one_visitor_per_counter",
                condition=Q(status__in=ACTIVE_AT_COUNTER),
            ),
        ]
        indexes = [
            models.Index(fields=["line", "status", "rank_at"], name="ticket_line_rank"),
            models.Index(fields=["center", "status"], name="ticket_center_status"),
            models.Index(fields=["center", "business_date"], name="ticket_center_day"),
        ]

    def __str__(self) -> str:
        return self.number


class TicketEvent(models.Model):
    """Every change of a ticket, so times are sums of intervals and nothing is lost."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    counter = models.ForeignKey(
        "centers.Counter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_ticket_at")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class CounterState(TimeStampedModel):
    """What a counter is doing now: who opened it, for which lines, and whether it is open."""

    counter = models.OneToOneField(
        "centers.Counter", on_delete=models.CASCADE, related_name="state"
    )
    status = models.CharField(
        max_length=8, choices=CounterStatus.choices, default=CounterStatus.CLOSED
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="counter_states",
    )
    lines = models.ManyToManyField(Line, blank=True, related_name="counter_states")
    since = models.DateTimeField(null=True, blank=True)
    cycle_position = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.counter_id}: {self.status}"


class CounterEvent(models.Model):
    """Opening, pausing and closing a counter: idle and pause time are sums of these."""

    counter = models.ForeignKey(
        "centers.Counter", on_delete=models.CASCADE, related_name="state_events"
    )
    at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=CounterStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    line_ids = models.JSONField(default=list)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.counter_id} {self.status} at {self.at}"
