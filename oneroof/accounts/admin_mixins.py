"""Admin screens decide access by OneRoof roles, not by Django's per-model permissions."""

from oneroof.accounts.permissions import is_system_admin


class SystemAdminOnly:
    """Only system administrators see and change this model in the admin."""

    def has_module_permission(self, request):
        return is_system_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_system_admin(request.user)

    def has_add_permission(self, request, *args):
        return is_system_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_system_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_system_admin(request.user)
