from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from oneroof.accounts.admin_mixins import SystemAdminOnly
from oneroof.knowledge import actions, index
from oneroof.knowledge.models import Article, ArticleVersion, EditProposal, Synonym
from oneroof.knowledge.permissions import articles_for_edit, can_edit_article


@admin.register(Synonym)
class SynonymAdmin(SystemAdminOnly, admin.ModelAdmin):
    """Words people use for the same thing; every save refreshes the search index."""

    list_display = ("terms", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("terms",)

    def save_model(self, request, obj, form, change):
        actions.synonym_save(synonym=obj, acting_user=request.user, terms=obj.terms)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        index.bump_version()


@admin.register(Article)
class ArticleAdmin(TranslationAdmin):
    """A read-only list for finding articles; editing goes through the staff pages, which
    keep a version of every change."""

    list_display = ("title", "kind", "agency", "version", "is_published", "updated_at")
    list_filter = ("kind", "is_published", "agency")
    search_fields = ("title_ar", "title_en", "slug")

    def get_queryset(self, request):
        return articles_for_edit(request.user).select_related("agency")

    def has_module_permission(self, request):
        return articles_for_edit(request.user).exists()

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or can_edit_article(request.user, obj)
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ArticleVersion, EditProposal)
class HistoryAdmin(SystemAdminOnly, admin.ModelAdmin):
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
