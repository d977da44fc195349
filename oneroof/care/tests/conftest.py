import pytest

from oneroof.care.backends import MemorySocialBackend


@pytest.fixture(autouse=True)
def _care_settings(settings, tmp_path):
    settings.ONEROOF_CARE_SOCIAL_BACKEND = "oneroof.care.backends.MemorySocialBackend"
    settings.ONEROOF_CARE_EMAIL_DIR = str(tmp_path / "mail")
    settings.ONEROOF_CARE_EMAIL_WEBHOOK_SECRET = "mail-secret"
    settings.ONEROOF_CARE_SOCIAL_SECRETS = ["x=x-secret", "instagram=ig-secret"]
    settings.SITE_URL = "https://services.example.org"
    MemorySocialBackend.outbox = []
