"""JSON log lines: one per request with its id, user and duration; errors with their trace, same id."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.conf import settings
from django.test import Client, override_settings

from kechuang.ops.logs import ContextFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """The records of the request and error loggers, formatted by the settings' JSON formatter."""
    conf = {k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    from pythonjsonlogger.json import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(**conf))
    handler.addFilter(ContextFilter())
    loggers = [logging.getLogger(n) for n in ("kechuang.request", "django.request")]
    saved = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
        lg.propagate = False

    def lines():
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    yield lines
    for lg, (level, propagate) in zip(loggers, saved):
        lg.removeHandler(handler)
        lg.setLevel(level)
        lg.propagate = propagate


def test_request_line_has_id_user_and_duration(client_for, world, json_lines):
    user = world.users["coordinator"]
    r = client_for("coordinator").get("/home/")
    assert r.status_code == 200
    (line,) = [x for x in json_lines() if x["logger"] == "kechuang.request"]
    assert line["request_id"] == r["X-Request-ID"] and len(line["request_id"]) == 32
    assert line["user_id"] == str(user.pk)
    assert line["method"] == "GET" and line["path"] == "/home/" and line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO" and "time" in line


def test_the_proxys_request_id_is_kept_and_junk_is_replaced(client, json_lines):
    r = client.get("/healthz", headers={"x-request-id": "nginx-4f2a9c1b7d"})
    assert r["X-Request-ID"] == "nginx-4f2a9c1b7d"
    r2 = client.get("/healthz", headers={"x-request-id": "bad id\nwith newline"})
    assert r2["X-Request-ID"] != "bad id\nwith newline" and len(r2["X-Request-ID"]) == 32
    ids = [x["request_id"] for x in json_lines()]
    assert ids == ["nginx-4f2a9c1b7d", r2["X-Request-ID"]]
    assert all(x["user_id"] == "-" for x in json_lines())  # anonymous


@override_settings(ROOT_URLCONF="ops_error_urls")
def test_an_error_is_logged_with_its_trace_under_the_requests_id(json_lines):
    r = Client(raise_request_exception=False).get("/__err/500/")
    assert r.status_code == 500
    lines = json_lines()
    error = next(x for x in lines if x["logger"] == "django.request")
    request_line = next(x for x in lines if x["logger"] == "kechuang.request")
    assert error["level"] == "ERROR"
    assert "RuntimeError: boom" in error["exc_info"] and "Traceback" in error["exc_info"]
    assert error["request_id"] == request_line["request_id"] == r["X-Request-ID"]
    assert request_line["status"] == 500 and request_line["level"] == "ERROR"


def test_request_line_says_what_the_request_did_to_the_database(client_for, world, json_lines):
    """Queries, the tables written and the time waited in BEGIN and writes (on SQLite, the wait for
    the one write lock): how the load bench's SQLite tail was looked for (ADR 0043)."""
    c = client_for("coordinator")
    c.get("/home/")  # the landing page: reads only
    c.post("/accounts/logout/")  # ends the session
    page, logout = [x for x in json_lines() if x["logger"] == "kechuang.request"]
    assert page["db_writes"] == [] and page["db_lock_ms"] == 0
    assert page["db_queries"] >= 3 and page["db_ms"] >= 0
    assert isinstance(page["cpu_ms"], float) and page["cpu_ms"] >= 0
    assert "django_session" in logout["db_writes"]
    assert logout["db_lock_ms"] >= 0
