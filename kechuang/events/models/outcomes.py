"""What a meeting's outcome proposes: "已对接" for the need talked about, waiting for a coordinator
(only coordinators move a need along the pipeline; experts and enterprises record outcomes)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_lazy

from kechuang.core.choices import ChoiceLabels
from kechuang.events.models.event import Event
from kechuang.events.models.schedule import Meeting


class MetProposal(ChoiceLabels, models.Model):
    """An expert or an enterprise recorded an outcome that indicates a match: the need talked
    about should become "已对接". A coordinator confirms (the need moves through the need service)
    or dismisses it, in one click each."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("待确认")
        CONFIRMED = "confirmed", gettext_lazy("已确认")
        DISMISSED = "dismissed", gettext_lazy("已驳回")
        WITHDRAWN = "withdrawn", gettext_lazy("已撤回")

    event = models.ForeignKey(
        Event, verbose_name=gettext_lazy("活动"), on_delete=models.CASCADE, related_name="met_proposals"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=gettext_lazy("洽谈"), on_delete=models.CASCADE, related_name="met_proposals"
    )
    need = models.ForeignKey("needs.Need", verbose_name=gettext_lazy("需求"), on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(gettext_lazy("现场结果"), max_length=16, choices=Meeting.Outcome.choices)
    note = models.TextField(gettext_lazy("现场记录"), blank=True)
    status = models.CharField(
        gettext_lazy("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("提议人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(gettext_lazy("提议时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(gettext_lazy("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("已对接提议")
        verbose_name_plural = gettext_lazy("已对接提议")
        ordering = ["-created_at", "-id"]
        constraints = [
            # one open proposal per meeting: recording the outcome again updates it
            models.UniqueConstraint(
                fields=["meeting"],
                condition=models.Q(status="pending"),
                name="metproposal_one_pending_per_meeting",
            ),
        ]

    def __str__(self) -> str:
        return gettext("已对接提议：%(meeting)s") % {"meeting": self.meeting}

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
