"""The slot-rule editor and a read-only view of appointments. Access follows OneRoof roles
(`appointments.permissions`): supervisors edit the rules of their centers, agency admins
those of their agency, system admins all; appointments are read only, phone masked."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from oneroof.appointments.models import Appointment, SlotRule
from oneroof.appointments.permissions import (
    agencies_for_slot_rules,
    appointments_for_view,
    centers_for_slot_rules,
    mask_phone,
    may_edit_slot_rule_at,
    may_edit_slot_rules,
    slot_rules_for_edit,
)
from oneroof.catalog.models import Service


@admin.register(SlotRule)
class SlotRuleAdmin(admin.ModelAdmin):
    list_display = (
        "center",
        "agency",
        "service",
        "slot_minutes",
        "capacity",
        "window_days",
        "is_active",
    )
    list_filter = ("is_active", "center", "agency")
    list_select_related = ("center", "agency", "service")
    fieldsets = (
        (None, {"fields": ("center", "agency", "service", "is_active")}),
        (_("Slots"), {"fields": ("slot_minutes", "capacity", "window_days", "min_notice_minutes")}),
        (
            _("Visitors"),
            {
                "fields": (
                    "max_active_per_phone",
                    "cancel_deadline_minutes",
                    "early_minutes",
                    "late_minutes",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return slot_rules_for_edit(request.user).select_related("center", "agency", "service")

    def has_module_permission(self, request):
        return may_edit_slot_rules(request.user)

    def has_view_permission(self, request, obj=None):
        return may_edit_slot_rules(request.user) and (
            obj is None or may_edit_slot_rule_at(request.user, obj.center_id, obj.agency_id)
        )

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return may_edit_slot_rules(request.user)

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "center":
            kwargs["queryset"] = centers_for_slot_rules(request.user)
        elif db_field.name == "agency":
            kwargs["queryset"] = agencies_for_slot_rules(request.user)
        elif db_field.name == "service":
            kwargs["queryset"] = Service.objects.filter(
                agency__in=agencies_for_slot_rules(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        base = super().get_form(request, obj, **kwargs)
        user = request.user

        class ScopedForm(base):
            def clean(self):
                data = super().clean()
                center, agency, service = (
                    data.get("center"),
                    data.get("agency"),
                    data.get("service"),
                )
                if center and agency and not may_edit_slot_rule_at(user, center.pk, agency.pk):
                    raise forms.ValidationError(
                        _("You may set the rules of your own centers or agency only.")
                    )
                if service and agency and service.agency_id != agency.pk:
                    raise forms.ValidationError(_("This service belongs to another agency."))
                return data

        return ScopedForm


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("code", "start", "center", "agency", "service", "masked_phone", "status")
    list_filter = ("status", "center", "agency")
    list_select_related = ("center", "agency", "service")
    search_fields = ("code",)
    date_hierarchy = "start"
    fields = (
        "code",
        "status",
        "center",
        "agency",
        "service",
        "start",
        "end",
        "seat",
        "masked_phone",
        "lang",
        "booked_by",
        "checked_in_at",
        "ticket",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: Appointment) -> str:
        return mask_phone(obj.phone)

    def get_queryset(self, request):
        return appointments_for_view(request.user)

    def has_module_permission(self, request):
        return may_edit_slot_rules(request.user)

    def has_view_permission(self, request, obj=None):
        if not may_edit_slot_rules(request.user):
            return False
        return obj is None or appointments_for_view(request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
