from django.db import models
from django.utils.translation import gettext_lazy as _


class PriorityClass(models.TextChoices):
    APPOINTMENT = "appointment", _("Appointment")
    PRIORITY = "priority", _("Priority")
    NORMAL = "normal", _("Normal")


# Lower is served first under strict priority.
CLASS_ORDER = {PriorityClass.APPOINTMENT: 0, PriorityClass.PRIORITY: 1, PriorityClass.NORMAL: 2}


class PriorityReason(models.TextChoices):
    ELDERLY = "elderly", _("Elderly")
    DISABILITY = "disability", _("Person with a disability")
    PREGNANCY = "pregnancy", _("Pregnancy")
    OTHER = "other", _("Other")


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    DONE = "done", _("Done")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", _("Cancelled")
    PARKED = "parked", _("On hold")
    TRANSFERRED = "transferred", _("Transferred")


ACTIVE_AT_COUNTER = (TicketStatus.CALLED, TicketStatus.SERVING)
FINISHED = (
    TicketStatus.DONE,
    TicketStatus.NO_SHOW,
    TicketStatus.CANCELLED,
    TicketStatus.TRANSFERRED,
)


class Outcome(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    MISSING_DOCUMENTS = "missing_documents", _("Missing documents")
    REFERRED = "referred", _("Referred")
    OTHER = "other", _("Other")


class IssueChannel(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk")
    WEB = "web", _("Web")
    PHONE = "phone", _("Phone")
    DESK = "desk", _("At a desk")
    TRANSFER = "transfer", _("Transfer")


class PolicyKind(models.TextChoices):
    STRICT = "strict", _("Strict priority")
    WEIGHTED = "weighted", _("Weighted ageing")
    INTERLEAVE = "interleave", _("Interleaving (N normal : M priority)")


class CounterStatus(models.TextChoices):
    CLOSED = "closed", _("Closed")
    OPEN = "open", _("Open")
    PAUSED = "paused", _("On a break")


class EventKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    CALLED = "called", _("Called")
    CALLED_OUT_OF_ORDER = "called_out_of_order", _("Called out of order")
    RECALLED = "recalled", _("Called again")
    STARTED = "started", _("Service started")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("Did not come")
    REQUEUED = "requeued", _("Back in the queue")
    PARKED = "parked", _("Put on hold")
    RESUMED = "resumed", _("Resumed")
    TRANSFERRED = "transferred", _("Transferred")
    CANCELLED = "cancelled", _("Cancelled")
