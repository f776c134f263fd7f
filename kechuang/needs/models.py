"""Enterprise needs (需求) and their full status history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NeedStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    REVIEWED = "reviewed", _("已审核")
    MATCHED = "matched", _("已匹配")
    MET = "met", _("已对接")
    AGREEMENT = "agreement", _("已签约")
    DELIVERED = "delivered", _("已交付")
    CLOSED = "closed", _("已关闭")
    RETURNED = "returned", _("已退回")


class Need(models.Model):
    class Kind(models.TextChoices):
        TECH = "tech", "技术攻关"
        TRANSFER = "transfer", "成果转化"
        TALENT = "talent", "人才"
        EQUIPMENT = "equipment", "检测设备"
        STANDARD = "standard", "标准"
        CONSULTING = "consulting", "咨询"

    class Confidentiality(models.TextChoices):
        PUBLIC = "public", "公开"
        MATCHED = "matched", "仅对匹配专家可见"
        COORDINATORS = "coordinators", "仅协调员可见"

    class Source(models.TextChoices):
        CALL = "call", "会前征集"
        DISTRICT = "district", "区（市）上报"
        SELF = "self", "企业自主提交"
        VISIT = "visit", "走访发现"

    enterprise = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="需求企业",
        on_delete=models.PROTECT,
        related_name="needs",
        limit_choices_to={"kind": "enterprise"},
    )
    title = models.CharField("项目名称", max_length=128)
    kind = models.CharField("需求类型", max_length=16, choices=Kind.choices, default=Kind.TECH)
    chain = models.ForeignKey(
        "orgs.IndustryChain", verbose_name="行业领域/产业链", on_delete=models.PROTECT, related_name="needs"
    )
    district = models.ForeignKey(
        "accounts.Area", verbose_name="地区", on_delete=models.PROTECT, related_name="needs"
    )
    background = models.TextField("需求背景")
    problem = models.TextField("需解决的主要技术难题")
    goal = models.TextField("期望实现的技术目标")
    keywords = models.JSONField("关键词", default=list, blank=True)
    budget_min = models.PositiveIntegerField("预算下限（万元）", null=True, blank=True)
    budget_max = models.PositiveIntegerField("预算上限（万元）", null=True, blank=True)
    deadline = models.DateField("期限", null=True, blank=True)
    confidentiality = models.CharField(
        "保密级别",
        max_length=16,
        choices=Confidentiality.choices,
        default=Confidentiality.PUBLIC,
        db_index=True,
    )
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.SELF)
    major = models.BooleanField("重大需求", default=False)
    status = models.CharField(
        "状态", max_length=16, choices=NeedStatus.choices, default=NeedStatus.SUBMITTED, db_index=True
    )
    status_changed_at = models.DateTimeField("状态变更时间", db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="跟进负责人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_needs",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_needs",
    )
    created_at = models.DateTimeField("提交时间")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "需求"
        verbose_name_plural = "需求"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_min__isnull=True)
                | models.Q(budget_max__isnull=True)
                | models.Q(budget_min__lte=models.F("budget_max")),
                name="need_budget_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_confidential(self) -> bool:
        return self.confidentiality != self.Confidentiality.PUBLIC


class NeedStatusChange(models.Model):
    """One step in a need's history; the first row is the submission itself."""

    need = models.ForeignKey(Need, verbose_name="需求", on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField("原状态", max_length=16, choices=NeedStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=NeedStatus.choices)
    at = models.DateTimeField("时间", db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "需求状态记录"
        verbose_name_plural = "需求状态记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.need}: {self.from_status} → {self.to_status}"
