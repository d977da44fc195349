from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "oneroof.api"
    label = "api"
    verbose_name = "API"
