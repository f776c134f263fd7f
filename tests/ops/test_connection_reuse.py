"""A server process keeps its database connection from one request to the next, on SQLite as on
PostgreSQL (ADR 0043): on SQLite a connection opened per request re-reads the whole schema, and the
last one closed checkpoints and deletes the WAL, so the next request's connection waits on SQLite's
busy handler — the SQLite-only tail of the load bench."""

from __future__ import annotations

import json

PROBE = """
import json
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import RequestFactory

opened = []
connection_created.connect(lambda sender, connection, **kw: opened.append(connection.alias), weak=False)
app = WSGIHandler()
statuses = []
for _ in range(3):
    environ = RequestFactory()._base_environ(PATH_INFO="/healthz", REQUEST_METHOD="GET")
    body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    body.close()  # the end of the request: request_finished closes connections that must close
print(json.dumps({"opened": len(opened), "statuses": statuses, "max_age": connection.settings_dict["CONN_MAX_AGE"]}))
"""


def test_three_requests_in_one_process_use_one_connection(db_conf):
    from ops_subproc import python

    out = json.loads(python(db_conf, PROBE).strip().splitlines()[-1])
    # /healthz reads the database on every request (503 here: no task worker beats in this test)
    assert [s.split()[0] for s in out["statuses"]] in (["200"] * 3, ["503"] * 3)
    assert out["opened"] == 1, out
    assert out["max_age"] > 0
    if db_conf is not None:  # the switch the bench uses for "before": one connection per request
        out = json.loads(python(db_conf, PROBE, KECHUANG_SQLITE_CONN_MAX_AGE=0).strip().splitlines()[-1])
        assert out["opened"] == 3, out
