from django.urls import path

from oneroof.transactions import views

app_name = "transactions"
urlpatterns = [
    # Visitors: their own history, after a one-time code sent to the phone.
    path("my/transactions/", views.own_history, name="own"),
    # Staff: search by phone with a reason; the console's panel for the visitor being served.
    path("staff/history/", views.staff_search, name="staff-search"),
    path("staff/history/ticket/<str:public_id>/", views.console_history, name="console-panel"),
]
