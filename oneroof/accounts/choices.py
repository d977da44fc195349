from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    SUPERVISOR = "supervisor", _("Center supervisor")
    EMPLOYEE = "employee", _("Service employee")
    EVALUATOR = "evaluator", _("Evaluator")
    DECISION_MAKER = "decision_maker", _("Decision maker")
    DEVICE = "device", _("Device (kiosk or display)")


# What each role must be scoped to: (needs an agency, needs a center).
ROLE_SCOPE: dict[str, tuple[bool, bool]] = {
    Role.SYSTEM_ADMIN: (False, False),
    Role.AGENCY_ADMIN: (True, False),
    Role.SUPERVISOR: (False, True),
    Role.EMPLOYEE: (True, True),
    Role.EVALUATOR: (False, False),
    Role.DECISION_MAKER: (False, False),
    Role.DEVICE: (False, True),
}
