"""Events (活动) of every kind, and the matchmaking-meeting (对接会) machinery built on ``Event``:
the day's slots (``MeetingDay``), tables, participants, meeting requests, coordinator pair rules,
scheduled meetings with their per-participant seats, and the record of every optimiser run.

Double booking is prevented by the database, not only by code (docs/adr/0006-meeting-day.md):
a scheduled meeting owns its (event, slot, table) and each of its participants owns a
``MeetingSeat`` (event, participant, slot); both are unique indexes, so two coordinators editing
at once cannot both win.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models


class Event(models.Model):
    class Kind(models.TextChoices):
        MATCHMAKING = "matchmaking", "对接会"
        SYMPOSIUM = "symposium", "座谈会"
        VISIT = "visit", "走进园区"
        CONFERENCE = "conference", "学术会议"
        COMPETITION = "competition", "竞赛"
        SIGNING = "signing", "签约仪式"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices, db_index=True)
    title = models.CharField("名称", max_length=255)
    start = models.DateTimeField("开始时间", db_index=True)
    end = models.DateTimeField("结束时间")
    venue = models.CharField("地点", max_length=255, blank=True)
    district = models.ForeignKey(
        "accounts.Area",
        verbose_name="地区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    organisers = models.ManyToManyField(
        "orgs.Organisation", verbose_name="主办单位", blank=True, related_name="organised_events"
    )
    societies = models.ManyToManyField(
        "orgs.Organisation",
        verbose_name="参与学会",
        blank=True,
        related_name="society_events",
        limit_choices_to={"kind": "society"},
    )
    description = models.TextField("简介", blank=True)
    scale = models.PositiveIntegerField("规模（人）", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"
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


class MeetingDay(models.Model):
    """The slot grid of a matchmaking meeting: a morning and an afternoon session of equal slots,
    with the lunch break between them (slots are numbered 1..n, morning first)."""

    event = models.OneToOneField(
        Event, verbose_name="活动", on_delete=models.CASCADE, related_name="meeting_day"
    )
    date = models.DateField("日期")
    slot_minutes = models.PositiveSmallIntegerField("每场时长（分钟）", default=20)
    morning_start = models.TimeField("上午开始", default=time(9, 0))
    morning_slots = models.PositiveSmallIntegerField("上午场次", default=8)
    afternoon_start = models.TimeField("下午开始", default=time(13, 30))
    afternoon_slots = models.PositiveSmallIntegerField("下午场次", default=6)
    max_meetings_per_rep = models.PositiveSmallIntegerField("每位企业代表最多洽谈数", default=4)
    max_meetings_per_expert = models.PositiveSmallIntegerField("每位专家最多洽谈数", default=8)
    proposals_below = models.PositiveSmallIntegerField(
        "请求少于此数时由匹配引擎补充",
        default=2,
        help_text="企业代表已确认的洽谈请求少于此数时，系统按匹配度补充候选专家",
    )
    fairness = models.PositiveSmallIntegerField(
        "公平性（空档差上限）",
        null=True,
        blank=True,
        default=2,
        help_text="任意两位参会者的空档数之差不超过此值；留空不限",
    )
    time_limit = models.PositiveSmallIntegerField("求解时限（秒）", default=20)

    class Meta:
        verbose_name = "对接会日程设置"
        verbose_name_plural = "对接会日程设置"
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
        return "上午" if slot <= self.morning_slots else "下午"

    def slots(self) -> list[dict]:
        return [
            {"n": s, "label": self.slot_label(s), "session": self.session_label(s)}
            for s in range(1, self.n_slots + 1)
        ]


class Table(models.Model):
    event = models.ForeignKey(Event, verbose_name="活动", on_delete=models.CASCADE, related_name="tables")
    number = models.PositiveSmallIntegerField("桌号")
    name = models.CharField("名称", max_length=64, blank=True)
    active = models.BooleanField("可用", default=True)

    class Meta:
        verbose_name = "洽谈桌"
        verbose_name_plural = "洽谈桌"
        ordering = ["event", "number"]
        constraints = [models.UniqueConstraint(fields=["event", "number"], name="table_unique_number")]

    def __str__(self) -> str:
        return self.name or f"{self.number}号桌"


class Participant(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", "企业代表"
        EXPERT = "expert", "专家"
        LIAISON = "liaison", "学会联络员"

    class Status(models.TextChoices):
        REGISTERED = "registered", "已报名"
        CANCELLED = "cancelled", "已取消"

    event = models.ForeignKey(
        Event, verbose_name="活动", on_delete=models.CASCADE, related_name="participants"
    )
    kind = models.CharField("身份", max_length=16, choices=Kind.choices, db_index=True)
    name = models.CharField("姓名", max_length=64)
    position = models.CharField("职务", max_length=64, blank=True)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event_participants",
        help_text="企业代表：所在企业；专家、联络员：所代表的学会",
    )
    expert = models.ForeignKey(
        "experts.Expert",
        verbose_name="专家档案",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event_participations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="平台账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_participations",
    )
    needs = models.ManyToManyField(
        "needs.Need", verbose_name="带来的需求", blank=True, related_name="event_participants"
    )
    unavailable_slots = models.JSONField("不能参加的场次", default=list, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.REGISTERED)
    arrived_at = models.DateTimeField("签到时间", null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报名人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("报名时间", auto_now_add=True)

    class Meta:
        verbose_name = "参会者"
        verbose_name_plural = "参会者"
        ordering = ["event", "kind", "organisation_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "expert"],
                condition=models.Q(expert__isnull=False, status="registered"),
                name="participant_unique_expert",
            ),
        ]

    def __str__(self) -> str:
        org = self.organisation.short_name or self.organisation.name if self.organisation_id else ""
        return f"{self.name}（{org}）" if org else self.name

    @property
    def active(self) -> bool:
        return self.status == self.Status.REGISTERED


class MeetingRequest(models.Model):
    """A request for a one-to-one talk, from an enterprise representative to an expert or the
    other way round; the other side accepts or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", "待回复"
        ACCEPTED = "accepted", "已接受"
        DECLINED = "declined", "已谢绝"
        WITHDRAWN = "withdrawn", "已撤回"

    class Direction(models.TextChoices):
        TO_EXPERT = "to_expert", "企业→专家"
        TO_ENTERPRISE = "to_enterprise", "专家→企业"

    event = models.ForeignKey(
        Event, verbose_name="活动", on_delete=models.CASCADE, related_name="meeting_requests"
    )
    enterprise = models.ForeignKey(
        Participant, verbose_name="企业代表", on_delete=models.CASCADE, related_name="requests_as_enterprise"
    )
    expert = models.ForeignKey(
        Participant, verbose_name="专家", on_delete=models.CASCADE, related_name="requests_as_expert"
    )
    need = models.ForeignKey(
        "needs.Need",
        verbose_name="洽谈需求",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    direction = models.CharField("方向", max_length=16, choices=Direction.choices)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    priority = models.PositiveSmallIntegerField("优先级", default=2, help_text="1 一般，2 重要，3 必须优先")
    message = models.CharField("留言", max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提出人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回复人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responded_at = models.DateTimeField("回复时间", null=True, blank=True)

    class Meta:
        verbose_name = "洽谈请求"
        verbose_name_plural = "洽谈请求"
        ordering = ["event", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "enterprise", "expert"],
                condition=models.Q(status__in=["pending", "accepted"]),
                name="meetingrequest_unique_open_pair",
            ),
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=3), name="meetingrequest_priority_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} ↔ {self.expert}"


class PairRule(models.Model):
    """A coordinator's decision about one pair: always meet (force) or never (forbid)."""

    class Action(models.TextChoices):
        FORCE = "force", "必须安排"
        FORBID = "forbid", "不予安排"

    event = models.ForeignKey(Event, verbose_name="活动", on_delete=models.CASCADE, related_name="pair_rules")
    enterprise = models.ForeignKey(
        Participant, verbose_name="企业代表", on_delete=models.CASCADE, related_name="+"
    )
    expert = models.ForeignKey(Participant, verbose_name="专家", on_delete=models.CASCADE, related_name="+")
    action = models.CharField("决定", max_length=8, choices=Action.choices)
    note = models.CharField("说明", max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="设置人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "配对规则"
        verbose_name_plural = "配对规则"
        constraints = [
            models.UniqueConstraint(fields=["event", "enterprise", "expert"], name="pairrule_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}：{self.enterprise} ↔ {self.expert}"


class ScheduleRun(models.Model):
    """One run of the optimiser (generate or re-plan), with what it proved."""

    class Kind(models.TextChoices):
        GENERATE = "generate", "一键排期"
        REPLAN = "replan", "调整排期"

    class Status(models.TextChoices):
        OPTIMAL = "optimal", "最优"
        FEASIBLE = "feasible", "可行（未证明最优）"
        INFEASIBLE = "infeasible", "无可行方案"
        UNKNOWN = "unknown", "超时未找到方案"

    event = models.ForeignKey(
        Event, verbose_name="活动", on_delete=models.CASCADE, related_name="schedule_runs"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.GENERATE)
    status = models.CharField("结果", max_length=16, choices=Status.choices)
    rule = models.CharField("冲突规则", max_length=128, blank=True)
    message = models.TextField("说明", blank=True)
    n_candidates = models.PositiveIntegerField("候选配对数", default=0)
    n_meetings = models.PositiveIntegerField("洽谈场数", default=0)
    breaks = models.PositiveIntegerField("空档总数", null=True, blank=True)
    bound = models.PositiveIntegerField("空档下界", null=True, blank=True)
    selection_status = models.CharField("选择结果", max_length=16, blank=True)
    selection_total = models.FloatField("选择总价值", null=True, blank=True)
    selection_bound = models.FloatField("LP 上界", null=True, blank=True)
    seconds = models.FloatField("用时（秒）", default=0)
    time_limit = models.PositiveSmallIntegerField("时限（秒）", default=20)
    moved = models.JSONField("移动的洽谈", default=list, blank=True)
    violations = models.JSONField("规则检查", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "排期记录"
        verbose_name_plural = "排期记录"
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


class Meeting(models.Model):
    """A one-to-one talk (洽谈) on the day: enterprise representative × expert, slot and table."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "已排期"
        CANCELLED = "cancelled", "已取消"

    class Origin(models.TextChoices):
        SCHEDULE = "schedule", "一键排期"
        WALK_IN = "walk_in", "现场加场"

    class Outcome(models.TextChoices):
        INTERESTED = "interested", "有合作意向"
        FOLLOW_UP = "follow_up", "约定后续跟进"
        NOT_RELEVANT = "not_relevant", "不对口"

    class LaterOutcome(models.TextChoices):
        NEGOTIATING = "negotiating", "已开始洽商"
        AGREEMENT = "agreement", "已达成协议"
        NONE = "none", "未继续"

    event = models.ForeignKey(Event, verbose_name="活动", on_delete=models.CASCADE, related_name="meetings")
    enterprise = models.ForeignKey(
        Participant, verbose_name="企业代表", on_delete=models.PROTECT, related_name="meetings_as_enterprise"
    )
    expert = models.ForeignKey(
        Participant, verbose_name="专家", on_delete=models.PROTECT, related_name="meetings_as_expert"
    )
    need = models.ForeignKey(
        "needs.Need",
        verbose_name="洽谈需求",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_meetings",
    )
    slot = models.PositiveSmallIntegerField("场次")
    table = models.ForeignKey(Table, verbose_name="洽谈桌", on_delete=models.PROTECT, related_name="meetings")
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    origin = models.CharField("来源", max_length=16, choices=Origin.choices, default=Origin.SCHEDULE)
    run = models.ForeignKey(
        ScheduleRun,
        verbose_name="排期记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    previous_slot = models.PositiveSmallIntegerField("调整前场次", null=True, blank=True)
    previous_table = models.ForeignKey(
        Table, verbose_name="调整前洽谈桌", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_in_at = models.DateTimeField("开始洽谈（签到）", null=True, blank=True)
    outcome = models.CharField("现场结果", max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField("现场记录", blank=True)
    outcome_at = models.DateTimeField("记录时间", null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    later_outcome = models.CharField("后续评价", max_length=16, choices=LaterOutcome.choices, blank=True)
    later_note = models.TextField("后续说明", blank=True)
    later_at = models.DateTimeField("后续评价时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=255, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "洽谈"
        verbose_name_plural = "洽谈"
        ordering = ["event", "slot", "table__number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "slot", "table"],
                condition=models.Q(status="scheduled"),
                name="meeting_unique_table_slot",
            ),
            models.CheckConstraint(condition=models.Q(slot__gte=1), name="meeting_slot_positive"),
        ]

    def __str__(self) -> str:
        return f"第{self.slot}场 {self.table}：{self.enterprise.name} × {self.expert.name}"

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.SCHEDULED

    @property
    def moved(self) -> bool:
        return self.previous_slot is not None and (
            self.previous_slot != self.slot or self.previous_table_id != self.table_id
        )


class MeetingSeat(models.Model):
    """One participant's place in one scheduled meeting: the row that makes a participant's slot
    unique in the database. Exists only while the meeting is scheduled (cancelling deletes it)."""

    meeting = models.ForeignKey(Meeting, verbose_name="洽谈", on_delete=models.CASCADE, related_name="seats")
    participant = models.ForeignKey(
        Participant, verbose_name="参会者", on_delete=models.CASCADE, related_name="seats"
    )
    event = models.ForeignKey(Event, verbose_name="活动", on_delete=models.CASCADE, related_name="+")
    slot = models.PositiveSmallIntegerField("场次")

    class Meta:
        verbose_name = "洽谈席位"
        verbose_name_plural = "洽谈席位"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "participant", "slot"], name="meetingseat_unique_participant_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.slot}"
