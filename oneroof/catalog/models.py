from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oneroof.catalog.choices import Channel, NoticeKind
from oneroof.core.models import TimeStampedModel

hex_color = RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("Enter a colour such as #1F6F5C."))


class AgencyQuerySet(models.QuerySet["Agency"]):
    def active(self) -> "AgencyQuerySet":
        return self.filter(is_active=True)


class Agency(TimeStampedModel):
    """A government body whose desks sit in the centers. `name` is translated (ar/en)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    color = models.CharField(_("colour"), max_length=7, default="#1F6F5C", validators=[hex_color])
    is_active = models.BooleanField(_("active"), default=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:agency", args=[self.slug])


class ServiceQuerySet(models.QuerySet["Service"]):
    def active(self) -> "ServiceQuerySet":
        return self.filter(is_active=True, agency__is_active=True)


class Service(TimeStampedModel):
    """A service an agency delivers. Texts are translated (ar/en)."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="services", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    eligibility = models.TextField(_("who may apply"), blank=True)
    fee = models.DecimalField(
        _("fee"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0 means the service is free."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="QAR")
    avg_service_minutes = models.PositiveSmallIntegerField(
        _("average service minutes"), default=10, validators=[MinValueValidator(1)]
    )
    channel_desk = models.BooleanField(_("at a desk"), default=True)
    channel_kiosk = models.BooleanField(_("at a self-service kiosk"), default=False)
    channel_online = models.BooleanField(_("online"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["agency_id", "pk"]
        constraints = [
            models.CheckConstraint(name="service_fee_not_negative", condition=Q(fee__gte=0)),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:service", args=[self.slug])

    @property
    def is_free(self) -> bool:
        return self.fee == 0

    @property
    def channels(self) -> list[str]:
        return [c for c in Channel.values if getattr(self, f"channel_{c}")]


class RequiredDocument(models.Model):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="documents", verbose_name=_("service")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("document"), max_length=300)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["service_id", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class ServiceStep(models.Model):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="steps", verbose_name=_("service")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("step"), max_length=500)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["service_id", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class FAQ(models.Model):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="faqs", verbose_name=_("service")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    question = models.CharField(_("question"), max_length=500)
    answer = models.TextField(_("answer"))

    class Meta:
        verbose_name = _("frequently asked question")
        verbose_name_plural = _("frequently asked questions")
        ordering = ["service_id", "position", "pk"]

    def __str__(self) -> str:
        return self.question


class Notice(TimeStampedModel):
    """A change staff must know of: shown to the staff of every center hosting the service."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="notices", verbose_name=_("service")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    text = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.service}: {self.get_kind_display()}"


class NoticeReceipt(models.Model):
    """That a member of staff has seen a notice (so it stops showing on every page)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_receipts"
    )
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="notice_receipt_unique")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} seen by {self.user_id}"
