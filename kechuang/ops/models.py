"""Operations records: the task workers' heartbeats (what ``/healthz`` reads)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy

from kechuang.core.choices import ChoiceLabels


class WorkerHeartbeat(ChoiceLabels, models.Model):
    """One row per running task worker (``manage.py db_worker``), refreshed every few seconds.

    The worker deletes its row when it stops cleanly; a row whose ``seen_at`` is old is a worker that
    died (or a machine that lost the database) and counts as not alive.
    """

    worker_id = models.CharField(gettext_lazy("工作进程"), max_length=64, unique=True)
    hostname = models.CharField(gettext_lazy("主机"), max_length=255)
    pid = models.PositiveIntegerField(gettext_lazy("进程号"))
    started_at = models.DateTimeField(gettext_lazy("启动时间"))
    seen_at = models.DateTimeField(gettext_lazy("最近心跳"), db_index=True)
    task_id = models.CharField(gettext_lazy("当前任务"), max_length=64, blank=True)
    tasks_done = models.PositiveIntegerField(gettext_lazy("已完成任务"), default=0)

    class Meta:
        verbose_name = gettext_lazy("任务进程心跳")
        verbose_name_plural = gettext_lazy("任务进程心跳")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


def _job_upload_to(job, filename: str) -> str:
    return f"jobs/{job.pk}/{filename}"


class Job(ChoiceLabels, models.Model):
    """A long piece of work (a PDF of all agendas, the grid, a briefing) run by a task worker.

    The page that asked for it polls ``status``/``progress`` and ends with the file or ``error``.
    ``claim`` (``kechuang.ops.jobs``) moves QUEUED → RUNNING in one conditional UPDATE, so a job
    delivered twice, or seen by two workers, runs once.
    """

    class Kind(models.TextChoices):
        AGENDAS_PDF = "agendas_pdf", gettext_lazy("全部个人议程（PDF）")
        GRID_PDF = "grid_pdf", gettext_lazy("总排期（PDF）")
        BRIEFING_PDF = "briefing_pdf", gettext_lazy("数据简报（PDF）")

    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("排队中")
        RUNNING = "running", gettext_lazy("生成中")
        DONE = "done", gettext_lazy("已完成")
        FAILED = "failed", gettext_lazy("失败")

    id = models.UUIDField(primary_key=True, editable=False)
    kind = models.CharField(gettext_lazy("类型"), max_length=32, choices=Kind.choices)
    params = models.JSONField(gettext_lazy("参数"), default=dict, blank=True)
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="jobs", verbose_name=gettext_lazy("发起人"))
    status = models.CharField(gettext_lazy("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(gettext_lazy("进度"), default=0)
    stage = models.CharField(gettext_lazy("当前步骤"), max_length=100, blank=True)
    file = models.FileField(gettext_lazy("文件"), upload_to=_job_upload_to, blank=True)
    filename = models.CharField(gettext_lazy("文件名"), max_length=255, blank=True)
    content_type = models.CharField(gettext_lazy("文件类型"), max_length=100, blank=True)
    error = models.TextField(gettext_lazy("错误"), blank=True)
    worker = models.CharField(gettext_lazy("执行进程"), max_length=100, blank=True)
    created_at = models.DateTimeField(gettext_lazy("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(gettext_lazy("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(gettext_lazy("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("后台任务")
        verbose_name_plural = gettext_lazy("后台任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
