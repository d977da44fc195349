from django.core.management.base import BaseCommand
from django.utils import timezone

from oneroof.appointments.actions import appointments_mark_no_shows
from oneroof.appointments.messaging import appointments_send_reminders


class Command(BaseCommand):
    help = (
        "Send the appointment reminders that are due (24 hours and 2 hours before) and mark "
        "bookings whose slot has ended without a check-in as no-shows. Safe to repeat: run it "
        "every minute from cron or a systemd timer, e.g. `* * * * * oneroof appointments_tick`."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        reminded = appointments_send_reminders(now=now)
        no_shows = appointments_mark_no_shows(now=now)
        if options["verbosity"] >= 1:
            self.stdout.write(f"reminders sent: {reminded}; no-shows marked: {no_shows}")
