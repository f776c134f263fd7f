"""Run ``manage.py`` or a Python snippet in another process on the test's database.

With ``db_conf`` (tests/race.py): a migrated SQLite *file* on SQLite, the test database itself on
PostgreSQL. The other process uses the settings ``make run`` uses (config.settings.dev: the database
task queue and the shared database cache), so what it sees is what a second server process sees.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def env_for(conf, settings_module: str = "config.settings.dev", **extra) -> dict:
    from django.db import connection

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE=settings_module, PYTHONPATH=f"{HERE}{os.pathsep}{ROOT}", KECHUANG_DEBUG="0")
    if conf is not None:
        env.update(KECHUANG_DB="sqlite", KECHUANG_SQLITE_PATH=str(conf["NAME"]))
    else:
        env.update(KECHUANG_DB="postgres", PGDATABASE=connection.settings_dict["NAME"])
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(conf, *args: str, timeout: float = 180, **extra) -> subprocess.CompletedProcess:
    out = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT, env=env_for(conf, **extra), capture_output=True, text=True, timeout=timeout,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out


def python(conf, code: str, timeout: float = 180, settings_module: str = "config.settings.dev", **extra) -> str:
    """Run ``code`` after ``django.setup()`` in another process; returns its stdout."""
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT, env=env_for(conf, settings_module, **extra), capture_output=True, text=True, timeout=timeout,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout
