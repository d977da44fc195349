from django.contrib import admin

from oneroof.accounts.admin_mixins import SystemAdminOnly
from oneroof.transactions.models import AgencyHistoryPolicy, HistoryAccess, TransactionRecord
from oneroof.transactions.permissions import may_review_audit


@admin.register(AgencyHistoryPolicy)
class AgencyHistoryPolicyAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("agency", "sharing")


@admin.register(TransactionRecord)
class TransactionRecordAdmin(SystemAdminOnly, admin.ModelAdmin):
    """Records are written by the counters and the API; here they are read, personal fields
    masked."""

    list_display = ("ended_at", "service", "agency", "center", "outcome", "channel")
    list_filter = ("outcome", "channel", "agency")
    date_hierarchy = "ended_at"
    exclude = ("phone", "national_id")

    def get_readonly_fields(self, request, obj=None):
        return [
            f.name for f in TransactionRecord._meta.fields if f.name not in ("phone", "national_id")
        ] + ["masked_national_id"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HistoryAccess)
class HistoryAccessAdmin(admin.ModelAdmin):
    """The audit of every look at a visitor's history: read and exported, never edited."""

    list_display = ("at", "user", "phone", "reason", "records_shown")
    list_filter = ("at",)
    search_fields = ("phone", "user__username", "reason")
    readonly_fields = ("at", "user", "phone", "reason", "ticket", "records_shown", "ip")

    def has_module_permission(self, request):
        return may_review_audit(request.user)

    def has_view_permission(self, request, obj=None):
        return may_review_audit(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
