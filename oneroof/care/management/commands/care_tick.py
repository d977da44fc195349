from django.core.management.base import BaseCommand

from oneroof.care.actions import cases_close_resolved, sla_flag_breaches, survey_complaints_import


class Command(BaseCommand):
    help = (
        "Open cases for new low survey scores with a comment, flag SLA breaches (and tell "
        "their owners), close cases resolved a week ago. Run it every minute."
    )

    def handle(self, *args, **options) -> None:
        imported = survey_complaints_import()
        breached = sla_flag_breaches()
        closed = cases_close_resolved()
        self.stdout.write(
            f"Survey complaints opened: {imported}; SLA breaches flagged: {len(breached)}; "
            f"resolved cases closed: {closed}"
        )
