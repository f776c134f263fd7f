"""Operations records: the task workers' heartbeats (what ``/healthz`` reads)."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running task worker (``manage.py db_worker``), refreshed every few seconds.

    The worker deletes its row when it stops cleanly; a row whose ``seen_at`` is old is a worker that
    died (or a machine that lost the database) and counts as not alive.
    """

    worker_id = models.CharField("工作进程", max_length=64, unique=True)
    hostname = models.CharField("主机", max_length=255)
    pid = models.PositiveIntegerField("进程号")
    started_at = models.DateTimeField("启动时间")
    seen_at = models.DateTimeField("最近心跳", db_index=True)
    task_id = models.CharField("当前任务", max_length=64, blank=True)
    tasks_done = models.PositiveIntegerField("已完成任务", default=0)

    class Meta:
        verbose_name = "任务进程心跳"
        verbose_name_plural = "任务进程心跳"
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"
