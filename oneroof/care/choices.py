from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseKind(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")


class CaseChannel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    SURVEY = "survey", _("Survey")
    SOCIAL = "social", _("Social media")


class CaseStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("case status", "New")
    OPEN = "open", pgettext_lazy("case status", "Open")
    WAITING = "waiting_on_citizen", _("Waiting on the citizen")
    RESOLVED = "resolved", pgettext_lazy("case status", "Resolved")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


# A person still has to act on these; the SLA clock runs for NEW and OPEN only.
ACTIVE_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.WAITING)
CLOCK_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN)


class CasePriority(models.TextChoices):
    LOW = "low", pgettext_lazy("priority", "Low")
    NORMAL = "normal", pgettext_lazy("priority", "Normal")
    HIGH = "high", pgettext_lazy("priority", "High")
    URGENT = "urgent", pgettext_lazy("priority", "Urgent")


PRIORITY_ORDER = [CasePriority.LOW, CasePriority.NORMAL, CasePriority.HIGH, CasePriority.URGENT]


class SlaState(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    DUE_SOON = "due_soon", _("Due soon")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused (waiting on the citizen)")
    DONE = "done", pgettext_lazy("SLA state", "Done")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("From the citizen")
    OUTBOUND = "outbound", _("To the citizen")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class PublicNoticeKind(models.TextChoices):
    CLOSURE = "closure", _("Closure")
    REQUIREMENTS = "requirements", _("Changed requirements")
    NEW_SERVICE = "new_service", _("New service")
    GENERAL = "general", _("General")
