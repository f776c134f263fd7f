"""Notifications (one row per recipient) and each user's e-mail choice per kind."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from kechuang.core.choices import ChoiceLabels
from kechuang.notifications.kinds import Kind


class Notification(ChoiceLabels, models.Model):
    """Something that happened which matters to ``recipient``.

    The sentence is not stored: ``kind`` + ``params`` are rendered for the reader at display time,
    and ``need`` is named through ``needs.selectors.need_label`` (confidentiality is decided per
    reader, then). ``link`` is a path inside the site; the page it leads to checks access again.
    ``key`` makes periodic reminders idempotent (one per milestone, one per stall of a need).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(gettext_lazy("类型"), max_length=32, choices=Kind.choices, db_index=True)
    need = models.ForeignKey(
        "needs.Need", verbose_name=gettext_lazy("需求"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    params = models.JSONField(gettext_lazy("参数"), default=dict, blank=True)
    link = models.CharField(gettext_lazy("链接"), max_length=255, blank=True)
    key = models.CharField(gettext_lazy("去重键"), max_length=128, blank=True)
    created_at = models.DateTimeField(gettext_lazy("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(gettext_lazy("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(gettext_lazy("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("通知")
        verbose_name_plural = gettext_lazy("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~models.Q(key=""), name="notif_unique_key_per_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailPreference(ChoiceLabels, models.Model):
    """A user's choice to receive (or not) e-mail for one kind; no row = the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("用户"), on_delete=models.CASCADE, related_name="email_preferences"
    )
    kind = models.CharField(gettext_lazy("类型"), max_length=32, choices=Kind.choices)
    email = models.BooleanField(gettext_lazy("发送邮件"), default=True)

    class Meta:
        verbose_name = gettext_lazy("邮件通知偏好")
        verbose_name_plural = gettext_lazy("邮件通知偏好")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notif_pref_unique_user_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {'on' if self.email else 'off'}"
