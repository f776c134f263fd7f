"""Setting up an event: the event itself (活动, of every kind), a matchmaking meeting's slot grid
(``MeetingDay``) and its tables."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import models
from django.utils.translation import gettext, gettext_lazy

from kechuang.core.choices import ChoiceLabels


class Event(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        MATCHMAKING = "matchmaking", gettext_lazy("对接会")
        SYMPOSIUM = "symposium", gettext_lazy("座谈会")
        VISIT = "visit", gettext_lazy("走进园区")
        CONFERENCE = "conference", gettext_lazy("学术会议")
        COMPETITION = "competition", gettext_lazy("竞赛")
        SIGNING = "signing", gettext_lazy("签约仪式")

    kind = models.CharField(gettext_lazy("类型"), max_length=16, choices=Kind.choices, db_index=True)
    title = models.CharField(gettext_lazy("名称"), max_length=255)
    start = models.DateTimeField(gettext_lazy("开始时间"), db_index=True)
    end = models.DateTimeField(gettext_lazy("结束时间"))
    venue = models.CharField(gettext_lazy("地点"), max_length=255, blank=True)
    district = models.ForeignKey(
        "accounts.Area",
        verbose_name=gettext_lazy("地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    organisers = models.ManyToManyField(
        "orgs.Organisation", verbose_name=gettext_lazy("主办单位"), blank=True, related_name="organised_events"
    )
    societies = models.ManyToManyField(
        "orgs.Organisation",
        verbose_name=gettext_lazy("参与学会"),
        blank=True,
        related_name="society_events",
        limit_choices_to={"kind": "society"},
    )
    description = models.TextField(gettext_lazy("简介"), blank=True)
    scale = models.PositiveIntegerField(gettext_lazy("规模（人）"), null=True, blank=True)
    is_demo = models.BooleanField(gettext_lazy("演示数据"), default=False)

    class Meta:
        verbose_name = gettext_lazy("活动")
        verbose_name_plural = gettext_lazy("活动")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="event_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_matchmaking(self) -> bool:
        return self.kind == self.Kind.MATCHMAKING

    @property
    def is_past(self) -> bool:
        """The event has ended: it takes no more registrations or meeting requests."""
        from django.utils import timezone

        return self.end < timezone.now()


class MeetingDay(ChoiceLabels, models.Model):
    """The slot grid of a matchmaking meeting: a morning and an afternoon session of equal slots,
    with the lunch break between them (slots are numbered 1..n, morning first)."""

    event = models.OneToOneField(
        Event, verbose_name=gettext_lazy("活动"), on_delete=models.CASCADE, related_name="meeting_day"
    )
    date = models.DateField(gettext_lazy("日期"))
    slot_minutes = models.PositiveSmallIntegerField(gettext_lazy("每场时长（分钟）"), default=20)
    morning_start = models.TimeField(gettext_lazy("上午开始"), default=time(9, 0))
    morning_slots = models.PositiveSmallIntegerField(gettext_lazy("上午场次"), default=8)
    afternoon_start = models.TimeField(gettext_lazy("下午开始"), default=time(13, 30))
    afternoon_slots = models.PositiveSmallIntegerField(gettext_lazy("下午场次"), default=6)
    max_meetings_per_rep = models.PositiveSmallIntegerField(gettext_lazy("每位企业代表最多洽谈数"), default=4)
    max_meetings_per_expert = models.PositiveSmallIntegerField(gettext_lazy("每位专家最多洽谈数"), default=8)
    proposals_below = models.PositiveSmallIntegerField(
        gettext_lazy("请求少于此数时由匹配引擎补充"),
        default=2,
        help_text=gettext_lazy("企业代表已确认的洽谈请求少于此数时，系统按匹配度补充候选专家"),
    )
    fairness = models.PositiveSmallIntegerField(
        gettext_lazy("公平性（空档差上限）"),
        null=True,
        blank=True,
        default=2,
        help_text=gettext_lazy("任意两位参会者的空档数之差不超过此值；留空不限"),
    )
    time_limit = models.PositiveSmallIntegerField(gettext_lazy("求解时限（秒）"), default=20)
    video_link = models.URLField(
        gettext_lazy("线上洽谈会议室链接"),
        max_length=500,
        blank=True,
        help_text=gettext_lazy("线上洽谈的视频会议链接；每场线上洽谈在其后附加自己的房间号"),
    )

    class Meta:
        verbose_name = gettext_lazy("对接会日程设置")
        verbose_name_plural = gettext_lazy("对接会日程设置")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gte=5), name="meetingday_slot_minutes_min"
            ),
            models.CheckConstraint(
                condition=models.Q(morning_slots__gt=0) | models.Q(afternoon_slots__gt=0),
                name="meetingday_has_slots",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.date}"

    @property
    def n_slots(self) -> int:
        return self.morning_slots + self.afternoon_slots

    def morning_end(self) -> time:
        return self._at(self.morning_start, self.morning_slots).time()

    def _at(self, start: time, k: int) -> datetime:
        return datetime.combine(self.date or date.today(), start) + timedelta(minutes=k * self.slot_minutes)

    def slot_start(self, slot: int) -> datetime:
        if slot <= self.morning_slots:
            return self._at(self.morning_start, slot - 1)
        return self._at(self.afternoon_start, slot - self.morning_slots - 1)

    def slot_label(self, slot: int) -> str:
        a = self.slot_start(slot)
        b = a + timedelta(minutes=self.slot_minutes)
        return f"{a:%H:%M}–{b:%H:%M}"

    def session_label(self, slot: int) -> str:
        return gettext("上午") if slot <= self.morning_slots else gettext("下午")

    def slots(self) -> list[dict]:
        return [
            {"n": s, "label": self.slot_label(s), "session": self.session_label(s)}
            for s in range(1, self.n_slots + 1)
        ]


class Table(ChoiceLabels, models.Model):
    event = models.ForeignKey(Event, verbose_name=gettext_lazy("活动"), on_delete=models.CASCADE, related_name="tables")
    number = models.PositiveSmallIntegerField(gettext_lazy("桌号"))
    name = models.CharField(gettext_lazy("名称"), max_length=64, blank=True)
    active = models.BooleanField(gettext_lazy("可用"), default=True)

    class Meta:
        verbose_name = gettext_lazy("洽谈桌")
        verbose_name_plural = gettext_lazy("洽谈桌")
        ordering = ["event", "number"]
        constraints = [models.UniqueConstraint(fields=["event", "number"], name="table_unique_number")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name people read: the default one stored at set-up ("3号桌") in the reader's words
        ("Table 3" in English), a name somebody typed as typed."""
        if not self.name or self.name == f"{self.number}号桌":
            return gettext("%(number)s号桌") % {"number": self.number}
        return self.name
