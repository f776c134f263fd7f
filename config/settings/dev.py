"""Local development and the demo served by ``make run``.

DEBUG is off unless ``KECHUANG_DEBUG=1``: the demo is what newcomers and visitors see, and Django's
debug pages (the URL list on a 404, settings and tracebacks on a 500) are not for them. Static files
are served by whitenoise straight from the apps' folders (no collectstatic needed for the demo).
"""

import os

from .base import *  # noqa: F403

DEBUG = os.environ.get("KECHUANG_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["*"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
