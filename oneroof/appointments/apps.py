from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "oneroof.appointments"
    label = "appointments"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        from oneroof.appointments.actions import on_catalog_imported
        from oneroof.core import events

        events.subscribe(on_catalog_imported)
