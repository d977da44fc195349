from django.db import models
from django.utils.translation import gettext_lazy as _

from oneroof.core.models import TimeStampedModel


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundMessage(TimeStampedModel):
    """Every SMS (and later e-mail or push) OneRoof sends, with what became of it."""

    channel = models.CharField(_("channel"), max_length=10, default="sms")
    to = models.CharField(_("to"), max_length=120)
    text = models.TextField(_("text"))
    lang = models.CharField(_("language"), max_length=5, default="ar")
    purpose = models.CharField(_("purpose"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["to", "created_at"], name="outbound_to_created")]

    def __str__(self) -> str:
        return f"{self.channel} to {self.to}: {self.purpose}"
