from django.contrib import admin

from oneroof.accounts.admin_mixins import SystemAdminOnly
from oneroof.care.models import (
    AutoReplyLog,
    Case,
    MonitoredPost,
    NoticeSubscription,
    PublicNotice,
    SlaPolicy,
    Tag,
)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(SystemAdminOnly, admin.ModelAdmin):
    """How fast each kind and priority of case must be answered and resolved. New cases use
    the new targets; open cases keep theirs."""

    list_display = ("kind", "priority", "first_response_hours", "resolution_hours")
    list_editable = ("first_response_hours", "resolution_hours")
    list_filter = ("kind",)


@admin.register(Tag)
class TagAdmin(SystemAdminOnly, admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Case)
class CaseAdmin(SystemAdminOnly, admin.ModelAdmin):
    """Read-only here: agents work on cases in the inbox (/staff/care/), where every change
    goes through the care actions."""

    list_display = ("pk", "kind", "channel", "status", "agency", "owner", "due_at", "created_at")
    list_filter = ("status", "kind", "channel", "agency")
    search_fields = ("subject", "phone", "email", "social_handle")
    date_hierarchy = "created_at"

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AutoReplyLog)
class AutoReplyLogAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("created_at", "case", "score", "replied", "article_title", "not_helpful_at")
    list_filter = ("replied",)
    readonly_fields = [f.name for f in AutoReplyLog._meta.fields]

    def has_add_permission(self, request, *args):
        return False


@admin.register(MonitoredPost)
class MonitoredPostAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("posted_at", "network", "author_handle", "sentiment", "agency", "case")
    list_filter = ("network", "sentiment")


@admin.register(PublicNotice)
class PublicNoticeAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("title_ar", "kind", "agency", "center", "starts_at", "published_at")
    list_filter = ("kind",)
    readonly_fields = ("published_at", "withdrawn_at", "sms_sent")


@admin.register(NoticeSubscription)
class NoticeSubscriptionAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("phone", "agency", "center", "confirmed_at", "cancelled_at")
    search_fields = ("phone",)
