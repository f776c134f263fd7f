"""A task for the worker tests: records what /healthz sees while a worker is running it."""

from django_tasks import task


@task()
def probe_health() -> dict:
    from kechuang.ops.health import health
    from kechuang.ops.models import WorkerHeartbeat

    ok, body = health()
    rows = list(WorkerHeartbeat.objects.values("task_id", "pid"))
    return {"ok": ok, "alive": body["workers"]["alive"], "busy": body["workers"]["busy"], "rows": len(rows)}
