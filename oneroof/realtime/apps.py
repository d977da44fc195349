from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "oneroof.realtime"
    label = "realtime"
    verbose_name = "Live updates"
