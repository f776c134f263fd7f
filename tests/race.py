"""Run service calls at the same moment in threads with their own database connections.

* PostgreSQL: threads connect to the test database (``transactional_db``: commits are real).
* SQLite: the in-memory test database cannot be shared between connections, so ``db_conf``
  migrates a temporary *file* database and every thread opens its own connection to it (WAL,
  ``BEGIN IMMEDIATE``: the second writer queues behind the first).
``race(fns, conf)`` starts every function behind a barrier and returns ``[("ok", value) |
("error", exception)]`` in order; ``race([fn], conf)`` runs one function on such a connection.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections


def _sqlite_file_config(path) -> dict:
    from django.conf import settings

    conf = dict(settings.DATABASES["default"])
    conf.update(
        NAME=str(path),
        TEST={"NAME": str(path)},
        TIME_ZONE=None,
        CONN_MAX_AGE=0,
        CONN_HEALTH_CHECKS=False,
        AUTOCOMMIT=True,
        ATOMIC_REQUESTS=False,
    )
    conf.setdefault("OPTIONS", {})
    return conf


def _run(fn, conf: dict | None, results: list, index: int, barrier=None):
    try:
        if conf is not None:
            from django.db.backends.sqlite3.base import DatabaseWrapper

            connections["default"] = DatabaseWrapper(conf, alias="default")
        if barrier is not None:
            barrier.wait(timeout=30)
        results[index] = ("ok", fn())
    except Exception as e:  # noqa: BLE001 - reported back to the test
        results[index] = ("error", e)
    finally:
        connections.close_all()


def in_thread(fn, conf):
    """Run ``fn`` alone on such a connection and return its value (its exception is raised here)."""
    kind, value = race([fn], conf)[0]
    if kind == "error":
        raise value
    return value


def race(fns, conf) -> list[tuple[str, object]]:
    out: list = [None] * len(fns)
    barrier = threading.Barrier(len(fns))
    threads = [threading.Thread(target=_run, args=(fn, conf, out, i, barrier)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return out


@pytest.fixture
def db_conf(transactional_db, tmp_path, django_db_blocker):
    """``None`` on PostgreSQL, or the settings of a migrated SQLite file database."""
    from config.settings.base import database

    if not database()["ENGINE"].endswith("sqlite3"):
        yield None
        return
    conf = _sqlite_file_config(tmp_path / "race.sqlite3")
    with django_db_blocker.unblock():

        def migrate():
            from django.core.management import call_command

            call_command("migrate", verbosity=0)

        in_thread(migrate, conf)
        yield conf


def shared_build_world():
    """``build_world`` of tests/conftest.py, loaded by path (usable from any thread)."""
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parent / "conftest.py"
    spec = importlib.util.spec_from_file_location("kechuang_shared_test_world", path)
    mod = sys.modules.get(spec.name)
    if mod is None:
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod  # dataclasses look their module up here
        spec.loader.exec_module(mod)
    return mod.build_world()
