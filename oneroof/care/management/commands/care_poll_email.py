from django.core.management.base import BaseCommand

from oneroof.care.actions import email_inbox_poll
from oneroof.care.backends import get_email_inbox


class Command(BaseCommand):
    help = (
        "Read new e-mail from the care mailbox (ONEROOF_CARE_EMAIL_INBOX) into cases. "
        "Run it every minute or two."
    )

    def handle(self, *args, **options) -> None:
        inbox = get_email_inbox()
        try:
            report = email_inbox_poll(inbox=inbox)
        finally:
            inbox.close()
        self.stdout.write(
            f"E-mails read: {report['read']}; new cases: {report['new']}; "
            f"added to cases: {report['threaded']}; unreadable: {report['failed']}"
        )
