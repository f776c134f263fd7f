"""What ``/healthz`` reports: the database, the task workers and the matching indexes.

``ok`` is true when the service can serve: the database answers and, when tasks go through the
database queue, at least one worker is alive (without one, PDFs and reindexing would wait forever).
A matching index that is stale, building or failed leaves the service able to serve (pages fall back
to keyword matching with a visible banner), so it is reported but does not fail the check.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.utils import timezone


def workers_required() -> bool:
    backend = str(settings.TASKS.get("default", {}).get("BACKEND", ""))
    return getattr(settings, "KECHUANG_HEALTH_REQUIRE_WORKERS", None) is not False and backend.startswith(
        "django_tasks_db"
    )


def check_database() -> dict:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as e:  # noqa: BLE001 - reported, not raised: the answer is the 503
        return {"ok": False, "vendor": connection.vendor, "error": type(e).__name__}


def check_workers() -> dict:
    from kechuang.ops.heartbeat import live_workers

    required = workers_required()
    try:
        live = list(live_workers().values("hostname", "pid", "seen_at", "task_id", "tasks_done"))
        queued = _queued_tasks()
    except Exception as e:  # noqa: BLE001
        return {"ok": not required, "required": required, "error": type(e).__name__}
    now = timezone.now()
    return {
        "ok": bool(live) or not required,
        "required": required,
        "alive": len(live),
        "busy": sum(1 for w in live if w["task_id"]),
        "last_seen_seconds": round(min((now - w["seen_at"]).total_seconds() for w in live), 1) if live else None,
        "queued": queued,
    }


def _queued_tasks() -> int | None:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the backend is always installed here
        return None
    return DBTaskResult.objects.ready().count()


def check_matching() -> dict:
    try:
        from kechuang.matching.models import IndexState

        states = {s.kind: s for s in IndexState.objects.all()}
    except Exception as e:  # noqa: BLE001
        return {"ok": False, "error": type(e).__name__}
    kinds = {}
    for s in states.values():
        kinds[s.kind] = {
            "status": s.status,
            "candidates": s.n_candidates,
            "vectors": s.n_vectors,
            "progress": s.progress_percent,
            "error": bool(s.error),
            "built_at": s.built_at.isoformat() if s.built_at else None,
        }
    ready = bool(states) and all(s.status == "ready" and not s.error for s in states.values())
    return {"ok": ready, "indexes": kinds}


def health() -> tuple[bool, dict]:
    """(can serve, the JSON body)."""
    db = check_database()
    if db["ok"]:
        workers, matching = check_workers(), check_matching()
    else:  # nothing else can be read without the database
        workers = {"ok": not workers_required(), "required": workers_required(), "error": "database"}
        matching = {"ok": False, "error": "database"}
    ok = db["ok"] and workers["ok"]
    status = "ok" if ok and matching["ok"] else ("degraded" if ok else "fail")
    return ok, {
        "status": status,
        "time": timezone.now().isoformat(),
        "database": db,
        "workers": workers,
        "matching": matching,
    }
