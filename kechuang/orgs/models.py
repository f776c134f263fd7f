"""Organisations of every kind and the industry-chain / task-force taxonomy."""

from __future__ import annotations

from django.db import models

from kechuang.orgs.validators import validate_credit_code


class IndustryChain(models.Model):
    """One of the city's industry chains and the task force (产业专班) that steers it.

    Configurable per city (admin); the demo loads Qingdao's list.
    """

    code = models.SlugField("代码", max_length=64, unique=True)
    name = models.CharField("产业链", max_length=64)
    task_force = models.CharField("产业专班", max_length=64, blank=True)
    keywords = models.JSONField("关键词", default=list, blank=True)
    order = models.PositiveIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "产业链"
        verbose_name_plural = "产业链"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        SOCIETY = "society", "全国学会"
        ENTERPRISE = "enterprise", "企业"
        UNIVERSITY = "university", "高校"
        INSTITUTE = "institute", "科研院所"
        ASSOCIATION = "association", "协会"
        GOVERNMENT = "government", "政府部门"
        PARK = "park", "园区"
        INVESTOR = "investor", "投资机构"

    name = models.CharField("名称", max_length=128, unique=True)
    short_name = models.CharField("简称", max_length=64, blank=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, db_index=True)
    district = models.ForeignKey(
        "accounts.Area",
        verbose_name="所在地区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    chain = models.ForeignKey(
        IndustryChain,
        verbose_name="产业链",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        blank=True,
        default="",
        validators=[validate_credit_code],
        help_text="18 位，最后一位为校验位；企业必填于自助注册，其他单位选填",
    )
    description = models.TextField("简介", blank=True)
    fields = models.JSONField("领域", default=list, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "组织"
        verbose_name_plural = "组织"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="organisation_unique_credit_code",
                violation_error_message="该统一社会信用代码已被另一家单位使用。",
            )
        ]

    def __str__(self) -> str:
        return self.name
