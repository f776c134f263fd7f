"""Structured logs: one JSON line per record, each carrying the request id and user id of its request.

``RequestLogMiddleware`` (first in MIDDLEWARE) gives every request an id — the ``X-Request-ID`` nginx
sends (``$request_id``) when it is a sane token, a new one otherwise — answers with it in the
``X-Request-ID`` header, and logs one line per request on ``kechuang.request`` with method, path,
status, duration (wall and this thread's CPU) and user id, and what the request did to the database: how many queries and their time (``db_ms``), which
tables it wrote (``db_writes``) and how long it waited in ``BEGIN`` and write statements
(``db_lock_ms`` — on SQLite the wait for the one write lock; docs/scale.md). ``ContextFilter`` puts the id on every other record logged while the
request runs (Django's own ``django.request`` errors with their traceback included), so one id
finds everything a request did. Production settings format records as JSON (config/settings).
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from django.db import connection

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("kechuang_request_id", default="-")
user_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("kechuang_user_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

logger = logging.getLogger("kechuang.request")
_WRITE = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+\"?(\w+)", re.I)


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user_id`` of the current request (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if not hasattr(record, "user_id"):
            record.user_id = user_id_var.get()
        return True


def _user_id(request) -> str:
    user = getattr(request, "user", None)
    try:
        return str(user.pk) if user is not None and user.is_authenticated else "-"
    except Exception:  # noqa: BLE001 - a broken session must not break the log line
        return "-"


class DbActivity:
    """A connection execute wrapper: counts queries, names the tables written, times BEGIN and writes."""

    __slots__ = ("queries", "writes", "lock_ms", "db_ms")

    def __init__(self) -> None:
        self.queries = 0
        self.writes: list[str] = []
        self.lock_ms = 0.0
        self.db_ms = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - start) * 1000
            self.queries += 1
            self.db_ms += ms
            head = sql[:60]
            if m := _WRITE.match(head):
                self.writes.append(m.group(1))
                self.lock_ms += ms
            elif head.lstrip()[:5].upper() == "BEGIN":
                self.lock_ms += ms


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid
        rid_token = request_id_var.set(rid)
        uid_token = user_id_var.set("-")
        start = time.perf_counter()
        cpu_start = time.thread_time()
        db = DbActivity()
        try:
            if logger.isEnabledFor(logging.INFO):
                with connection.execute_wrapper(db):
                    response = self.get_response(request)
            else:
                response = self.get_response(request)
            uid = _user_id(request)
            user_id_var.set(uid)
            duration_ms = round((time.perf_counter() - start) * 1000, 1)
            cpu_ms = round((time.thread_time() - cpu_start) * 1000, 1)
            response["X-Request-ID"] = rid
            level = logging.ERROR if response.status_code >= 500 else logging.INFO
            logger.log(
                level,
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "cpu_ms": cpu_ms,
                    "user_id": uid,
                    "request_id": rid,
                    "db_queries": db.queries,
                    "db_ms": round(db.db_ms, 1),
                    "db_writes": db.writes,
                    "db_lock_ms": round(db.lock_ms, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(rid_token)
            user_id_var.reset(uid_token)
