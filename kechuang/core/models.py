"""The audit trail shared by every app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from kechuang.core.choices import ChoiceLabels


class AuditEntry(ChoiceLabels, models.Model):
    """Who did what to which record, and when. Written by services, never by views.

    ``action`` is a dotted verb (``need.submit``, ``need.transition``, ``need.view_confidential``);
    ``changes`` holds the fields written (or the from/to status) so a reviewer can replay it.

    Append-only in the database itself: triggers (``kechuang/core/audit_guard.py``, installed by
    migration 0003) refuse every UPDATE and DELETE, whoever sends it (ORM, admin, raw SQL). Only
    ``manage.py flush`` (the test suite's wipe between tests) may empty the table. So the actor
    is a plain column without a database constraint (deleting a user must not touch the rows) and
    ``actor_username`` keeps the name after the user is gone. Read ``actor_username`` for display,
    never ``actor`` (it may point at a deleted user).

    A later migration that alters this table must call ``audit_guard.install`` again: on SQLite
    Django rebuilds an altered table, and the triggers go with the old one (a test catches it).
    """

    at = models.DateTimeField(gettext_lazy("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("操作人"),
        null=True,
        blank=True,
        # not SET_NULL: that is an UPDATE the triggers refuse; no FK constraint, so a user can go
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_entries",
    )
    actor_username = models.CharField(gettext_lazy("操作人账号"), max_length=150, blank=True, db_index=True)
    action = models.CharField(gettext_lazy("操作"), max_length=64, db_index=True)
    object_type = models.CharField(gettext_lazy("对象类型"), max_length=64)
    object_id = models.CharField(gettext_lazy("对象编号"), max_length=64)
    object_repr = models.CharField(gettext_lazy("对象"), max_length=255, blank=True)
    changes = models.JSONField(gettext_lazy("内容"), default=dict, blank=True)

    class Meta:
        verbose_name = gettext_lazy("审计记录")
        verbose_name_plural = gettext_lazy("审计记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username or '系统'} {self.action} {self.object_repr}"
