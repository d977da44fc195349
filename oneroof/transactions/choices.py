from django.db import models
from django.utils.translation import gettext_lazy as _

from oneroof.catalog.choices import Channel

# Where a service was delivered: the catalog's channels (desk, kiosk, online).
RecordChannel = Channel


class RecordOutcome(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    MISSING_DOCUMENTS = "missing_documents", _("Missing documents")
    REFERRED = "referred", _("Referred")
    CANCELLED = "cancelled", _("Cancelled")
    OTHER = "other", _("Other")


class HistorySharing(models.TextChoices):
    """How an agency's records appear to another agency's staff looking at a visitor."""

    SUMMARY = "summary", _("Date, agency and outcome only")
    HIDDEN = "hidden", _("Not shown")
    FULL = "full", _("In full")
