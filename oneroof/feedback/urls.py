from django.urls import path

from oneroof.feedback import views

app_name = "feedback"
urlpatterns = [
    path("s/<str:token>/", views.survey, name="survey"),
]
