from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    DESK = "desk", _("Service desk")
    KIOSK = "kiosk", _("Self-service kiosk")
    ONLINE = "online", _("Online")


class NoticeKind(models.TextChoices):
    REQUIREMENTS_CHANGED = "requirements", _("Required documents changed")
    FEE_CHANGED = "fee", _("Fee changed")
    SERVICE_CHANGED = "service", _("Service changed")
