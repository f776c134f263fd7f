"""The schedule: every optimiser run (``ScheduleRun``), the meetings it placed, and each
participant's seat at a slot (``MeetingSeat``), whose unique index prevents double booking."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_lazy

from kechuang.core.choices import ChoiceLabels
from kechuang.events.models.event import Event, Table
from kechuang.events.models.participants import Participant


class ScheduleRun(ChoiceLabels, models.Model):
    """One run of the optimiser (generate or re-plan), with what it proved."""

    class Kind(models.TextChoices):
        GENERATE = "generate", gettext_lazy("一键排期")
        REPLAN = "replan", gettext_lazy("调整排期")

    class Status(models.TextChoices):
        OPTIMAL = "optimal", gettext_lazy("最优")
        FEASIBLE = "feasible", gettext_lazy("可行（未证明最优）")
        INFEASIBLE = "infeasible", gettext_lazy("无可行方案")
        UNKNOWN = "unknown", gettext_lazy("超时未找到方案")

    event = models.ForeignKey(
        Event, verbose_name=gettext_lazy("活动"), on_delete=models.CASCADE, related_name="schedule_runs"
    )
    kind = models.CharField(gettext_lazy("类型"), max_length=16, choices=Kind.choices, default=Kind.GENERATE)
    status = models.CharField(gettext_lazy("结果"), max_length=16, choices=Status.choices)
    rule = models.CharField(gettext_lazy("冲突规则"), max_length=128, blank=True)
    message = models.TextField(gettext_lazy("说明"), blank=True)
    n_candidates = models.PositiveIntegerField(gettext_lazy("候选配对数"), default=0)
    n_meetings = models.PositiveIntegerField(gettext_lazy("洽谈场数"), default=0)
    breaks = models.PositiveIntegerField(gettext_lazy("空档总数"), null=True, blank=True)
    bound = models.PositiveIntegerField(gettext_lazy("最少可能空档数"), null=True, blank=True)
    selection_status = models.CharField(gettext_lazy("选择结果"), max_length=16, blank=True)
    selection_total = models.FloatField(gettext_lazy("选择总价值"), null=True, blank=True)
    selection_bound = models.FloatField(gettext_lazy("配对价值上限（最优不超过此值）"), null=True, blank=True)
    seconds = models.FloatField(gettext_lazy("用时（秒）"), default=0)
    time_limit = models.PositiveSmallIntegerField(gettext_lazy("时限（秒）"), default=20)
    moved = models.JSONField(gettext_lazy("移动的洽谈"), default=list, blank=True)
    violations = models.JSONField(gettext_lazy("规则检查"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(gettext_lazy("时间"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("排期记录")
        verbose_name_plural = gettext_lazy("排期记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event} · {self.get_kind_display()} · {self.get_status_display()}"

    @property
    def is_optimal(self) -> bool:
        return self.status == self.Status.OPTIMAL

    @property
    def breaks_gap(self) -> float | None:
        """How far the breaks may be from optimal (0 = proven optimal)."""
        if self.breaks is None or self.bound is None:
            return None
        return 0.0 if self.breaks <= self.bound else (self.breaks - self.bound) / max(1, self.breaks)

    @property
    def breaks_excess(self) -> int | None:
        """Breaks above the proven lower bound (0 when optimal)."""
        if self.breaks is None or self.bound is None:
            return None
        return max(0, self.breaks - self.bound)

    @property
    def moved_count(self) -> int:
        """Existing meetings this run moved (walk-ins it added are not counted)."""
        return sum(1 for x in self.moved or [] if not x.get("added"))

    @property
    def slot_moves(self) -> int:
        """Existing meetings that changed time (the rest of ``moved_count`` only changed table)."""
        return sum(1 for x in self.moved or [] if not x.get("added") and x.get("slot_changed", True))

    @property
    def selection_gap(self) -> float | None:
        if self.selection_total is None or not self.selection_bound:
            return None
        return max(0.0, (self.selection_bound - self.selection_total) / self.selection_bound)


class Meeting(ChoiceLabels, models.Model):
    """A one-to-one talk (洽谈) on the day: enterprise representative × expert, slot and table."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", gettext_lazy("已排期")
        CANCELLED = "cancelled", gettext_lazy("已取消")

    class Origin(models.TextChoices):
        SCHEDULE = "schedule", gettext_lazy("一键排期")
        WALK_IN = "walk_in", gettext_lazy("现场加场")

    class Outcome(models.TextChoices):
        INTERESTED = "interested", gettext_lazy("有合作意向")
        FOLLOW_UP = "follow_up", gettext_lazy("约定后续跟进")
        NOT_RELEVANT = "not_relevant", gettext_lazy("不对口")

    class LaterOutcome(models.TextChoices):
        NEGOTIATING = "negotiating", gettext_lazy("已开始洽商")
        AGREEMENT = "agreement", gettext_lazy("已达成协议")
        NONE = "none", gettext_lazy("未继续")

    event = models.ForeignKey(Event, verbose_name=gettext_lazy("活动"), on_delete=models.CASCADE, related_name="meetings")
    enterprise = models.ForeignKey(
        Participant, verbose_name=gettext_lazy("企业代表"), on_delete=models.PROTECT, related_name="meetings_as_enterprise"
    )
    expert = models.ForeignKey(
        Participant, verbose_name=gettext_lazy("专家"), on_delete=models.PROTECT, related_name="meetings_as_expert"
    )
    need = models.ForeignKey(
        "needs.Need",
        verbose_name=gettext_lazy("洽谈需求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_meetings",
    )
    slot = models.PositiveSmallIntegerField(gettext_lazy("场次"))
    table = models.ForeignKey(
        Table,
        verbose_name=gettext_lazy("洽谈桌"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        help_text=gettext_lazy("线上洽谈没有洽谈桌"),
    )
    online = models.BooleanField(gettext_lazy("线上洽谈"), default=False)
    video_link = models.URLField(gettext_lazy("视频会议链接"), max_length=600, blank=True)
    status = models.CharField(
        gettext_lazy("状态"), max_length=16, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    origin = models.CharField(gettext_lazy("来源"), max_length=16, choices=Origin.choices, default=Origin.SCHEDULE)
    run = models.ForeignKey(
        ScheduleRun,
        verbose_name=gettext_lazy("排期记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    previous_slot = models.PositiveSmallIntegerField(gettext_lazy("调整前场次"), null=True, blank=True)
    previous_table = models.ForeignKey(
        Table, verbose_name=gettext_lazy("调整前洽谈桌"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_in_at = models.DateTimeField(gettext_lazy("开始洽谈（签到）"), null=True, blank=True)
    outcome = models.CharField(gettext_lazy("现场结果"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(gettext_lazy("现场记录"), blank=True)
    outcome_at = models.DateTimeField(gettext_lazy("记录时间"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    later_outcome = models.CharField(gettext_lazy("后续评价"), max_length=16, choices=LaterOutcome.choices, blank=True)
    later_note = models.TextField(gettext_lazy("后续说明"), blank=True)
    later_at = models.DateTimeField(gettext_lazy("后续评价时间"), null=True, blank=True)
    cancel_reason = models.CharField(gettext_lazy("取消原因"), max_length=255, blank=True)
    created_at = models.DateTimeField(gettext_lazy("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("洽谈")
        verbose_name_plural = gettext_lazy("洽谈")
        ordering = ["event", "slot", "table__number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "slot", "table"],
                condition=models.Q(status="scheduled"),
                name="meeting_unique_table_slot",
            ),
            models.CheckConstraint(condition=models.Q(slot__gte=1), name="meeting_slot_positive"),
            # a meeting is either at a table or online (a video link), never both or neither
            models.CheckConstraint(
                condition=models.Q(online=True, table__isnull=True)
                | models.Q(online=False, table__isnull=False),
                name="meeting_table_or_online",
            ),
        ]

    def __str__(self) -> str:
        return gettext("第%(slot)s场 %(place)s：%(name)s × %(name2)s") % {"slot": self.slot, "place": self.place, "name": self.enterprise.name, "name2": self.expert.name}

    @property
    def join_link(self) -> str:
        """The video link of an online meeting: its own, or the event's meeting room with this
        meeting's room number appended ("" when none is set yet)."""
        if not self.online:
            return ""
        if self.video_link:
            return self.video_link
        base = getattr(getattr(self.event, "meeting_day", None), "video_link", "")
        if not base:
            return ""
        return f"{base}{'&' if '?' in base else '?'}room=kc-{self.event_id}-{self.pk}"

    @property
    def place(self) -> str:
        """Where the talk happens, for people: the table, or "线上" for an online meeting."""
        return gettext("线上") if self.online else str(self.table)

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.SCHEDULED

    @property
    def moved(self) -> bool:
        return self.previous_slot is not None and (
            self.previous_slot != self.slot or (not self.online and self.previous_table_id != self.table_id)
        )


class MeetingSeat(ChoiceLabels, models.Model):
    """One participant's place in one scheduled meeting: the row that makes a participant's slot
    unique in the database. Exists only while the meeting is scheduled (cancelling deletes it)."""

    meeting = models.ForeignKey(Meeting, verbose_name=gettext_lazy("洽谈"), on_delete=models.CASCADE, related_name="seats")
    participant = models.ForeignKey(
        Participant, verbose_name=gettext_lazy("参会者"), on_delete=models.CASCADE, related_name="seats"
    )
    event = models.ForeignKey(Event, verbose_name=gettext_lazy("活动"), on_delete=models.CASCADE, related_name="+")
    slot = models.PositiveSmallIntegerField(gettext_lazy("场次"))

    class Meta:
        verbose_name = gettext_lazy("洽谈席位")
        verbose_name_plural = gettext_lazy("洽谈席位")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "participant", "slot"], name="meetingseat_unique_participant_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.slot}"
