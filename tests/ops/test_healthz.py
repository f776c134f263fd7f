"""/healthz: 200 when the service can serve, 503 otherwise; the worker heartbeat it reads."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone

from kechuang.ops.models import WorkerHeartbeat

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
pytestmark = pytest.mark.django_db


def _beat(seconds_ago: float, worker="w1"):
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id=worker, hostname="h", pid=1, started_at=now - timedelta(hours=1),
        seen_at=now - timedelta(seconds=seconds_ago),
    )


def _get(client):
    r = client.get("/healthz")
    assert r["Content-Type"] == "application/json"
    assert "no-cache" in r["Cache-Control"] or "max-age=0" in r["Cache-Control"]
    return r.status_code, json.loads(r.content)


def test_immediate_tasks_need_no_worker(client):
    code, body = _get(client)
    assert code == 200
    assert body["database"]["ok"] is True
    assert body["workers"]["required"] is False
    assert set(body) >= {"status", "database", "workers", "matching"}


@override_settings(TASKS=DB_TASKS)
def test_database_queue_without_a_live_worker_is_503(client):
    code, body = _get(client)
    assert code == 503 and body["status"] == "fail"
    assert body["workers"] == body["workers"] | {"ok": False, "required": True, "alive": 0}


@override_settings(TASKS=DB_TASKS, KECHUANG_WORKER_HEARTBEAT_SECONDS=10)
def test_a_fresh_heartbeat_makes_it_200_and_a_stale_one_does_not(client):
    _beat(seconds_ago=5)
    code, body = _get(client)
    assert code == 200 and body["workers"]["alive"] == 1
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(seconds=31))
    code, body = _get(client)
    assert code == 503 and body["workers"]["alive"] == 0


def test_database_down_is_503(client, monkeypatch):
    def broken_cursor(*a, **k):
        raise OperationalError("could not connect to server")

    from kechuang.ops import health

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)
    code, body = _get(client)
    assert code == 503
    assert body["database"] == body["database"] | {"ok": False, "error": "OperationalError"}


def test_matching_index_state_is_reported_and_does_not_fail_the_check(client):
    from kechuang.matching.models import IndexState

    IndexState.objects.create(kind="expert", status="ready", n_candidates=3, n_vectors=3)
    IndexState.objects.create(kind="achievement", status="building", done=1, total=4)
    code, body = _get(client)
    assert code == 200 and body["status"] == "degraded"
    assert body["matching"]["indexes"]["expert"]["status"] == "ready"
    assert body["matching"]["indexes"]["achievement"] == body["matching"]["indexes"]["achievement"] | {
        "status": "building", "progress": 25}
    IndexState.objects.filter(kind="achievement").update(status="ready")
    assert _get(client)[1]["status"] == "ok"


def test_healthz_answers_only_get(client):
    assert client.post("/healthz").status_code == 405


def test_db_worker_beats_while_it_runs_and_removes_its_row_when_it_stops(db_conf):
    """A real worker process (the settings make run uses): alive and busy while it runs a task, gone after."""
    from ops_subproc import manage
    from race import in_thread

    def enqueue():
        from ops_probe_tasks import probe_health

        with override_settings(TASKS=DB_TASKS):
            return str(probe_health.enqueue().id)

    task_id = in_thread(enqueue, db_conf)
    manage(db_conf, "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id", "probe-1")

    def outcome():
        from django_tasks_db.models import DBTaskResult

        row = DBTaskResult.objects.get(id=task_id)
        return row.status, row.return_value, WorkerHeartbeat.objects.filter(worker_id="probe-1").exists()

    status, seen, row_left = in_thread(outcome, db_conf)
    assert status == "SUCCESSFUL"
    assert seen == {"ok": True, "alive": 1, "busy": 1, "rows": 1}  # the worker was alive and busy with it
    assert row_left is False  # its row is gone after a clean stop
