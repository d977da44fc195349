from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from oneroof.accounts.admin_mixins import SystemAdminOnly
from oneroof.accounts.choices import Role
from oneroof.accounts.permissions import center_ids, is_system_admin
from oneroof.queueing.actions import policy_update
from oneroof.queueing.models import CallingPolicy, Line, LineService, Ticket, TicketEvent


def _supervised(request) -> set[int] | None:
    """Centers the user supervises; None means every center (system admin)."""
    if is_system_admin(request.user):
        return None
    return center_ids(request.user, Role.SUPERVISOR)


class SupervisorScoped:
    """Supervisors see and change their own centers' rows; system admins all."""

    center_field = "center_id"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        centers = _supervised(request)
        return qs if centers is None else qs.filter(**{f"{self.center_field}__in": centers})

    def has_module_permission(self, request):
        centers = _supervised(request)
        return centers is None or bool(centers)

    def has_view_permission(self, request, obj=None):
        centers = _supervised(request)
        if centers is None:
            return True
        return bool(centers) and (obj is None or getattr(obj, self.center_field) in centers)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return is_system_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_system_admin(request.user)


@admin.register(CallingPolicy)
class CallingPolicyAdmin(SupervisorScoped, admin.ModelAdmin):
    """Each center's calling policy, edited by its supervisor; waiting visitors are re-ranked
    at once."""

    list_display = (
        "center",
        "kind",
        "priority_bonus_minutes",
        "appointment_bonus_minutes",
        "interleave_normal",
        "interleave_priority",
    )
    readonly_fields = ("center",)
    fields = (
        "center",
        "kind",
        "priority_bonus_minutes",
        "appointment_bonus_minutes",
        "interleave_normal",
        "interleave_priority",
        "requeue_window_minutes",
        "notify_at_position",
        "pause_alert_minutes",
    )

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        policy_update(
            center=obj.center,
            acting_user=request.user,
            **{name: form.cleaned_data[name] for name in form.changed_data},
        )


class LineServiceInline(admin.TabularInline):
    model = LineService
    extra = 0
    fields = ("service",)


@admin.register(Line)
class LineAdmin(SystemAdminOnly, TranslationAdmin):
    list_display = ("prefix", "name", "center", "agency", "target_wait_minutes", "is_active")
    list_filter = ("center", "agency")
    inlines = [LineServiceInline]

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            instance.center = form.instance.center
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "kind", "from_status", "to_status", "counter", "user", "reason")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(SupervisorScoped, admin.ModelAdmin):
    """Tickets are changed only through the counter console and the API; here they are read."""

    list_display = (
        "number",
        "center",
        "service",
        "status",
        "priority_class",
        "issued_at",
        "called_at",
        "counter",
    )
    list_filter = ("status", "priority_class", "center")
    date_hierarchy = "issued_at"
    search_fields = ("number", "public_id")
    inlines = [TicketEventInline]
    # The phone is personal: shown masked.
    readonly_fields = [*(f.name for f in Ticket._meta.fields if f.name != "phone"), "masked_phone"]
    exclude = ("phone",)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: Ticket) -> str:
        return f"…{obj.phone[-3:]}" if obj.phone else ""
