"""Events (活动) of every kind. The matchmaking-meeting machinery (slots, tables, participants,
requests, meetings) builds on ``Event``."""

from __future__ import annotations

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
