"""An uploaded workbook and what the importer made of it (the page's state between steps)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


def upload_to(batch, filename):
    return f"intake/{uuid.uuid4().hex}.xlsx"


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        CHECKING = "checking", "校验中"
        CHECKED = "checked", "已校验，待确认"
        INVALID = "invalid", "有错误，未导入"
        COMMITTING = "committing", "导入中"
        COMMITTED = "committed", "已导入"
        FAILED = "failed", "处理失败"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    kind = models.CharField("数据类型", max_length=32)
    filename = models.CharField("文件名", max_length=255)
    file = models.FileField("文件", upload_to=upload_to, max_length=255)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.QUEUED)
    report = models.JSONField("校验报告", default=dict, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.COMMITTING)
