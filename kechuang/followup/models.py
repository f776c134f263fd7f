"""What happens after a match: field visits with their diagnoses, agreements, bases and centres.

These records are the source of the dashboard's figures, so they carry the dates, places and
organisations the figures are counted by (docs/adr/0004-dashboard-figures.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from kechuang.core.choices import ChoiceLabels


class Urgency(models.TextChoices):
    HIGH = "high", gettext_lazy("紧迫")
    MEDIUM = "medium", gettext_lazy("一般")
    LOW = "low", gettext_lazy("不紧迫")


class Visit(ChoiceLabels, models.Model):
    """A visit day (走进园区 / 把脉): an expert team goes to one park or several enterprises."""

    title = models.CharField(gettext_lazy("名称"), max_length=200)
    date = models.DateField(gettext_lazy("日期"), db_index=True)
    park = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=gettext_lazy("园区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="park_visits",
        limit_choices_to={"kind": "park"},
    )
    district = models.ForeignKey(
        "accounts.Area", verbose_name=gettext_lazy("地区"), on_delete=models.PROTECT, related_name="visits"
    )
    experts = models.ManyToManyField(
        "experts.Expert", verbose_name=gettext_lazy("专家团队"), blank=True, related_name="visits"
    )
    societies = models.ManyToManyField(
        "orgs.Organisation",
        verbose_name=gettext_lazy("参与学会"),
        blank=True,
        related_name="society_visits",
        limit_choices_to={"kind": "society"},
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=gettext_lazy("关联活动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followup_visits",
    )
    note = models.TextField(gettext_lazy("说明"), blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("计划人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(gettext_lazy("创建时间"), auto_now_add=True)
    is_demo = models.BooleanField(gettext_lazy("演示数据"), default=False)

    class Meta:
        verbose_name = gettext_lazy("走访")
        verbose_name_plural = gettext_lazy("走访")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title


class VisitStop(ChoiceLabels, models.Model):
    """One enterprise on a visit day, and the diagnosis (把脉) the experts recorded there."""

    visit = models.ForeignKey(Visit, verbose_name=gettext_lazy("走访"), on_delete=models.CASCADE, related_name="stops")
    enterprise = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=gettext_lazy("企业"),
        on_delete=models.PROTECT,
        related_name="visit_stops",
        limit_choices_to={"kind": "enterprise"},
    )
    order = models.PositiveSmallIntegerField(gettext_lazy("顺序"), default=1)
    minutes = models.PositiveSmallIntegerField(gettext_lazy("停留时间（分钟）"), default=60)
    findings = models.TextField(gettext_lazy("问题与发现"), blank=True)
    recommendations = models.TextField(gettext_lazy("建议"), blank=True)
    urgency = models.CharField(gettext_lazy("紧迫程度"), max_length=8, choices=Urgency.choices, blank=True)
    diagnosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("诊断记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    diagnosed_at = models.DateTimeField(gettext_lazy("诊断记录时间"), null=True, blank=True)
    needs = models.ManyToManyField(
        "needs.Need", verbose_name=gettext_lazy("由诊断生成的需求"), blank=True, related_name="visit_stops"
    )

    class Meta:
        verbose_name = gettext_lazy("走访企业（把脉）")
        verbose_name_plural = gettext_lazy("走访企业（把脉）")
        ordering = ["visit", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "enterprise"], name="visit_stop_enterprise_once"),
        ]

    def __str__(self) -> str:
        return f"{self.visit} · {self.enterprise}"

    @property
    def diagnosed(self) -> bool:
        return bool(self.findings.strip())


class Agreement(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        TECH_DEV = "tech_dev", gettext_lazy("技术开发")
        TECH_SERVICE = "tech_service", gettext_lazy("技术服务")
        JOINT_BASE = "joint_base", gettext_lazy("共建基地")
        STRATEGIC = "strategic", gettext_lazy("战略合作")
        TRANSFER = "transfer", gettext_lazy("成果转让/许可")
        OTHER = "other", gettext_lazy("其他")

    title = models.CharField(gettext_lazy("协议名称"), max_length=255)
    kind = models.CharField(gettext_lazy("协议类型"), max_length=16, choices=Kind.choices, db_index=True)
    parties = models.ManyToManyField("orgs.Organisation", verbose_name=gettext_lazy("签约各方"), related_name="agreements")
    amount = models.DecimalField(gettext_lazy("金额（万元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    signed = models.DateField(gettext_lazy("签订日期"), db_index=True)
    needs = models.ManyToManyField(
        "needs.Need", verbose_name=gettext_lazy("关联需求"), blank=True, related_name="agreements"
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=gettext_lazy("签约活动/对接会"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agreements",
    )
    visits = models.ManyToManyField(Visit, verbose_name=gettext_lazy("关联走访"), blank=True, related_name="agreements")
    experts = models.ManyToManyField(
        "experts.Expert", verbose_name=gettext_lazy("参与专家"), blank=True, related_name="agreements"
    )
    note = models.TextField(gettext_lazy("说明"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(gettext_lazy("登记时间"), auto_now_add=True)
    is_demo = models.BooleanField(gettext_lazy("演示数据"), default=False)

    class Meta:
        verbose_name = gettext_lazy("合作协议")
        verbose_name_plural = gettext_lazy("合作协议")
        ordering = ["-signed", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="agreement_amount_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Milestone(ChoiceLabels, models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=gettext_lazy("协议"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(gettext_lazy("里程碑"), max_length=200)
    due = models.DateField(gettext_lazy("计划完成日期"))
    done_on = models.DateField(gettext_lazy("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("协议里程碑")
        verbose_name_plural = gettext_lazy("协议里程碑")
        ordering = ["agreement", "due", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def done(self) -> bool:
        return self.done_on is not None


class AgreementAttachment(ChoiceLabels, models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=gettext_lazy("协议"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(gettext_lazy("文件"), upload_to="agreements/%Y/%m/")
    name = models.CharField(gettext_lazy("名称"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(gettext_lazy("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("协议附件")
        verbose_name_plural = gettext_lazy("协议附件")
        ordering = ["agreement", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class Base(ChoiceLabels, models.Model):
    """A long-term foothold (根据地): an achievement-transfer base or an industry innovation centre."""

    class Kind(models.TextChoices):
        TRANSFER_BASE = "transfer_base", gettext_lazy("科技成果转化基地")
        INNOVATION_CENTRE = "innovation_centre", gettext_lazy("产业创新服务中心")

    kind = models.CharField(gettext_lazy("类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(gettext_lazy("名称"), max_length=200, unique=True)
    society = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=gettext_lazy("共建学会"),
        on_delete=models.PROTECT,
        related_name="society_bases",
        limit_choices_to={"kind": "society"},
    )
    host = models.ForeignKey(
        "orgs.Organisation", verbose_name=gettext_lazy("依托单位"), on_delete=models.PROTECT, related_name="hosted_bases"
    )
    district = models.ForeignKey(
        "accounts.Area", verbose_name=gettext_lazy("所在地区"), on_delete=models.PROTECT, related_name="bases"
    )
    unveiled = models.DateField(gettext_lazy("揭牌日期"), db_index=True)
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=gettext_lazy("共建协议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bases",
    )
    description = models.TextField(gettext_lazy("简介"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_demo = models.BooleanField(gettext_lazy("演示数据"), default=False)

    class Meta:
        verbose_name = gettext_lazy("基地/服务中心")
        verbose_name_plural = gettext_lazy("基地/服务中心")
        ordering = ["-unveiled", "id"]

    def __str__(self) -> str:
        return self.name


class BaseService(ChoiceLabels, models.Model):
    """One service a base delivered: an event, a consultation or a project."""

    class Kind(models.TextChoices):
        EVENT = "event", gettext_lazy("活动")
        CONSULTATION = "consultation", gettext_lazy("咨询问诊")
        PROJECT = "project", gettext_lazy("项目")

    base = models.ForeignKey(
        Base, verbose_name=gettext_lazy("基地/中心"), on_delete=models.CASCADE, related_name="services"
    )
    date = models.DateField(gettext_lazy("日期"))
    kind = models.CharField(gettext_lazy("服务类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(gettext_lazy("内容"), max_length=255)
    note = models.TextField(gettext_lazy("说明"), blank=True)

    class Meta:
        verbose_name = gettext_lazy("基地服务记录")
        verbose_name_plural = gettext_lazy("基地服务记录")
        ordering = ["base", "-date", "-id"]

    def __str__(self) -> str:
        return self.title
