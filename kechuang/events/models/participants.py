"""Who comes to a matchmaking meeting (``Participant``), who asks to meet whom
(``MeetingRequest``), and the coordinator's decisions on pairs (``PairRule``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from kechuang.core.choices import ChoiceLabels
from kechuang.core.templatetags.punctuation import bracketed
from kechuang.events.models.event import Event


class Participant(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", gettext_lazy("企业代表")
        EXPERT = "expert", gettext_lazy("专家")
        LIAISON = "liaison", gettext_lazy("学会联络员")

    class Status(models.TextChoices):
        REGISTERED = "registered", gettext_lazy("已报名")
        CANCELLED = "cancelled", gettext_lazy("已取消")

    event = models.ForeignKey(
        Event, verbose_name=gettext_lazy("活动"), on_delete=models.CASCADE, related_name="participants"
    )
    kind = models.CharField(gettext_lazy("身份"), max_length=16, choices=Kind.choices, db_index=True)
    name = models.CharField(gettext_lazy("姓名"), max_length=64)
    position = models.CharField(gettext_lazy("职务"), max_length=64, blank=True)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=gettext_lazy("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event_participants",
        help_text=gettext_lazy("企业代表：所在企业；专家、联络员：所代表的学会"),
    )
    expert = models.ForeignKey(
        "experts.Expert",
        verbose_name=gettext_lazy("专家档案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event_participations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("平台账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_participations",
    )
    needs = models.ManyToManyField(
        "needs.Need", verbose_name=gettext_lazy("带来的需求"), blank=True, related_name="event_participants"
    )
    unavailable_slots = models.JSONField(gettext_lazy("不能参加的场次"), default=list, blank=True)
    online_only = models.BooleanField(
        gettext_lazy("仅线上"),
        default=False,
        help_text=gettext_lazy("不能到场（如不便出行的专家）：其洽谈均在线上进行（视频链接），不占洽谈桌"),
    )
    status = models.CharField(gettext_lazy("状态"), max_length=16, choices=Status.choices, default=Status.REGISTERED)
    arrived_at = models.DateTimeField(gettext_lazy("签到时间"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("报名人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(gettext_lazy("报名时间"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("参会者")
        verbose_name_plural = gettext_lazy("参会者")
        ordering = ["event", "kind", "organisation_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "expert"],
                condition=models.Q(expert__isnull=False, status="registered"),
                name="participant_unique_expert",
            ),
            # a double-clicked registration must not register the same representative twice
            models.UniqueConstraint(
                fields=["event", "organisation", "name"],
                condition=models.Q(kind="enterprise", status="registered"),
                name="participant_unique_representative",
            ),
        ]

    def __str__(self) -> str:
        org = self.organisation.short_name or self.organisation.name if self.organisation_id else ""
        return self.name + bracketed(org) if org else self.name

    @property
    def active(self) -> bool:
        return self.status == self.Status.REGISTERED


class MeetingRequest(ChoiceLabels, models.Model):
    """A request for a one-to-one talk, from an enterprise representative to an expert or the
    other way round; the other side accepts or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("待回复")
        ACCEPTED = "accepted", gettext_lazy("已接受")
        DECLINED = "declined", gettext_lazy("已谢绝")
        WITHDRAWN = "withdrawn", gettext_lazy("已撤回")

    class Direction(models.TextChoices):
        TO_EXPERT = "to_expert", gettext_lazy("企业→专家")
        TO_ENTERPRISE = "to_enterprise", gettext_lazy("专家→企业")

    event = models.ForeignKey(
        Event, verbose_name=gettext_lazy("活动"), on_delete=models.CASCADE, related_name="meeting_requests"
    )
    enterprise = models.ForeignKey(
        Participant, verbose_name=gettext_lazy("企业代表"), on_delete=models.CASCADE, related_name="requests_as_enterprise"
    )
    expert = models.ForeignKey(
        Participant, verbose_name=gettext_lazy("专家"), on_delete=models.CASCADE, related_name="requests_as_expert"
    )
    need = models.ForeignKey(
        "needs.Need",
        verbose_name=gettext_lazy("洽谈需求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    direction = models.CharField(gettext_lazy("方向"), max_length=16, choices=Direction.choices)
    status = models.CharField(
        gettext_lazy("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    priority = models.PositiveSmallIntegerField(gettext_lazy("优先级"), default=2, help_text=gettext_lazy("1 一般，2 重要，3 必须优先"))
    message = models.CharField(gettext_lazy("留言"), max_length=255, blank=True)
    online = models.BooleanField(gettext_lazy("线上洽谈"), default=False, help_text=gettext_lazy("这场洽谈以视频方式进行，不占洽谈桌"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("提出人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(gettext_lazy("提出时间"), auto_now_add=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("回复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responded_at = models.DateTimeField(gettext_lazy("回复时间"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("洽谈请求")
        verbose_name_plural = gettext_lazy("洽谈请求")
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


class PairRule(ChoiceLabels, models.Model):
    """A coordinator's decision about one pair: always meet (force) or never (forbid)."""

    class Action(models.TextChoices):
        FORCE = "force", gettext_lazy("必须安排")
        FORBID = "forbid", gettext_lazy("不予安排")

    event = models.ForeignKey(Event, verbose_name=gettext_lazy("活动"), on_delete=models.CASCADE, related_name="pair_rules")
    enterprise = models.ForeignKey(
        Participant, verbose_name=gettext_lazy("企业代表"), on_delete=models.CASCADE, related_name="+"
    )
    expert = models.ForeignKey(Participant, verbose_name=gettext_lazy("专家"), on_delete=models.CASCADE, related_name="+")
    action = models.CharField(gettext_lazy("决定"), max_length=8, choices=Action.choices)
    note = models.CharField(gettext_lazy("说明"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("设置人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(gettext_lazy("设置时间"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("配对规则")
        verbose_name_plural = gettext_lazy("配对规则")
        constraints = [
            models.UniqueConstraint(fields=["event", "enterprise", "expert"], name="pairrule_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}：{self.enterprise} ↔ {self.expert}"
