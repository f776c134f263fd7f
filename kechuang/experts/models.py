"""Experts and what they bring: publications, patents, achievements, service teams."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from kechuang.core.choices import ChoiceLabels


class Expert(ChoiceLabels, models.Model):
    class Availability(models.TextChoices):
        AVAILABLE = "available", gettext_lazy("可对接")
        LIMITED = "limited", gettext_lazy("时间有限")
        UNAVAILABLE = "unavailable", gettext_lazy("暂不可对接")

    name = models.CharField(gettext_lazy("姓名"), max_length=64)
    gender = models.CharField(gettext_lazy("性别"), max_length=1, choices=[("M", gettext_lazy("男")), ("F", gettext_lazy("女"))], blank=True)
    title = models.CharField(gettext_lazy("职称"), max_length=32)
    affiliation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=gettext_lazy("工作单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_experts",
    )
    societies = models.ManyToManyField(
        "orgs.Organisation",
        verbose_name=gettext_lazy("所属学会"),
        blank=True,
        related_name="society_experts",
        limit_choices_to={"kind": "society"},
    )
    fields = models.JSONField(gettext_lazy("研究领域"), default=list, blank=True)
    keywords = models.JSONField(gettext_lazy("关键词"), default=list, blank=True)
    region = models.CharField(gettext_lazy("所在地"), max_length=64, blank=True)
    availability = models.CharField(
        gettext_lazy("可对接状态"), max_length=16, choices=Availability.choices, default=Availability.AVAILABLE
    )
    bio = models.TextField(gettext_lazy("简介"), blank=True)
    phone = models.CharField(gettext_lazy("联系电话"), max_length=32, blank=True)
    email = models.EmailField(gettext_lazy("电子邮箱"), blank=True)
    contact_public = models.BooleanField(
        gettext_lazy("向企业公开联系方式"),
        default=False,
        help_text=gettext_lazy("专家本人同意后勾选：企业浏览专家主页时可看到电话和邮箱；否则企业只能经学会联络员请求对接。"),
    )
    is_demo = models.BooleanField(gettext_lazy("演示数据"), default=False)
    retired_at = models.DateTimeField(
        gettext_lazy("退出时间"), null=True, blank=True, help_text=gettext_lazy("学会联络员“退出”后不再参与对接；档案与历史保留")
    )
    updated_at = models.DateTimeField(gettext_lazy("更新时间"), auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("专家")
        verbose_name_plural = gettext_lazy("专家")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）"


class Publication(ChoiceLabels, models.Model):
    expert = models.ForeignKey(
        Expert, verbose_name=gettext_lazy("专家"), on_delete=models.CASCADE, related_name="publications"
    )
    title = models.CharField(gettext_lazy("题名"), max_length=255)
    abstract = models.TextField(gettext_lazy("摘要"), blank=True)
    venue = models.CharField(gettext_lazy("期刊/会议"), max_length=128, blank=True)
    year = models.PositiveSmallIntegerField(gettext_lazy("年份"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("论文")
        verbose_name_plural = gettext_lazy("论文")
        ordering = ["-year", "id"]

    def __str__(self) -> str:
        return self.title


class Patent(ChoiceLabels, models.Model):
    expert = models.ForeignKey(Expert, verbose_name=gettext_lazy("专家"), on_delete=models.CASCADE, related_name="patents")
    title = models.CharField(gettext_lazy("专利名称"), max_length=255)
    number = models.CharField(gettext_lazy("专利号"), max_length=64, blank=True)
    abstract = models.TextField(gettext_lazy("摘要"), blank=True)
    year = models.PositiveSmallIntegerField(gettext_lazy("年份"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("专利")
        verbose_name_plural = gettext_lazy("专利")
        ordering = ["-year", "id"]

    def __str__(self) -> str:
        return self.title


class Achievement(ChoiceLabels, models.Model):
    class Maturity(models.TextChoices):
        LAB = "lab", gettext_lazy("实验室阶段")
        PILOT = "pilot", gettext_lazy("中试阶段")
        INDUSTRIAL = "industrial", gettext_lazy("产业化阶段")

    class TransferMode(models.TextChoices):
        TRANSFER = "transfer", gettext_lazy("转让")
        LICENSE = "license", gettext_lazy("许可")
        CO_DEV = "co_dev", gettext_lazy("合作开发")
        EQUITY = "equity", gettext_lazy("作价入股")

    title = models.CharField(gettext_lazy("成果名称"), max_length=255)
    owner_society = models.ForeignKey(
        "orgs.Organisation", verbose_name=gettext_lazy("所属学会"), on_delete=models.PROTECT, related_name="achievements"
    )
    owner_expert = models.ForeignKey(
        Expert,
        verbose_name=gettext_lazy("完成专家"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="achievements",
    )
    description = models.TextField(gettext_lazy("成果简介"))
    maturity = models.CharField(gettext_lazy("成熟度"), max_length=16, choices=Maturity.choices)
    ip = models.CharField(gettext_lazy("知识产权"), max_length=255, blank=True)
    transfer_mode = models.CharField(gettext_lazy("转化方式"), max_length=16, choices=TransferMode.choices)
    fields = models.JSONField(gettext_lazy("领域"), default=list, blank=True)
    chain = models.ForeignKey(
        "orgs.IndustryChain",
        verbose_name=gettext_lazy("产业链"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="achievements",
    )
    is_demo = models.BooleanField(gettext_lazy("演示数据"), default=False)
    retired_at = models.DateTimeField(gettext_lazy("下架时间"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("科技成果")
        verbose_name_plural = gettext_lazy("科技成果")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class ServiceTeam(ChoiceLabels, models.Model):
    name = models.CharField(gettext_lazy("名称"), max_length=128)
    societies = models.ManyToManyField("orgs.Organisation", verbose_name=gettext_lazy("学会"), related_name="service_teams")
    experts = models.ManyToManyField(Expert, verbose_name=gettext_lazy("专家"), blank=True, related_name="service_teams")
    theme = models.CharField(gettext_lazy("服务主题"), max_length=255, blank=True)
    chains = models.ManyToManyField(
        "orgs.IndustryChain", verbose_name=gettext_lazy("服务产业链"), blank=True, related_name="service_teams"
    )
    target_city = models.CharField(gettext_lazy("服务城市"), max_length=64, blank=True)
    retired_at = models.DateTimeField(gettext_lazy("解散时间"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("科技服务团")
        verbose_name_plural = gettext_lazy("科技服务团")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContactRequest(ChoiceLabels, models.Model):
    """An enterprise asks to get in touch with an expert outside any event; the society's liaison
    forwards it to the expert (or declines), the expert accepts or declines. The workflow is
    ``kechuang.experts.services.CONTACT_TRANSITIONS``."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("待联络员处理")
        FORWARDED = "forwarded", gettext_lazy("已转交专家")
        ACCEPTED = "accepted", gettext_lazy("专家已同意")
        DECLINED_BY_EXPERT = "declined_by_expert", gettext_lazy("专家暂不对接")
        DECLINED = "declined", gettext_lazy("联络员未转交")
        WITHDRAWN = "withdrawn", gettext_lazy("企业已撤回")

    OPEN = (Status.PENDING, Status.FORWARDED)

    enterprise = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=gettext_lazy("企业"),
        on_delete=models.CASCADE,
        related_name="expert_contact_requests",
    )
    expert = models.ForeignKey(
        Expert, verbose_name=gettext_lazy("专家"), on_delete=models.CASCADE, related_name="contact_requests"
    )
    society = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=gettext_lazy("经办学会"),
        on_delete=models.PROTECT,
        related_name="routed_contact_requests",
    )
    need = models.ForeignKey(
        "needs.Need",
        verbose_name=gettext_lazy("相关需求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_contact_requests",
    )
    message = models.TextField(gettext_lazy("留言"))
    status = models.CharField(gettext_lazy("状态"), max_length=24, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(gettext_lazy("提出时间"), auto_now_add=True)
    liaison_note = models.TextField(gettext_lazy("联络员说明"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("经办联络员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(gettext_lazy("经办时间"), null=True, blank=True)
    expert_note = models.TextField(gettext_lazy("专家答复"), blank=True)
    answered_at = models.DateTimeField(gettext_lazy("答复时间"), null=True, blank=True)
    updated_at = models.DateTimeField(gettext_lazy("更新时间"), auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("对接请求")
        verbose_name_plural = gettext_lazy("对接请求")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "expert"],
                condition=models.Q(status__in=["pending", "forwarded"]),
                name="contact_request_one_open_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.expert.name}（{self.get_status_display()}）"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN
