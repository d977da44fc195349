from django.db import migrations

# (kind, priority) → (first answer within hours, resolved within hours), as care.sla's
# defaults when this migration was written. Administrators change the rows afterwards.
DEFAULTS = {
    ("inquiry", "urgent"): (1, 4),
    ("inquiry", "high"): (4, 24),
    ("inquiry", "normal"): (8, 48),
    ("inquiry", "low"): (24, 72),
    ("complaint", "urgent"): (1, 8),
    ("complaint", "high"): (4, 24),
    ("complaint", "normal"): (8, 72),
    ("complaint", "low"): (24, 120),
    ("suggestion", "urgent"): (8, 72),
    ("suggestion", "high"): (24, 120),
    ("suggestion", "normal"): (48, 240),
    ("suggestion", "low"): (72, 336),
}


def add_defaults(apps, schema_editor):
    SlaPolicy = apps.get_model("care", "SlaPolicy")
    for (kind, priority), (first, resolution) in DEFAULTS.items():
        SlaPolicy.objects.get_or_create(
            kind=kind,
            priority=priority,
            defaults={"first_response_hours": first, "resolution_hours": resolution},
        )


class Migration(migrations.Migration):
    dependencies = [("care", "0001_cases_messages_notices")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
