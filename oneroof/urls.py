from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from oneroof.api.api import api
from oneroof.catalog import views as catalog_views
from oneroof.core import views as core_views

admin.site.site_header = "OneRoof"
admin.site.site_title = "OneRoof"

urlpatterns = [
    path("api/v1/", api.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("prefs/", core_views.preferences, name="preferences"),
    path("agency-colors.css", catalog_views.agency_colors_css, name="agency-colors"),
]
urlpatterns += i18n_patterns(
    path("", include("oneroof.catalog.urls")),
    path("centers/", include("oneroof.centers.urls")),
    path("", include("oneroof.appointments.urls")),
    path("", include("oneroof.transactions.urls")),
    path("", include("oneroof.feedback.urls")),
    path("", include("oneroof.knowledge.urls")),
    path("", include("oneroof.care.urls")),
    path("", include("oneroof.queueing.urls")),
    path("", include("oneroof.insights.urls")),
    path("accounts/", include("oneroof.accounts.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler404 = "oneroof.core.views.page_not_found"
handler500 = "oneroof.core.views.server_error"
