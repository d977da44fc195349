from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "oneroof.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from oneroof.core import events
        from oneroof.insights.actions import on_domain_event

        events.subscribe(on_domain_event)
