"""Run a read beside the current one, on a second database connection (ADR 0060).

A cold dashboard is a handful of grouped queries over every need; the database spends its time in
them with the GIL released (SQLite's ``sqlite3_step``, PostgreSQL's wait for the server), so the two
longest can run at once on two cores. ``beside(fn, …)`` starts ``fn`` in a thread that opens its own
connection (Django's connections are per thread) and closes it when done; ``.result()`` waits and
re-raises what ``fn`` raised; ``.wait()`` only waits (for a caller leaving early on an error of its
own, so that the read does not run on, after the request, against state the caller has torn down).
The thread reads in the caller's language and time zone.

It runs ``fn`` right here instead — in order, as if it had not been started apart — whenever a second
connection would not see what this one sees: inside a transaction (uncommitted rows, and every
``db`` test's own transaction; or autocommit turned off by hand), or on an in-memory SQLite database. ``fn`` must only read.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Any

from django.db import connection, connections
from django.utils import timezone, translation


class Beside:
    def __init__(self, fn: Callable[..., Any], args, kwargs) -> None:
        self._call = (fn, args, kwargs)
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if _apart_is_safe():
            self._language = translation.get_language()
            self._timezone = timezone.get_current_timezone()
            context = contextvars.copy_context()  # the page cache's record of what a render read
            self._thread = threading.Thread(target=context.run, args=(self._run,), name="kechuang-beside", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        fn, args, kwargs = self._call
        try:
            with translation.override(self._language), timezone.override(self._timezone):
                self._value = fn(*args, **kwargs)
        except BaseException as e:  # noqa: BLE001 - handed to the caller by result()
            self._error = e
        finally:
            connections.close_all()  # this thread's connections only

    def wait(self) -> None:
        """Wait for a read started apart to end, ignoring its outcome (nothing runs if it was not)."""
        if self._thread is not None:
            self._thread.join()

    def result(self) -> Any:
        if self._thread is None:
            fn, args, kwargs = self._call
            return fn(*args, **kwargs)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _apart_is_safe() -> bool:
    if connection.in_atomic_block or not connection.get_autocommit():
        return False
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())


def beside(fn: Callable[..., Any], *args, **kwargs) -> Beside:
    """``fn(*args, **kwargs)`` started on a second connection when that sees what this one does
    (module docstring); collect it with ``.result()``."""
    return Beside(fn, args, kwargs)
