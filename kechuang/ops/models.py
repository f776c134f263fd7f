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


def _job_upload_to(job, filename: str) -> str:
    return f"jobs/{job.pk}/{filename}"


class Job(models.Model):
    """A long piece of work (a PDF of all agendas, the grid, a briefing) run by a task worker.

    The page that asked for it polls ``status``/``progress`` and ends with the file or ``error``.
    ``claim`` (``kechuang.ops.jobs``) moves QUEUED → RUNNING in one conditional UPDATE, so a job
    delivered twice, or seen by two workers, runs once.
    """

    class Kind(models.TextChoices):
        AGENDAS_PDF = "agendas_pdf", "全部个人议程（PDF）"
        GRID_PDF = "grid_pdf", "总排期（PDF）"
        BRIEFING_PDF = "briefing_pdf", "数据简报（PDF）"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, editable=False)
    kind = models.CharField("类型", max_length=32, choices=Kind.choices)
    params = models.JSONField("参数", default=dict, blank=True)
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="jobs", verbose_name="发起人")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    stage = models.CharField("当前步骤", max_length=100, blank=True)
    file = models.FileField("文件", upload_to=_job_upload_to, blank=True)
    filename = models.CharField("文件名", max_length=255, blank=True)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    error = models.TextField("错误", blank=True)
    worker = models.CharField("执行进程", max_length=100, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
