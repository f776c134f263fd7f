"""The task workers' heartbeat: a row per worker, refreshed by a thread while the worker runs.

A thread (not the worker loop) beats so that a long task (a 95-page agenda PDF) does not make a busy
worker look dead; the row also says which task it is running, from django-tasks' started/finished
signals, so a worker stuck in one task for hours is visible too.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone


def interval() -> float:
    return float(getattr(settings, "KECHUANG_WORKER_HEARTBEAT_SECONDS", 10))


def stale_after() -> timedelta:
    """A worker not seen for three beats is not alive."""
    return timedelta(seconds=3 * interval())


def live_workers():
    from kechuang.ops.models import WorkerHeartbeat

    return WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - stale_after())


class Heartbeat:
    """``start()`` a beating thread for ``worker_id``; ``stop()`` ends it and deletes the row."""

    def __init__(self, worker_id: str):
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.task_id = ""
        self.tasks_done = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="kechuang-heartbeat", daemon=True)

    def beat(self) -> None:
        from kechuang.ops.models import WorkerHeartbeat

        # One beat at a time: a beat that read "no task" must not land after the "started" beat.
        with self._lock:
            WorkerHeartbeat.objects.update_or_create(
                worker_id=self.worker_id,
                defaults={
                    "hostname": socket.gethostname()[:255],
                    "pid": os.getpid(),
                    "started_at": self.started_at,
                    "seen_at": timezone.now(),
                    "task_id": self.task_id,
                    "tasks_done": self.tasks_done,
                },
            )

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                close_old_connections()
                self._beat_quietly()  # the database may be away for a moment; beat again later
                self._stop.wait(interval())
        finally:
            connection.close()

    def _beat_quietly(self) -> None:
        try:
            self.beat()
        except Exception:  # noqa: BLE001 - the thread beats again shortly
            logging.getLogger("kechuang.ops").warning("worker heartbeat failed", exc_info=True)

    def on_started(self, sender=None, task_result=None, **kwargs) -> None:
        self.task_id = str(getattr(task_result, "id", "") or "")
        self._beat_quietly()  # visible as busy at once, not at the next beat

    def on_finished(self, sender=None, task_result=None, **kwargs) -> None:
        self.task_id = ""
        self.tasks_done += 1
        self._beat_quietly()

    def start(self) -> None:
        from django_tasks.signals import task_finished, task_started

        task_started.connect(self.on_started, dispatch_uid=f"heartbeat-start-{self.worker_id}")
        task_finished.connect(self.on_finished, dispatch_uid=f"heartbeat-finish-{self.worker_id}")
        self.beat()  # alive from the first moment, before the first task is claimed
        self._thread.start()

    def stop(self) -> None:
        from kechuang.ops.models import WorkerHeartbeat

        self._stop.set()
        self._thread.join(timeout=5)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:  # noqa: BLE001 - stopping anyway; the row goes stale by itself
            logging.getLogger("kechuang.ops").warning(
                "could not remove the worker's heartbeat", exc_info=True
            )
