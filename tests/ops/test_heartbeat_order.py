"""The worker's heartbeat is written by its beating thread and by the task signals: a beat that read
"no task" must not land after the "task started" beat (the row would say idle while busy)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from kechuang.ops import heartbeat as hb
from kechuang.ops.models import WorkerHeartbeat


def test_a_beat_that_read_no_task_never_lands_after_the_task_started_beat(monkeypatch):
    beat = hb.Heartbeat("order-probe")
    written: list[str] = []
    started = []

    def slow_write(worker_id, defaults):
        if not started:  # the beating thread's beat, which read "no task": the task starts meanwhile
            t = threading.Thread(target=beat.on_started, kwargs={"task_result": SimpleNamespace(id="t-1")})
            started.append(t)
            t.start()
            t.join(timeout=0.3)  # without one beat at a time, the signal's beat lands here first
        written.append(defaults["task_id"])
        return None, False

    monkeypatch.setattr(WorkerHeartbeat.objects, "update_or_create", slow_write)
    beat.beat()
    started[0].join(timeout=5)
    assert written[-1] == "t-1"  # the row ends saying what the worker is running
