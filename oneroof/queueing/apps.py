from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    name = "oneroof.queueing"
    label = "queueing"
    verbose_name = _("Queues and tickets")

    def ready(self) -> None:
        from oneroof.core import events
        from oneroof.queueing.actions import on_catalog_imported

        events.subscribe(on_catalog_imported)
