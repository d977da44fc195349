from django.urls import path

from oneroof.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("help/", views.article_list, name="list"),
    path("help/<slug:slug>/", views.article_page, name="article"),
    path("staff/knowledge/", views.staff_articles, name="staff-list"),
    path("staff/knowledge/new/", views.staff_article_create, name="staff-create"),
    path("staff/knowledge/<slug:slug>/", views.staff_article_edit, name="staff-edit"),
    path("staff/knowledge/<slug:slug>/propose/", views.staff_article_propose, name="staff-propose"),
    path(
        "staff/knowledge/<slug:slug>/versions/<int:number>/",
        views.staff_article_version,
        name="staff-version",
    ),
    path(
        "staff/knowledge/proposals/<int:pk>/",
        views.staff_proposal_decide,
        name="staff-proposal",
    ),
]
