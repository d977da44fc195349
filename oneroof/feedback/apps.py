from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "oneroof.feedback"
    label = "feedback"
    verbose_name = _("Surveys and satisfaction")

    def ready(self) -> None:
        from oneroof.core import events
        from oneroof.feedback.actions import on_record_created

        events.subscribe(on_record_created)
