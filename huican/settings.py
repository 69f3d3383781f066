"""Settings for Huican.

One module, configured from the environment. Helpers fail loudly on malformed values.
`HUICAN_ENV=production` turns on production settings and refuses to start without keys.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HUICAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_secret(name: str) -> str | None:
    """Read a secret from NAME or from the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return os.environ.get(name) or None


PRODUCTION = os.environ.get("HUICAN_ENV", "development") == "production"
DEBUG = env_bool("HUICAN_DEBUG", False)

if PRODUCTION:
    missing = [
        name
        for name in (
            "HUICAN_SECRET_KEY",
            "HUICAN_DATA_KEY",
            "HUICAN_HMAC_KEY",
            "HUICAN_AUDIT_KEY",
            "HUICAN_CERT_SIGNING_KEY",
        )
        if not env_secret(name)
    ]
    if missing:
        raise ImproperlyConfigured("生产模式缺少密钥 / production mode needs: " + ", ".join(missing))
    SECRET_KEY = env_secret("HUICAN_SECRET_KEY") or ""
    ALLOWED_HOSTS = [h for h in os.environ.get("HUICAN_ALLOWED_HOSTS", "").split(",") if h]
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("HUICAN_ALLOWED_HOSTS must name the served host(s) in production")
else:
    from huican.core.devkeys import development_keys

    _dev = development_keys(VAR_DIR)
    SECRET_KEY = env_secret("HUICAN_SECRET_KEY") or _dev["secret_key"]
    os.environ.setdefault("HUICAN_DATA_KEY", _dev["data_key"])
    os.environ.setdefault("HUICAN_HMAC_KEY", _dev["hmac_key"])
    os.environ.setdefault("HUICAN_AUDIT_KEY", _dev["audit_key"])
    os.environ.setdefault("HUICAN_CERT_SIGNING_KEY", _dev["cert_signing_key"])
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver", "[::1]"]

HUICAN_DATA_KEYS = env_secret("HUICAN_DATA_KEY") or ""
HUICAN_HMAC_KEY = env_secret("HUICAN_HMAC_KEY") or ""
# The audit log's MAC key and where its signed checkpoints live: both outside the database
# (huican.core.audit, docs/security.md). One checkpoint file per database in the directory.
HUICAN_AUDIT_KEY = env_secret("HUICAN_AUDIT_KEY") or ""
HUICAN_AUDIT_CHECKPOINT_DIR = Path(os.environ.get("HUICAN_AUDIT_CHECKPOINT_DIR") or VAR_DIR / "audit")
HUICAN_AUDIT_CHECKPOINT_EVERY = env_int("HUICAN_AUDIT_CHECKPOINT_EVERY", 1)
HUICAN_CITY_CODE = os.environ.get("HUICAN_CITY_CODE", "140900")
# Electronic disability certificates (电子证照): the Ed25519 signing key, earlier public keys still
# accepted after a rotation, and the portal's public address printed in the QR codes
# (huican.portal.cert_keys, docs/security.md).
HUICAN_CERT_SIGNING_KEY = env_secret("HUICAN_CERT_SIGNING_KEY") or ""
HUICAN_CERT_PREVIOUS_KEYS = env_secret("HUICAN_CERT_PREVIOUS_KEYS") or ""
HUICAN_PORTAL_BASE_URL = os.environ.get("HUICAN_PORTAL_BASE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "huican.core",
    "huican.regions",
    "huican.accounts",
    "huican.registry",
    "huican.exchange",
    "huican.policy",
    "huican.matching",
    "huican.benefits",
    "huican.care",
    "huican.employment",
    "huican.monitoring",
    "huican.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "huican.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "huican.accounts.middleware.IdleTimeoutMiddleware",
    "huican.accounts.middleware.PasswordChangeRequiredMiddleware",
    "huican.accounts.middleware.DeniedAccessAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "huican.urls"
WSGI_APPLICATION = "huican.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "huican" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "huican.benefits.context.overdue",
                "huican.portal.preferences.context",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'huican.sqlite3'}"
SQLITE_CACHE_MB = env_int("HUICAN_SQLITE_CACHE_MB", 16)
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_sqlite, conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        # recursive_triggers: a REPLACE's deletion fires delete triggers too (huican.core.copies).
        # cache_size: SQLite's page cache per connection, in KiB (negative). It stays allocated for
        # the connection's life and, once freed, in the allocator of the thread that used it: at
        # 200 MB each a threaded server and the worker grew by hundreds of MB (docs/operations.md,
        # "Memory").
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            f" PRAGMA cache_size=-{SQLITE_CACHE_MB * 1024}; PRAGMA recursive_triggers=ON;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, like the real thing: background threads then wait on WAL locks instead of
    # failing with "table is locked" as connections to a shared in-memory database do.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-huican.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "registry:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "huican.accounts.validators.CharacterClassValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "huican" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
HUICAN_MAX_UPLOAD_BYTES = env_int("HUICAN_MAX_UPLOAD_BYTES", 500 * 1024 * 1024)
# Uploads larger than this are checked for the preview in a background job, not during the request.
HUICAN_PREVIEW_INLINE_BYTES = env_int("HUICAN_PREVIEW_INLINE_BYTES", 5 * 1024 * 1024)
# Uploaded import files (encrypted) are deleted this many days after their last change.
HUICAN_UPLOAD_RETENTION_DAYS = env_int("HUICAN_UPLOAD_RETENTION_DAYS", 30)
# Exported work lists (encrypted, their requester only) are deleted this many days after they were made.
HUICAN_EXPORT_RETENTION_DAYS = env_int("HUICAN_EXPORT_RETENTION_DAYS", 7)
# Documents attached to applications (scans, photos, PDF): the largest accepted.
HUICAN_DOCUMENT_MAX_BYTES = env_int("HUICAN_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# An .xlsx is refused before it is read when it unpacks to more than this, or its sheet spans more
# cells (rows × columns): a zip bomb must not take the server's memory (huican.exchange.limits).
HUICAN_XLSX_MAX_UNPACKED_BYTES = env_int("HUICAN_XLSX_MAX_UNPACKED_BYTES", 512 * 1024 * 1024)
HUICAN_XLSX_MAX_CELLS = env_int("HUICAN_XLSX_MAX_CELLS", 10_000_000)
# Web/API imports of files larger than this run in a separate process whose memory is returned to
# the system when it ends.
HUICAN_IMPORT_PROCESS_BYTES = env_int("HUICAN_IMPORT_PROCESS_BYTES", 20 * 1024 * 1024)

# Sessions and cookies.
SESSION_COOKIE_AGE = 8 * 3600
HUICAN_IDLE_TIMEOUT_SECONDS = env_int("HUICAN_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("HUICAN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
X_FRAME_OPTIONS = "DENY"

# Login lockout.
HUICAN_LOCKOUT_FAILURES = env_int("HUICAN_LOCKOUT_FAILURES", 5)
HUICAN_LOCKOUT_MINUTES = env_int("HUICAN_LOCKOUT_MINUTES", 15)
# Per address, beside the per-account lock: this many failed logins in the window refuse more.
HUICAN_LOGIN_IP_FAILURES = env_int("HUICAN_LOGIN_IP_FAILURES", 20)
HUICAN_LOGIN_IP_WINDOW_MINUTES = env_int("HUICAN_LOGIN_IP_WINDOW_MINUTES", 15)
# Citizen sign-in on the portal (huican.portal.signin): the SMS sender of the one-time codes, a
# dotted path to a class with send(message). Outside production the console sender (prints the code,
# keeps it in memory for tests); in production empty (no sign-in) until a real gateway is named.
_CONSOLE_SMS = "huican.portal.sms.ConsoleSender"
HUICAN_SMS_SENDER = os.environ.get("HUICAN_SMS_SENDER", "" if PRODUCTION else _CONSOLE_SMS)
if PRODUCTION and HUICAN_SMS_SENDER == _CONSOLE_SMS:
    raise ImproperlyConfigured(
        "生产环境不能使用演示用的控制台短信发送（HUICAN_SMS_SENDER）：请配置真实的短信网关"
    )
HUICAN_PORTAL_IDLE_SECONDS = env_int("HUICAN_PORTAL_IDLE_SECONDS", 15 * 60)
HUICAN_PORTAL_LOCK_FAILURES = env_int("HUICAN_PORTAL_LOCK_FAILURES", 5)  # per ID number and per address
HUICAN_PORTAL_LOCK_MINUTES = env_int("HUICAN_PORTAL_LOCK_MINUTES", 15)
HUICAN_PORTAL_STARTS_PER_ADDRESS = env_int("HUICAN_PORTAL_STARTS_PER_ADDRESS", 20)  # first steps per window
# API tokens expire this many days after they were made (then 401; make a new one).
HUICAN_API_TOKEN_DAYS = env_int("HUICAN_API_TOKEN_DAYS", 90)

# Background tasks (huican.core.tasks): queued in the database through Django's Tasks API and run
# by a worker process (`huican worker`, started beside the web by `huican serve`/`huican demo`);
# synchronously in tests (HUICAN_TASKS_SYNC).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
HUICAN_TASKS_SYNC = env_bool("HUICAN_TASKS_SYNC", False)
# Periodic jobs (huican.server.schedule): "name=HH:MM" or "name=off", comma-separated.
HUICAN_SCHEDULE = os.environ.get("HUICAN_SCHEDULE", "")
HUICAN_SCHEDULE_TICK_SECONDS = env_int("HUICAN_SCHEDULE_TICK_SECONDS", 60)
# How long `huican serve`/`huican demo` let their worker finish its job when they stop.
HUICAN_WORKER_STOP_SECONDS = env_int("HUICAN_WORKER_STOP_SECONDS", 30)
# Every log record has full ID numbers masked before any handler sees it (huican.core.logfilters).
LOGGING_CONFIG = "huican.core.logfilters.configure_logging"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors": {"()": "huican.core.logfilters.OneLineClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["client_errors"]}},  # a 403/404: one line, no traceback
    "root": {"handlers": ["console"], "level": "WARNING"},
}
