"""The short survey after a service: versioned questions, one invitation per transaction
(at most one a day per phone), and answers that keep the version they answered."""

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oneroof.core.models import TimeStampedModel

score = [MinValueValidator(1), MaxValueValidator(5)]


def new_token() -> str:
    return secrets.token_urlsafe(18)


class SurveyVersion(TimeStampedModel):
    """The wording of the survey. Exactly one version is active; answers keep theirs."""

    number = models.PositiveSmallIntegerField(_("version"), unique=True)
    is_active = models.BooleanField(_("active"), default=False)
    q_overall = models.CharField(_("overall question"), max_length=200)
    q_waiting = models.CharField(_("question on waiting"), max_length=200)
    q_courtesy = models.CharField(_("question on courtesy"), max_length=200)
    q_one_visit = models.CharField(_("question on finishing in one visit"), max_length=200)

    class Meta:
        verbose_name = _("survey version")
        verbose_name_plural = _("survey versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_survey_version"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class SurveyInvite(models.Model):
    """An invitation to answer about one service delivered. The link works once, for a
    week, and needs no sign-in."""

    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    record = models.OneToOneField(
        "transactions.TransactionRecord", on_delete=models.CASCADE, related_name="survey_invite"
    )
    phone = models.CharField(max_length=20, db_index=True)
    lang = models.CharField(max_length=5, default="ar")
    created_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")

    def __str__(self) -> str:
        return f"survey for record {self.record_id}"


class SurveyAnswer(models.Model):
    invite = models.OneToOneField(SurveyInvite, on_delete=models.CASCADE, related_name="answer")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="answers")
    # Copied from the record so indices group without joins.
    center = models.ForeignKey(
        "centers.Center", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    employee = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    overall = models.PositiveSmallIntegerField(_("overall"), validators=score)
    waiting = models.PositiveSmallIntegerField(_("waiting"), validators=score)
    courtesy = models.PositiveSmallIntegerField(_("courtesy"), validators=score)
    one_visit = models.BooleanField(_("finished in one visit"))
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.CheckConstraint(
                name="answer_scores_1_to_5",
                condition=(
                    Q(overall__gte=1, overall__lte=5)
                    & Q(waiting__gte=1, waiting__lte=5)
                    & Q(courtesy__gte=1, courtesy__lte=5)
                ),
            ),
        ]
        indexes = [
            # With the score in the index, a center's satisfaction index over a period reads
            # the index only, never the table's rows (docs/benchmarks.md).
            models.Index(
                fields=["center", "answered_at", "overall"], name="answer_center_at_overall"
            )
        ]

    def __str__(self) -> str:
        return f"{self.overall}/5"

    @property
    def is_complaint(self) -> bool:
        """A low score with a comment is listed for supervisors (and becomes a care case
        once the care inbox exists)."""
        return self.overall <= 2 and bool(self.comment.strip())
