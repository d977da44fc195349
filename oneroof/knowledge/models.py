from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oneroof.catalog.models import Agency, Service
from oneroof.core.models import TimeStampedModel
from oneroof.knowledge.choices import ArticleKind, ProposalStatus

# The texts an article carries in both languages; versions and proposals copy them.
ARTICLE_TEXT_FIELDS = (
    "title_ar",
    "title_en",
    "short_answer_ar",
    "short_answer_en",
    "body_ar",
    "body_en",
    "notes_ar",
    "notes_en",
)


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> "ArticleQuerySet":
        return self.filter(is_published=True).filter(
            Q(service__isnull=True) | Q(service__is_active=True, service__agency__is_active=True)
        )


class Article(TimeStampedModel):
    """A knowledge-base article. Texts are translated (ar/en).

    A service article is generated from the catalog and kept in step with it: its `body`
    is rewritten by `article_sync_for_service`; people edit its title, short answer and
    notes. A free article (how to book, center rules, closures) is written by people.
    """

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ArticleKind.choices)
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("service"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("agency"),
        help_text=_("Empty for articles about every center."),
    )
    title = models.CharField(_("title"), max_length=200)
    short_answer = models.TextField(
        _("short answer"), help_text=_("One or two sentences, sent as an automatic reply.")
    )
    body = models.TextField(_("body"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    edited_by_staff = models.BooleanField(
        _("edited by staff"),
        default=False,
        help_text=_("Title and short answer were changed by a person; the catalog keeps them."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(kind="service"),
                name="article_one_per_service",
            ),
            models.CheckConstraint(
                name="article_service_kind_has_service",
                condition=~Q(kind="service") | Q(service__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article", args=[self.slug])


class ArticleVersion(models.Model):
    """The texts of an article as they were after one change; the newest is the current."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="versions", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(_("version"))
    title_ar = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    short_answer_ar = models.TextField()
    short_answer_en = models.TextField(blank=True)
    body_ar = models.TextField(blank=True)
    body_en = models.TextField(blank=True)
    notes_ar = models.TextField(blank=True)
    notes_en = models.TextField(blank=True)
    is_published = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
        help_text=_("Empty when the catalog changed the article."),
    )
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class EditProposal(TimeStampedModel):
    """A change to an article proposed by a member of staff (a care agent, an employee) and
    accepted or rejected by someone who may edit the article."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("article")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    based_on_version = models.PositiveIntegerField(_("based on version"))
    title_ar = models.CharField(_("title (Arabic)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    short_answer_ar = models.TextField(_("short answer (Arabic)"))
    short_answer_en = models.TextField(_("short answer (English)"), blank=True)
    body_ar = models.TextField(_("body (Arabic)"), blank=True)
    body_en = models.TextField(_("body (English)"), blank=True)
    notes_ar = models.TextField(_("notes (Arabic)"), blank=True)
    notes_en = models.TextField(_("notes (English)"), blank=True)
    comment = models.TextField(_("why"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposed edit")
        verbose_name_plural = _("proposed edits")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.article}: {self.get_status_display()}"


class Synonym(TimeStampedModel):
    """Words people use for the same thing: Gulf colloquial and standard Arabic, English.

    `terms` lists the words or phrases of one group separated by commas; a query that holds
    any of them is searched as if it held all of them."""

    terms = models.TextField(
        _("words"), help_text=_("Words or phrases that mean the same, separated by commas.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.terms[:80]

    @property
    def term_list(self) -> list[str]:
        return [t.strip() for t in self.terms.replace("،", ",").split(",") if t.strip()]
