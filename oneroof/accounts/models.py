from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from oneroof.accounts.choices import Role
from oneroof.core.models import TimeStampedModel


class User(AbstractUser):
    """A person or a device that signs in. Citizens are identified by phone elsewhere."""

    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=[("ar", "العربية"), ("en", "English")],
        default="ar",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class RoleAssignment(TimeStampedModel):
    """One role of a user, scoped to an agency and/or a center where the role needs it.

    An employee bound to a center and two agencies has two rows.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        "catalog.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("agency"),
    )
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("center"),
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            # NULL scopes count as equal, so a role is never assigned twice (works on SQLite,
            # which lacks NULLS NOT DISTINCT).
            models.UniqueConstraint(
                F("user"),
                F("role"),
                Coalesce("agency", Value(0)),
                Coalesce("center", Value(0)),
                name="role_assignment_unique",
            ),
            models.CheckConstraint(
                name="role_agency_admin_has_agency",
                condition=~Q(role=Role.AGENCY_ADMIN) | Q(agency__isnull=False),
            ),
            models.CheckConstraint(
                name="role_supervisor_has_center",
                condition=~Q(role=Role.SUPERVISOR) | Q(center__isnull=False),
            ),
            models.CheckConstraint(
                name="role_employee_has_center_and_agency",
                condition=~Q(role=Role.EMPLOYEE)
                | (Q(center__isnull=False) & Q(agency__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        scope = " · ".join(str(x) for x in (self.agency, self.center) if x)
        return f"{self.user} — {self.get_role_display()}" + (f" ({scope})" if scope else "")


class ApiKey(TimeStampedModel):
    """A bearer key for a device or an integration. Only a hash of the secret is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class PhoneCode(models.Model):
    """A one-time code sent by SMS to prove a phone number (citizens have no password).
    Only a hash of the code is kept."""

    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=30)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            models.Index(fields=["phone", "purpose", "created_at"], name="phonecode_lookup"),
            models.Index(fields=["ip", "created_at"], name="phonecode_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.phone} ({self.purpose})"
