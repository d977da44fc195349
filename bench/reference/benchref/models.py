"""Two tables of the reference: a numbering row per line (locked for update) and the issued
rows. Created with `migrate --run-syncdb` (the app has no migrations)."""

from django.db import models
from django.utils import timezone


class RefLine(models.Model):
    name = models.CharField(max_length=20, unique=True)
    last_number = models.IntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class RefTicket(models.Model):
    line = models.ForeignKey(RefLine, on_delete=models.CASCADE, related_name="tickets")
    number = models.IntegerField()
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "number"], name="benchref_number_unique")
        ]

    def __str__(self) -> str:
        return str(self.number)
