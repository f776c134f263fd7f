"""Organisations of every kind and the industry-chain / task-force taxonomy."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy

from kechuang.core.choices import ChoiceLabels
from kechuang.orgs.validators import validate_credit_code


class IndustryChain(ChoiceLabels, models.Model):
    """One of the city's industry chains and the task force (产业专班) that steers it.

    Configurable per city (admin); the demo loads Qingdao's list.
    """

    code = models.SlugField(gettext_lazy("代码"), max_length=64, unique=True)
    name = models.CharField(gettext_lazy("产业链"), max_length=64)
    task_force = models.CharField(gettext_lazy("产业专班"), max_length=64, blank=True)
    keywords = models.JSONField(gettext_lazy("关键词"), default=list, blank=True)
    order = models.PositiveIntegerField(gettext_lazy("排序"), default=0)
    active = models.BooleanField(gettext_lazy("启用"), default=True)

    class Meta:
        verbose_name = gettext_lazy("产业链")
        verbose_name_plural = gettext_lazy("产业链")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Organisation(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        SOCIETY = "society", gettext_lazy("全国学会")
        ENTERPRISE = "enterprise", gettext_lazy("企业")
        UNIVERSITY = "university", gettext_lazy("高校")
        INSTITUTE = "institute", gettext_lazy("科研院所")
        ASSOCIATION = "association", gettext_lazy("协会")
        GOVERNMENT = "government", gettext_lazy("政府部门")
        PARK = "park", gettext_lazy("园区")
        INVESTOR = "investor", gettext_lazy("投资机构")

    name = models.CharField(gettext_lazy("名称"), max_length=128, unique=True)
    short_name = models.CharField(gettext_lazy("简称"), max_length=64, blank=True)
    kind = models.CharField(gettext_lazy("类型"), max_length=16, choices=Kind.choices, db_index=True)
    district = models.ForeignKey(
        "accounts.Area",
        verbose_name=gettext_lazy("所在地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    chain = models.ForeignKey(
        IndustryChain,
        verbose_name=gettext_lazy("产业链"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    credit_code = models.CharField(
        gettext_lazy("统一社会信用代码"),
        max_length=18,
        blank=True,
        default="",
        validators=[validate_credit_code],
        help_text=gettext_lazy("18 位，最后一位为校验位；企业必填于自助注册，其他单位选填"),
    )
    description = models.TextField(gettext_lazy("简介"), blank=True)
    fields = models.JSONField(gettext_lazy("领域"), default=list, blank=True)
    is_demo = models.BooleanField(gettext_lazy("演示数据"), default=False)

    class Meta:
        verbose_name = gettext_lazy("组织")
        verbose_name_plural = gettext_lazy("组织")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="organisation_unique_credit_code",
                violation_error_message=gettext_lazy("该统一社会信用代码已被另一家单位使用。"),
            )
        ]

    def __str__(self) -> str:
        return self.name
