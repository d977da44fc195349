from django.urls import path

from oneroof.care import staff_views, views

app_name = "care"
urlpatterns = [
    # Citizens (no sign-in; the signed link is the key to one's own case).
    path("care/ask/", views.ask, name="ask"),
    path("care/case/<str:token>/", views.case_public, name="case-public"),
    path("care/case/<str:token>/answer/", views.answer_feedback, name="answer-feedback"),
    path("notices/", views.notices, name="notices"),
    path("notices/confirm/<str:token>/", views.subscribe_confirm, name="subscribe-confirm"),
    path("notices/stop/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # Care agents, supervisors and agency administrators.
    path("staff/care/", staff_views.inbox_page, name="inbox"),
    path("staff/care/new/", staff_views.case_new, name="case-new"),
    path("staff/care/<int:pk>/", staff_views.case_page, name="case"),
    path("staff/care/dashboard/", staff_views.dashboard_page, name="dashboard"),
    path("staff/care/monitoring/", staff_views.monitoring_page, name="monitoring"),
    path("staff/care/monitoring/<int:pk>/case/", staff_views.post_open_case, name="post-case"),
    path("staff/care/notices/", staff_views.notices_page, name="staff-notices"),
    path("staff/care/notices/<int:pk>/publish/", staff_views.notice_publish, name="notice-publish"),
    path(
        "staff/care/notices/<int:pk>/withdraw/", staff_views.notice_withdraw, name="notice-withdraw"
    ),
]
