from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from oneroof.care.choices import (
    CaseChannel,
    CaseKind,
    CasePriority,
    CaseStatus,
    Direction,
    PublicNoticeKind,
    Sentiment,
)
from oneroof.core.models import TimeStampedModel


class SlaPolicy(models.Model):
    """How fast a case of one kind and priority must get its first answer and be resolved.

    Rules of the organisation are data: administrators edit these rows. A kind and priority
    with no row uses `care.sla.DEFAULT_HOURS`."""

    kind = models.CharField(_("kind"), max_length=12, choices=CaseKind.choices)
    priority = models.CharField(_("priority"), max_length=8, choices=CasePriority.choices)
    first_response_hours = models.PositiveIntegerField(
        _("first answer within (hours)"), validators=[MinValueValidator(1)]
    )
    resolution_hours = models.PositiveIntegerField(
        _("resolved within (hours)"), validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["kind", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "priority"], name="sla_policy_unique"),
            models.CheckConstraint(
                name="sla_policy_answer_before_resolution",
                condition=Q(first_response_hours__lte=F("resolution_hours")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_priority_display()}"


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CaseQuerySet(models.QuerySet["Case"]):
    def active(self) -> "CaseQuerySet":
        from oneroof.care.choices import ACTIVE_STATUSES

        return self.filter(status__in=ACTIVE_STATUSES)


class Case(TimeStampedModel):
    """An inquiry, complaint or suggestion from any channel, with its owner and SLA."""

    kind = models.CharField(_("kind"), max_length=12, choices=CaseKind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=CaseChannel.choices)
    lang = models.CharField(_("language"), max_length=5, default="ar")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    # The citizen: any of these may be empty (a portal visitor may leave no contact).
    citizen_name = models.CharField(_("name"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    social_network = models.CharField(_("social network"), max_length=30, blank=True)
    social_handle = models.CharField(_("social handle"), max_length=120, blank=True)
    # Guessed from the text by knowledge search; an agent corrects them.
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    agency = models.ForeignKey(
        "catalog.Agency",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("center"),
    )
    guess_score = models.FloatField(_("guess score"), null=True, blank=True)
    routing_corrected = models.BooleanField(_("routing corrected by staff"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=CasePriority.choices, default=CasePriority.NORMAL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="cases", verbose_name=_("tags"))
    # The SLA clock. Paused while waiting on the citizen: on resuming, the targets move on
    # by the time spent waiting.
    respond_by = models.DateTimeField(_("first answer due"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    warn_at = models.DateTimeField(_("due soon from"))
    paused_at = models.DateTimeField(_("clock paused at"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("SLA breach flagged at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalated to"),
    )
    auto_answered = models.BooleanField(_("answered automatically"), default=False)
    auto_score = models.FloatField(_("automatic answer score"), null=True, blank=True)
    answer_helpful = models.BooleanField(_("the citizen found the answer helpful"), null=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_cases",
        verbose_name=_("merged into"),
    )
    # The id of what the case came from (an e-mail's Message-ID, a post, a survey answer),
    # so a webhook or poller that delivers twice opens one case.
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source_ref"],
                condition=~Q(source_ref=""),
                name="case_source_unique",
            ),
            models.CheckConstraint(
                name="case_not_merged_into_itself", condition=~Q(merged_into=F("pk"))
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "due_at"], name="case_agency_status_due"),
            models.Index(fields=["status", "due_at"], name="case_status_due"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def reference(self) -> str:
        return f"#{self.pk}"

    @property
    def is_active(self) -> bool:
        from oneroof.care.choices import ACTIVE_STATUSES

        return self.status in ACTIVE_STATUSES

    @property
    def contact(self) -> str:
        if self.social_handle:
            return f"{self.social_network}: {self.social_handle}"
        return self.phone or self.email or ""


class Message(models.Model):
    """One message of a case's conversation with the citizen."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="messages", verbose_name=_("case")
    )
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=CaseChannel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
        help_text=_("The agent who answered; empty for the citizen and for automatic replies."),
    )
    text = models.TextField(_("text"))
    is_auto = models.BooleanField(_("automatic"), default=False)
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    outbound = models.ForeignKey(
        "notify.OutboundMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent as"),
    )
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.direction} {self.at:%Y-%m-%d %H:%M}"


class InternalNote(TimeStampedModel):
    """A note between staff; the citizen never sees it. System notes record what happened
    (escalated, merged, SLA breached)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="notes", verbose_name=_("case")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("text"))
    is_system = models.BooleanField(_("recorded by the system"), default=False)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"note on {self.case_id}"


class AutoReplyLog(TimeStampedModel):
    """Every new inquiry's best knowledge match, whether it was answered automatically or
    not, and whether the citizen later said the answer did not help: the data the answer
    threshold is tuned from."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="auto_replies", verbose_name=_("case")
    )
    query = models.TextField(_("query"))
    lang = models.CharField(_("language"), max_length=5)
    article_id = models.PositiveIntegerField(_("article"), null=True, blank=True)
    article_title = models.CharField(_("article title"), max_length=200, blank=True)
    article_url = models.CharField(_("article link"), max_length=300, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    threshold = models.FloatField(_("threshold"))
    replied = models.BooleanField(_("replied automatically"), default=False)
    helpful_at = models.DateTimeField(_("marked helpful at"), null=True, blank=True)
    not_helpful_at = models.DateTimeField(_("marked not helpful at"), null=True, blank=True)

    class Meta:
        verbose_name = _("automatic reply log")
        verbose_name_plural = _("automatic reply logs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.score}"


class MonitoredPost(TimeStampedModel):
    """A public mention of the centers or an agency on a social network, with its sentiment."""

    network = models.CharField(_("network"), max_length=30)
    external_id = models.CharField(_("post id"), max_length=200)
    author_handle = models.CharField(_("author"), max_length=120)
    text = models.TextField(_("text"))
    url = models.URLField(_("link"), max_length=500, blank=True)
    lang = models.CharField(_("language"), max_length=5, default="ar")
    posted_at = models.DateTimeField(_("posted at"), db_index=True)
    sentiment = models.CharField(_("sentiment"), max_length=8, choices=Sentiment.choices)
    sentiment_score = models.FloatField(_("sentiment score"))
    agency = models.ForeignKey(
        "catalog.Agency",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("case"),
    )

    class Meta:
        verbose_name = _("monitored post")
        verbose_name_plural = _("monitored posts")
        ordering = ["-posted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["network", "external_id"], name="monitored_post_unique")
        ]

    def __str__(self) -> str:
        return f"{self.network} {self.author_handle}"


class PublicNotice(TimeStampedModel):
    """A notice for the public (a closure, changed requirements, a new service), published to
    the portal, the display boards' ticker and SMS subscribers. A staff notice of the catalog
    (`catalog.Notice`) may be its source."""

    kind = models.CharField(_("kind"), max_length=14, choices=PublicNoticeKind.choices)
    title_ar = models.CharField(_("title (Arabic)"), max_length=160)
    title_en = models.CharField(_("title (English)"), max_length=160, blank=True)
    body_ar = models.TextField(_("text (Arabic)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    agency = models.ForeignKey(
        "catalog.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("center"),
        help_text=_("Empty: every center."),
    )
    source_notice = models.ForeignKey(
        "catalog.Notice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff notice"),
    )
    starts_at = models.DateTimeField(_("shown from"))
    ends_at = models.DateTimeField(_("shown until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    sms_sent = models.PositiveIntegerField(_("SMS sent"), default=0)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="public_notice_ends_after_start",
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
            )
        ]

    def __str__(self) -> str:
        return self.title_ar

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" and self.title_en else self.title_ar

    @property
    def body(self) -> str:
        return self.body_en if get_language() == "en" and self.body_en else self.body_ar


class NoticeSubscription(TimeStampedModel):
    """A phone that receives public notices by SMS (all, or one agency's, or one center's).
    It counts only once confirmed from the link sent to it."""

    phone = models.CharField(_("phone"), max_length=20)
    lang = models.CharField(_("language"), max_length=5, default="ar")
    agency = models.ForeignKey(
        "catalog.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("center"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice subscription")
        verbose_name_plural = _("notice subscriptions")
        constraints = [
            models.UniqueConstraint(
                F("phone"),
                Coalesce("agency", Value(0)),
                Coalesce("center", Value(0)),
                name="notice_subscription_unique",
            )
        ]

    def __str__(self) -> str:
        return self.phone

    @property
    def is_live(self) -> bool:
        return self.confirmed_at is not None and self.cancelled_at is None
