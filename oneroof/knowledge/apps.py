from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "oneroof.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from oneroof.core import events
        from oneroof.knowledge.actions import on_catalog_event

        events.subscribe(on_catalog_event)
