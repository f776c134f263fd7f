"""An uploaded workbook and what the importer made of it (the page's state between steps)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from kechuang.core.choices import ChoiceLabels


def upload_to(batch, filename):
    return f"intake/{uuid.uuid4().hex}.xlsx"


class ImportBatch(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("排队中")
        CHECKING = "checking", gettext_lazy("校验中")
        CHECKED = "checked", gettext_lazy("已校验，待确认")
        INVALID = "invalid", gettext_lazy("有错误，未导入")
        COMMITTING = "committing", gettext_lazy("导入中")
        COMMITTED = "committed", gettext_lazy("已导入")
        FAILED = "failed", gettext_lazy("处理失败")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("上传人"),
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    kind = models.CharField(gettext_lazy("数据类型"), max_length=32)
    filename = models.CharField(gettext_lazy("文件名"), max_length=255)
    file = models.FileField(gettext_lazy("文件"), upload_to=upload_to, max_length=255)
    size = models.PositiveIntegerField(gettext_lazy("大小（字节）"), default=0)
    status = models.CharField(gettext_lazy("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    report = models.JSONField(gettext_lazy("校验报告"), default=dict, blank=True)
    created_at = models.DateTimeField(gettext_lazy("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(gettext_lazy("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("导入批次")
        verbose_name_plural = gettext_lazy("导入批次")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.COMMITTING)
