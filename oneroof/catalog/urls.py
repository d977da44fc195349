from django.urls import path

from oneroof.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.service_list, name="services"),
    path("services/<slug:slug>/", views.service_page, name="service"),
    path("agencies/<slug:slug>/", views.agency_page, name="agency"),
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/notices/seen/", views.notices_seen, name="notices-seen"),
]
