from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from oneroof.accounts.admin_mixins import SystemAdminOnly
from oneroof.accounts.models import ApiKey, RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ()
    fields = ("role", "agency", "center")


@admin.register(User)
class UserAdmin(SystemAdminOnly, BaseUserAdmin):
    inlines = [RoleInline]
    list_display = ("username", "first_name", "last_name", "is_active", "roles_summary")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Language"), {"fields": ("preferred_language",)}))

    @admin.display(description=_("roles"))
    def roles_summary(self, obj: User) -> str:
        return ", ".join(sorted({r.get_role_display() for r in obj.roles.all()}))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        # Staff with a role reach the administration screens, scoped there by that role.
        if not user.is_staff and user.roles.exclude(role="device").exists():
            user.is_staff = True
            user.save(update_fields=["is_staff"])


@admin.register(ApiKey)
class ApiKeyAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "user", "created_at", "last_used_at")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request, *args):
        return False  # keys are created with `oneroof create_api_key` so the secret is shown once

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        from oneroof.accounts.actions import api_key_revoke

        for key in queryset:
            api_key_revoke(key=key)
