"""Management of the reference project: `python bench/reference/manage.py migrate --run-syncdb`
and `python bench/reference/manage.py reset` (one numbering row, no tickets)."""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refproj.settings")
    if sys.argv[1:] == ["reset"]:
        import django

        django.setup()
        from benchref.models import RefLine, RefTicket

        RefTicket.objects.all().delete()
        RefLine.objects.all().delete()
        RefLine.objects.create(pk=1, name="A")
        print("reference reset: one line, no tickets")
    elif sys.argv[1:] == ["count"]:
        import django

        django.setup()
        from benchref.models import RefTicket
        from django.db.models import Count

        dups = (
            RefTicket.objects.values("line_id", "number")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        print(f'{{"tickets": {RefTicket.objects.count()}, "duplicates": {dups}}}')
    else:
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)
