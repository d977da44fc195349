from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from oneroof.accounts.admin_mixins import SystemAdminOnly
from oneroof.feedback.models import SurveyAnswer, SurveyVersion


@admin.register(SurveyVersion)
class SurveyVersionAdmin(SystemAdminOnly, TranslationAdmin):
    """A new wording is a new version: answers keep the version they answered. Only one
    version is active at a time (a database constraint)."""

    list_display = ("number", "is_active", "created_at")

    def get_readonly_fields(self, request, obj=None):
        # A version that has answers keeps its wording; make a new version instead.
        if obj is not None and obj.answers.exists():
            return [f.name for f in SurveyVersion._meta.fields if f.name != "is_active"]
        return []


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = (
        "answered_at",
        "center",
        "service",
        "overall",
        "waiting",
        "courtesy",
        "one_visit",
    )
    list_filter = ("overall", "center")
    date_hierarchy = "answered_at"
    readonly_fields = [f.name for f in SurveyAnswer._meta.fields]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
