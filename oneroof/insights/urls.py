from django.urls import path

from oneroof.insights import views

app_name = "insights"

urlpatterns = [
    path("staff/insights/", views.command, name="command"),
    path("staff/insights/state/", views.command_state, name="command-state"),
    path("staff/insights/live/", views.live_home, name="live-home"),
    path("staff/insights/live/<slug:center>/", views.live, name="live"),
    path("staff/insights/live/<slug:center>/state/", views.live_state, name="live-state"),
    path("staff/insights/reports/", views.reports, name="reports"),
    path(
        "staff/insights/reports/export.<str:fmt>",
        views.report_export,
        name="report-export",
    ),
    path("staff/insights/employees/", views.employees, name="employees"),
    path("staff/insights/employees/<int:pk>/", views.employee, name="employee"),
]
