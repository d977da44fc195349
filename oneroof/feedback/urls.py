from django.urls import path

from oneroof.feedback import views

app_name = "feedback"
urlpatterns = [
    # Visitors: the survey behind the SMS link (no sign-in).
    path("s/<str:token>/", views.survey, name="survey"),
    # The same survey on a kiosk or tablet at a counter (the center's device, or staff).
    path("survey/counter/<int:counter_id>/", views.counter_survey, name="counter-survey"),
    # Supervisors and agency administrators: low scores with a comment.
    path("staff/complaints/", views.complaints, name="complaints"),
]
