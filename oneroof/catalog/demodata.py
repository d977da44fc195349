"""The demo: its catalog and one staff account per role, for trying OneRoof out."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from oneroof.accounts.actions import role_assign
from oneroof.accounts.choices import Role
from oneroof.accounts.models import User
from oneroof.catalog.actions import ImportReport, catalog_import
from oneroof.catalog.models import Agency
from oneroof.centers.models import Center

DEMO_CATALOG = Path(__file__).resolve().parent / "demo" / "catalog.json"
DEMO_PASSWORD = "oneroof-demo"  # noqa: S105 - demo accounts only, listed in the README

# username, role, agency slug, center slug, first name, last name
DEMO_STAFF = [
    ("admin", Role.SYSTEM_ADMIN, None, None, "Maryam", "Al-Kuwari"),
    ("agency.passports", Role.AGENCY_ADMIN, "passports", None, "Khalid", "Al-Sulaiti"),
    ("supervisor.rayyan", Role.SUPERVISOR, None, "al-rayyan", "Noora", "Al-Marri"),
    ("employee.rayyan", Role.EMPLOYEE, "passports", "al-rayyan", "Ahmed", "Al-Naimi"),
    ("employee.rayyan", Role.EMPLOYEE, "civil-registry", "al-rayyan", "Ahmed", "Al-Naimi"),
    ("employee.wakra", Role.EMPLOYEE, "traffic", "al-wakra", "Fatima", "Al-Hajri"),
    ("evaluator", Role.EVALUATOR, None, None, "Hamad", "Al-Thani"),
    ("decision", Role.DECISION_MAKER, None, None, "Aisha", "Al-Mannai"),
    ("kiosk.rayyan", Role.DEVICE, None, "al-rayyan", "Kiosk", "Al Rayyan"),
]


def load_demo_catalog() -> ImportReport:
    return catalog_import(data=json.loads(DEMO_CATALOG.read_text(encoding="utf-8")))


@transaction.atomic
def load_demo_staff() -> list[str]:
    """Create the demo staff accounts (idempotent); returns their usernames."""
    names: list[str] = []
    for username, role, agency_slug, center_slug, first, last in DEMO_STAFF:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = role == Role.SYSTEM_ADMIN
            user.save()
        agency = Agency.objects.get(slug=agency_slug) if agency_slug else None
        center = Center.objects.get(slug=center_slug) if center_slug else None
        role_assign(
            user=user,
            role=role,
            agency_id=agency.pk if agency else None,
            center_id=center.pk if center else None,
        )
        if username not in names:
            names.append(username)
    return names
