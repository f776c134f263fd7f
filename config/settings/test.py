"""Test settings: fast hashing, in-memory files; database chosen by KECHUANG_DB (sqlite|postgres)."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import database

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES = {"default": database()}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = os.environ.get("KECHUANG_SQLITE_PATH", ":memory:")
    DATABASES["default"]["TEST"] = {"NAME": None}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# A per-process cache keeps pinned query counts free of cache reads; tests/ops checks the shared
# database cache of the real settings across processes.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WHITENOISE_AUTOREFRESH = True
KECHUANG_EMBEDDER = "lexical"  # matching: no model in tests (a few opt into the real one)
KECHUANG_ENV = "test"
KECHUANG_REQUIRE_2FA = False  # tests that need it switch it on with override_settings
KECHUANG_INDEX_BUILD_IN_BACKGROUND = False  # matching: tests build indexes inline (one opts into threads)

# Import progress files are keyed by batch pk; each test process (xdist worker, parallel checkout) gets its own
# directory so one worker's batch 1 never reads or clears another's.
KECHUANG_PROGRESS_DIR = tempfile.mkdtemp(prefix="kechuang-progress-")
