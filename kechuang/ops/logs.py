"""Structured logs: one JSON line per record, each carrying the request id and user id of its request.

``RequestLogMiddleware`` (first in MIDDLEWARE) gives every request an id — the ``X-Request-ID`` nginx
sends (``$request_id``) when it is a sane token, a new one otherwise — answers with it in the
``X-Request-ID`` header, and logs one line per request on ``kechuang.request`` with method, path,
status, duration and user id. ``ContextFilter`` puts the id on every other record logged while the
request runs (Django's own ``django.request`` errors with their traceback included), so one id
finds everything a request did. Production settings format records as JSON (config/settings).
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("kechuang_request_id", default="-")
user_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("kechuang_user_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

logger = logging.getLogger("kechuang.request")



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
        try:
            response = self.get_response(request)
            uid = _user_id(request)
            user_id_var.set(uid)
            duration_ms = round((time.perf_counter() - start) * 1000, 1)
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
                    "user_id": uid,
                    "request_id": rid,
                },
            )
            return response
        finally:
            request_id_var.reset(rid_token)
            user_id_var.reset(uid_token)
