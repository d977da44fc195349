from django.core.management.base import BaseCommand

from oneroof.feedback.actions import surveys_send_due


class Command(BaseCommand):
    help = "Send the post-service surveys whose delay has passed. Run it every minute."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Surveys sent: {surveys_send_due()}")
