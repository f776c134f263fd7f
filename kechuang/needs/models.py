"""Enterprise needs (需求) and their full status history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from kechuang.core.bulk import insert_many
from kechuang.core.choices import ChoiceLabels


class NeedStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    REVIEWED = "reviewed", _("已审核")
    MATCHED = "matched", _("已匹配")
    MET = "met", _("已对接")
    AGREEMENT = "agreement", _("已签约")
    DELIVERED = "delivered", _("已交付")
    CLOSED = "closed", _("已关闭")
    RETURNED = "returned", _("已退回")


# Named sets of statuses: the one place each idea is written down (import these, never a tuple).
# Tuples in pipeline order, so that the SQL they produce is always the same.
def _statuses(*members: NeedStatus) -> tuple[NeedStatus, ...]:
    return tuple(s for s in NeedStatus if s in members)


S_ = NeedStatus
# not yet met: "open" on the dashboard, and what an expert's "needs I could serve" lists
NeedStatus.IN_PROGRESS = _statuses(S_.SUBMITTED, S_.REVIEWED, S_.MATCHED, S_.MET)
# someone still owes the next step: a need here too long without a change is stalled
NeedStatus.MAY_STALL = _statuses(S_.SUBMITTED, S_.REVIEWED, S_.MATCHED, S_.MET, S_.AGREEMENT)
# passed review and not ended: liaisons and experts may see the public ones
NeedStatus.PUBLISHED = _statuses(S_.REVIEWED, S_.MATCHED, S_.MET, S_.AGREEMENT, S_.DELIVERED)
# no follow-up expected
NeedStatus.ENDED = _statuses(S_.CLOSED, S_.RETURNED)
# the enterprise may still edit its need
NeedStatus.EDITABLE_BY_ENTERPRISE = _statuses(S_.SUBMITTED, S_.RETURNED)
# suggestions for the need may be accepted or declined
NeedStatus.MATCH_DECIDABLE = _statuses(S_.REVIEWED, S_.MATCHED, S_.MET, S_.AGREEMENT)
# an enterprise brings these to a matchmaking meeting
NeedStatus.EVENT_BRINGABLE = _statuses(S_.REVIEWED, S_.MATCHED, S_.MET)
del S_


class Need(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        TECH = "tech", gettext_lazy("技术攻关")
        TRANSFER = "transfer", gettext_lazy("成果转化")
        TALENT = "talent", gettext_lazy("人才")
        EQUIPMENT = "equipment", gettext_lazy("检测设备")
        STANDARD = "standard", gettext_lazy("标准")
        CONSULTING = "consulting", gettext_lazy("咨询")

    class Confidentiality(models.TextChoices):
        PUBLIC = "public", gettext_lazy("公开")
        MATCHED = "matched", gettext_lazy("仅对匹配专家可见")
        COORDINATORS = "coordinators", gettext_lazy("仅协调员可见")

    class Source(models.TextChoices):
        CALL = "call", gettext_lazy("会前征集")
        DISTRICT = "district", gettext_lazy("区（市）上报")
        SELF = "self", gettext_lazy("企业自主提交")
        VISIT = "visit", gettext_lazy("走访发现")

    enterprise = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=gettext_lazy("需求企业"),
        on_delete=models.PROTECT,
        related_name="needs",
        limit_choices_to={"kind": "enterprise"},
    )
    title = models.CharField(gettext_lazy("项目名称"), max_length=128)
    kind = models.CharField(gettext_lazy("需求类型"), max_length=16, choices=Kind.choices, default=Kind.TECH)
    chain = models.ForeignKey(
        "orgs.IndustryChain", verbose_name=gettext_lazy("行业领域/产业链"), on_delete=models.PROTECT, related_name="needs"
    )
    district = models.ForeignKey(
        "accounts.Area", verbose_name=gettext_lazy("地区"), on_delete=models.PROTECT, related_name="needs"
    )
    background = models.TextField(gettext_lazy("需求背景"))
    problem = models.TextField(gettext_lazy("需解决的主要技术难题"))
    goal = models.TextField(gettext_lazy("期望实现的技术目标"))
    keywords = models.JSONField(gettext_lazy("关键词"), default=list, blank=True)
    budget_min = models.PositiveIntegerField(gettext_lazy("预算下限（万元）"), null=True, blank=True)
    budget_max = models.PositiveIntegerField(gettext_lazy("预算上限（万元）"), null=True, blank=True)
    deadline = models.DateField(gettext_lazy("期限"), null=True, blank=True)
    contact_name = models.CharField(gettext_lazy("联系人"), max_length=64, blank=True, default="")
    contact_phone = models.CharField(gettext_lazy("联系电话"), max_length=32, blank=True, default="")
    confidentiality = models.CharField(
        gettext_lazy("保密级别"),
        max_length=16,
        choices=Confidentiality.choices,
        default=Confidentiality.PUBLIC,
        db_index=True,
    )
    source = models.CharField(gettext_lazy("来源"), max_length=16, choices=Source.choices, default=Source.SELF)
    major = models.BooleanField(gettext_lazy("重大需求"), default=False)
    status = models.CharField(
        gettext_lazy("状态"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.SUBMITTED, db_index=True
    )
    status_changed_at = models.DateTimeField(gettext_lazy("状态变更时间"), db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("跟进负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_needs",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_needs",
    )
    created_at = models.DateTimeField(gettext_lazy("提交时间"))
    updated_at = models.DateTimeField(gettext_lazy("更新时间"), auto_now=True)
    # optimistic locking of content edits: the form carries the version it was rendered from
    version = models.PositiveIntegerField(gettext_lazy("版本"), default=1, editable=False)
    is_demo = models.BooleanField(gettext_lazy("演示数据"), default=False)

    class Meta:
        verbose_name = gettext_lazy("需求")
        verbose_name_plural = gettext_lazy("需求")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The dashboard's figures (counts by area, period, chain, status) read only this index.
            models.Index(
                fields=["district", "created_at", "chain", "major", "status"], name="need_dashboard_cover"
            ),
            # The same figures one month at a time (the dashboard recounts only the month a changed
            # need was collected in), and the first need's month.
            models.Index(
                fields=["created_at", "district", "chain", "major", "status", "confidentiality"],
                name="need_month_cover",
            ),
        ]
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


class NeedStatusChange(ChoiceLabels, models.Model):
    """One step in a need's history; the first row is the submission itself."""

    need = models.ForeignKey(Need, verbose_name=gettext_lazy("需求"), on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(gettext_lazy("原状态"), max_length=16, choices=NeedStatus.choices, blank=True)
    to_status = models.CharField(gettext_lazy("新状态"), max_length=16, choices=NeedStatus.choices)
    at = models.DateTimeField(gettext_lazy("时间"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(gettext_lazy("说明"), blank=True)

    class Meta:
        verbose_name = gettext_lazy("需求状态记录")
        verbose_name_plural = gettext_lazy("需求状态记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.need}: {self.from_status} → {self.to_status}"


# The need → agreement funnel of the dashboard (docs/adr/0004-dashboard-figures.md), in order.
FUNNEL_STAGES = (
    NeedStatus.SUBMITTED,
    NeedStatus.REVIEWED,
    NeedStatus.MATCHED,
    NeedStatus.MET,
    NeedStatus.AGREEMENT,
    NeedStatus.DELIVERED,
)


class NeedStageFact(ChoiceLabels, models.Model):
    """When a need first entered each funnel stage — derived from its history, never edited.

    ``reached`` is the index in ``FUNNEL_STAGES`` of the furthest stage in the history (a need
    closed after a meeting has reached "met"); ``days_<stage>`` is the whole days (floor) from first
    entering the previous stage to first entering this one (null when either is missing). The
    dashboard's funnel counts and median days are grouped queries over these rows instead of over
    the whole history.
    """

    need = models.OneToOneField(
        Need, verbose_name=gettext_lazy("需求"), primary_key=True, on_delete=models.CASCADE, related_name="stage_fact"
    )
    reached = models.PositiveSmallIntegerField(gettext_lazy("最远阶段"), null=True)
    submitted_at = models.DateTimeField(gettext_lazy("首次提交"), null=True)
    reviewed_at = models.DateTimeField(gettext_lazy("首次审核"), null=True)
    matched_at = models.DateTimeField(gettext_lazy("首次匹配"), null=True)
    met_at = models.DateTimeField(gettext_lazy("首次对接"), null=True)
    agreement_at = models.DateTimeField(gettext_lazy("首次签约"), null=True)
    delivered_at = models.DateTimeField(gettext_lazy("首次交付"), null=True)
    days_reviewed = models.IntegerField(gettext_lazy("提交→审核天数"), null=True)
    days_matched = models.IntegerField(gettext_lazy("审核→匹配天数"), null=True)
    days_met = models.IntegerField(gettext_lazy("匹配→对接天数"), null=True)
    days_agreement = models.IntegerField(gettext_lazy("对接→签约天数"), null=True)
    days_delivered = models.IntegerField(gettext_lazy("签约→交付天数"), null=True)

    class Meta:
        verbose_name = gettext_lazy("需求阶段记录")
        verbose_name_plural = gettext_lazy("需求阶段记录")

    def __str__(self) -> str:
        return f"{self.need_id}: {self.reached}"

    @classmethod
    def rebuild(cls, need_ids=None, *, batch_size: int = 5000) -> int:
        """Recompute the facts of ``need_ids`` (all needs when None) from their history; returns rows
        written. Needs without history get no row."""
        from datetime import timedelta

        history = NeedStatusChange.objects.filter(to_status__in=FUNNEL_STAGES)
        if need_ids is not None:
            need_ids = list(need_ids)
            history = history.filter(need_id__in=need_ids)
        firsts: dict[int, dict[str, object]] = {}
        rows = (
            history.order_by()
            .values_list("need_id", "to_status")
            .annotate(first=models.Min("at"))
            .iterator(chunk_size=batch_size)
        )
        for need_id, status, first in rows:
            firsts.setdefault(need_id, {})[status] = first
        if need_ids is None:  # a need whose history lost every stage row loses its facts
            cls.objects.exclude(need_id__in=history.values("need_id")).delete()
        elif gone := [i for i in need_ids if i not in firsts]:
            cls.objects.filter(need_id__in=gone).delete()
        day = timedelta(days=1)
        facts = []
        for need_id, t in firsts.items():
            f = cls(need_id=need_id)
            for i, stage in enumerate(FUNNEL_STAGES):
                setattr(f, f"{stage}_at", t.get(stage))
                if stage in t:
                    f.reached = i
                if i and stage in t and FUNNEL_STAGES[i - 1] in t:
                    setattr(f, f"days_{stage}", (t[stage] - t[FUNNEL_STAGES[i - 1]]) // day)
            facts.append(f)
        fields = [f.name for f in cls._meta.concrete_fields if not f.primary_key]
        # an upsert per row, as bulk_create(update_conflicts=True) writes it, without its compiler
        insert_many(facts, unique_fields=["need"], update_fields=fields)
        return len(facts)


class NeedAttachment(ChoiceLabels, models.Model):
    """A drawing, specification or other file attached to a need; seen by whoever sees the need."""

    need = models.ForeignKey(Need, verbose_name=gettext_lazy("需求"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(gettext_lazy("文件"), upload_to="needs/%Y/%m/")
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
        verbose_name = gettext_lazy("需求附件")
        verbose_name_plural = gettext_lazy("需求附件")
        ordering = ["need", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name
