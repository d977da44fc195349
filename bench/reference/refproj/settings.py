"""The reference of the throughput benchmark: a bare Django project (no middleware, one app,
one view) on the same database as OneRoof, with the same database options."""

import os

import dj_database_url

DEBUG = False
SECRET_KEY = os.environ.get("ONEROOF_SECRET_KEY", "bench-reference-only-secret-key-0123456789")
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = ["benchref"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "refproj.urls"
WSGI_APPLICATION = "refproj.wsgi.application"
USE_TZ = True
TIME_ZONE = "Asia/Qatar"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0"))
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The same options as OneRoof's embedded default (oneroof/settings.py).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
