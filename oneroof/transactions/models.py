"""Records of services delivered, and the audit of every look at a visitor's history.

Personal fields (phone, national ID) are erased after the retention period; the record
stays, anonymous, for statistics."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from oneroof.core.models import TimeStampedModel
from oneroof.transactions.choices import HistorySharing, RecordChannel, RecordOutcome


class AgencyHistoryPolicy(models.Model):
    """What other agencies' staff see of this agency's records (its own staff see all)."""

    agency = models.OneToOneField(
        "catalog.Agency",
        on_delete=models.CASCADE,
        related_name="history_policy",
        verbose_name=_("agency"),
    )
    sharing = models.CharField(
        _("shown to other agencies"),
        max_length=10,
        choices=HistorySharing.choices,
        default=HistorySharing.SUMMARY,
    )

    class Meta:
        verbose_name = _("history sharing")
        verbose_name_plural = _("history sharing")

    def __str__(self) -> str:
        return f"{self.agency}: {self.sharing}"


class TransactionRecord(TimeStampedModel):
    """One service delivered: who, what, where, when, and how it ended."""

    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("service"),
    )
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.PROTECT, related_name="records", verbose_name=_("agency")
    )
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("center"),
    )
    counter = models.ForeignKey(
        "centers.Counter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("counter"),
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("employee"),
    )
    ticket = models.OneToOneField(
        "queueing.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="record"
    )
    appointment = models.ForeignKey(
        "appointments.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=RecordChannel.choices, default=RecordChannel.DESK
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    national_id = models.CharField(_("national ID"), max_length=30, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), db_index=True)
    wait_seconds = models.PositiveIntegerField(_("wait (seconds)"), null=True, blank=True)
    handling_seconds = models.PositiveIntegerField(_("handling (seconds)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=RecordOutcome.choices)
    missing_documents = models.JSONField(_("missing documents"), default=list, blank=True)
    referred_to = models.ForeignKey(
        "catalog.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referred to"),
    )
    fee_charged = models.DecimalField(_("fee charged"), max_digits=10, decimal_places=2, default=0)
    notes = models.TextField(_("notes"), blank=True)
    source = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    idempotency_key = models.CharField(max_length=100, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["-ended_at", "-pk"]
        constraints = [
            # A retry of the same client request never creates a second record.
            models.UniqueConstraint(
                fields=["source", "idempotency_key"],
                name="record_idempotency_unique",
                condition=~models.Q(idempotency_key=""),
            ),
        ]
        indexes = [
            models.Index(fields=["phone", "-ended_at"], name="record_phone_ended"),
            models.Index(fields=["center", "ended_at"], name="record_center_ended"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} at {self.ended_at:%Y-%m-%d %H:%M}"

    @property
    def masked_national_id(self) -> str:
        nid = self.national_id
        return f"{'•' * max(len(nid) - 3, 0)}{nid[-3:]}" if nid else ""


class HistoryAccess(models.Model):
    """Who looked at which visitor's history, when and why. Append-only. No user means the
    visitors themselves, after proving the phone with a one-time code."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="history_accesses",
        verbose_name=_("user"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    reason = models.CharField(_("reason"), max_length=300)
    ticket = models.ForeignKey(
        "queueing.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket"),
    )
    records_shown = models.PositiveIntegerField(_("records shown"), default=0)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("history access")
        verbose_name_plural = _("history accesses")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id or 'visitor'} → {self.phone} at {self.at}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("history access entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("history access entries cannot be deleted")
