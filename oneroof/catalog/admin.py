from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from oneroof.accounts.admin_mixins import SystemAdminOnly
from oneroof.accounts.permissions import is_system_admin
from oneroof.catalog.actions import notice_record_requirement_changes, requirements_of
from oneroof.catalog.models import FAQ, Agency, Notice, RequiredDocument, Service, ServiceStep
from oneroof.catalog.permissions import agencies_for_edit, can_edit_service, services_for_edit


@admin.register(Agency)
class AgencyAdmin(SystemAdminOnly, TranslationAdmin):
    list_display = ("name", "slug", "is_active")
    search_fields = ("name_ar", "name_en", "slug")


class DocumentInline(TranslationTabularInline):
    model = RequiredDocument
    extra = 0


class StepInline(TranslationTabularInline):
    model = ServiceStep
    extra = 0


class FAQInline(TranslationTabularInline):
    model = FAQ
    extra = 0


@admin.register(Service)
class ServiceAdmin(TranslationAdmin):
    """Agency admins edit only their agency's services; a change of required documents or fee
    records a notice that the staff of every hosting center see."""

    list_display = ("name", "agency", "fee", "avg_service_minutes", "is_active")
    list_filter = ("agency",)
    search_fields = ("name_ar", "name_en", "slug")
    inlines = [DocumentInline, StepInline, FAQInline]

    def get_queryset(self, request):
        return services_for_edit(request.user).select_related("agency")

    def _may_edit(self, request) -> bool:
        return agencies_for_edit(request.user).exists()

    def has_module_permission(self, request):
        return self._may_edit(request)

    def has_view_permission(self, request, obj=None):
        return self._may_edit(request) and (obj is None or can_edit_service(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._may_edit(request)

    def has_delete_permission(self, request, obj=None):
        # Services are deactivated, not deleted: transactions will refer to them.
        return is_system_admin(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            kwargs["queryset"] = agencies_for_edit(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            request._requirements_before = requirements_of(Service.objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_requirements_before", None)
        if before is not None:
            notice_record_requirement_changes(
                service=form.instance, before=before, acting_user=request.user
            )


@admin.register(Notice)
class NoticeAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("service", "kind", "created_at", "created_by")
    list_filter = ("kind",)
    readonly_fields = ("service", "kind", "text_ar", "text_en", "created_by", "created_at")
    fields = readonly_fields

    def has_add_permission(self, request, *args):
        return False
