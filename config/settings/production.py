"""Production: every secret and host comes from the environment; refuses to start without them.

Transport security is not optional here: HTTPS redirect, HSTS and secure cookies are always on
(``manage.py check --deploy --fail-level WARNING`` passes; the Makefile's lint target runs it).
Behind a reverse proxy that terminates TLS, set ``KECHUANG_BEHIND_PROXY=1`` and make the proxy
set ``X-Forwarded-Proto`` and ``X-Forwarded-For`` (and strip whatever the client sent).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

try:
    SECRET_KEY = os.environ["KECHUANG_SECRET_KEY"]
except KeyError as exc:  # pragma: no cover - exercised by deployment, not tests
    raise ImproperlyConfigured("生产环境必须设置 KECHUANG_SECRET_KEY 环境变量") from exc
DEBUG = False
KECHUANG_ENV = "production"
ALLOWED_HOSTS = [h for h in os.environ.get("KECHUANG_ALLOWED_HOSTS", "").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KECHUANG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# HTTPS everywhere. Deliberately no environment switch: a production site without TLS is a
# misconfiguration to fix at the proxy, not a setting to flip.
SECURE_SSL_REDIRECT = True
# health probes (load balancer, nginx, monitoring) talk plain HTTP to the app server on the machine
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("KECHUANG_HSTS_SECONDS", str(365 * 24 * 3600)))
if SECURE_HSTS_SECONDS < 3600:  # check --deploy would only warn when it is 0
    raise ImproperlyConfigured("KECHUANG_HSTS_SECONDS 不能小于 3600")
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preload lists are a one-way door for a public domain and meaningless for an intranet host name;
# a deployment opts in by hand, so the check that nags about it is silenced, and only that one.
SECURE_HSTS_PRELOAD = os.environ.get("KECHUANG_HSTS_PRELOAD", "0") == "1"
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

if os.environ.get("KECHUANG_BEHIND_PROXY", "0") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = False
    # axes: the client is the address the (one, trusted) proxy appended to X-Forwarded-For
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = int(os.environ.get("KECHUANG_PROXY_COUNT", "1"))

# Coordinators and staff must use a second factor; sessions end after 30 idle minutes.
KECHUANG_REQUIRE_2FA = os.environ.get("KECHUANG_REQUIRE_2FA", "1") == "1"
KECHUANG_SESSION_IDLE_MINUTES = int(os.environ.get("KECHUANG_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = KECHUANG_SESSION_IDLE_MINUTES * 60

# One JSON line per log record, a line per request with its duration (kechuang.ops.logs).
LOGGING["handlers"]["console"]["formatter"] = (  # noqa: F405
    "plain" if os.environ.get("KECHUANG_LOG_FORMAT") == "plain" else "json"
)
LOGGING["loggers"]["kechuang.request"]["level"] = (  # noqa: F405
    "WARNING" if os.environ.get("KECHUANG_LOG_REQUESTS") == "0" else "INFO"
)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
