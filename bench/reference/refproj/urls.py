from benchref.views import issue
from django.urls import path

urlpatterns = [path("issue", issue)]
