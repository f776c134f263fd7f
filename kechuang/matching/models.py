"""Matches between needs and experts/achievements/societies, conflicts of interest, stored vectors
and the state of each search index.

Writes go through ``kechuang.matching.services``; reads through ``kechuang.matching.selectors``.
"""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_lazy

from kechuang.core.choices import ChoiceLabels


class MatchKind(models.TextChoices):
    EXPERT = "expert", gettext_lazy("专家")
    ACHIEVEMENT = "achievement", gettext_lazy("科技成果")
    SOCIETY = "society", gettext_lazy("学会")


class Match(ChoiceLabels, models.Model):
    """One candidate (expert, achievement or society) for one need, and what became of it."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", gettext_lazy("推荐")
        ACCEPTED = "accepted", gettext_lazy("已接受")
        DECLINED = "declined", gettext_lazy("未采纳")

    class Reason(models.TextChoices):
        TOO_EARLY = "too_early", gettext_lazy("时机未到")
        BENEFIT_UNCLEAR = "benefit_unclear", gettext_lazy("效益不明确")
        OUT_OF_SCOPE = "out_of_scope", gettext_lazy("不在范围")
        CONFLICT = "conflict", gettext_lazy("利益冲突")
        UNAVAILABLE = "unavailable", gettext_lazy("专家没空")
        OTHER = "other", gettext_lazy("其他")

    class Response(models.TextChoices):
        INTERESTED = "interested", gettext_lazy("有意向对接")
        PROPOSAL = "proposal", gettext_lazy("提交初步方案")
        DECLINED_BY_EXPERT = "declined_by_expert", gettext_lazy("婉拒")

    need = models.ForeignKey(
        "needs.Need", verbose_name=gettext_lazy("需求"), on_delete=models.CASCADE, related_name="matches"
    )
    kind = models.CharField(gettext_lazy("类型"), max_length=16, choices=MatchKind.choices)
    expert = models.ForeignKey(
        "experts.Expert",
        verbose_name=gettext_lazy("专家"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="matches",
    )
    achievement = models.ForeignKey(
        "experts.Achievement",
        verbose_name=gettext_lazy("科技成果"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="matches",
    )
    society = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=gettext_lazy("学会"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="society_matches",
        limit_choices_to={"kind": "society"},
    )
    score = models.FloatField(gettext_lazy("匹配度"), default=0.0)
    rank = models.PositiveIntegerField(gettext_lazy("排名"), default=0)
    explanation = models.JSONField(gettext_lazy("推荐理由"), default=dict, blank=True)
    status = models.CharField(
        gettext_lazy("处理状态"), max_length=16, choices=Status.choices, default=Status.SUGGESTED, db_index=True
    )
    reason = models.CharField(gettext_lazy("不采纳原因"), max_length=16, choices=Reason.choices, blank=True)
    comment = models.TextField(gettext_lazy("说明"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(gettext_lazy("处理时间"), null=True, blank=True)
    routed_to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("推送给（用户）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="routed_matches",
    )
    routed_to_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=gettext_lazy("推送给（学会）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="routed_matches",
    )
    response = models.CharField(gettext_lazy("回复"), max_length=24, choices=Response.choices, blank=True)
    response_text = models.TextField(gettext_lazy("回复内容"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("回复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responded_at = models.DateTimeField(gettext_lazy("回复时间"), null=True, blank=True)
    # what the decline was based on (ranking.evidence_fingerprint): the suggestion stays out of the list
    # until its evidence changes
    declined_fingerprint = models.CharField(gettext_lazy("不采纳时的证据指纹"), max_length=40, blank=True)
    created_at = models.DateTimeField(gettext_lazy("推荐时间"), auto_now_add=True)
    updated_at = models.DateTimeField(gettext_lazy("更新时间"), auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("匹配推荐")
        verbose_name_plural = gettext_lazy("匹配推荐")
        ordering = ["need", "kind", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "kind", "expert"],
                condition=models.Q(kind="expert"),
                name="match_unique_need_expert",
            ),
            models.UniqueConstraint(
                fields=["need", "kind", "achievement"],
                condition=models.Q(kind="achievement"),
                name="match_unique_need_achievement",
            ),
            models.UniqueConstraint(
                fields=["need", "kind", "society"],
                condition=models.Q(kind="society"),
                name="match_unique_need_society",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="expert",
                        expert__isnull=False,
                        achievement__isnull=True,
                        society__isnull=True,
                    )
                    | models.Q(
                        kind="achievement",
                        expert__isnull=True,
                        achievement__isnull=False,
                        society__isnull=True,
                    )
                    | models.Q(
                        kind="society",
                        expert__isnull=True,
                        achievement__isnull=True,
                        society__isnull=False,
                    )
                ),
                name="match_exactly_one_candidate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need} ↔ {self.candidate}"

    @property
    def candidate(self):
        return {"expert": self.expert, "achievement": self.achievement, "society": self.society}[self.kind]

    @property
    def candidate_id(self) -> int | None:
        return {"expert": self.expert_id, "achievement": self.achievement_id, "society": self.society_id}[
            self.kind
        ]


class MatchDecision(ChoiceLabels, models.Model):
    """One step in the history of a match: accepted, declined, or a decision undone. Append-only;
    written by the services next to the audit entry."""

    class Action(models.TextChoices):
        ACCEPT = "accept", gettext_lazy("接受")
        DECLINE = "decline", gettext_lazy("不采纳")
        UNDO = "undo", gettext_lazy("撤销处理")

    match = models.ForeignKey(
        Match, verbose_name=gettext_lazy("匹配推荐"), on_delete=models.CASCADE, related_name="decisions"
    )
    action = models.CharField(gettext_lazy("操作"), max_length=16, choices=Action.choices)
    from_status = models.CharField(gettext_lazy("原状态"), max_length=16, choices=Match.Status.choices)
    to_status = models.CharField(gettext_lazy("新状态"), max_length=16, choices=Match.Status.choices)
    reason = models.CharField(gettext_lazy("不采纳原因"), max_length=16, choices=Match.Reason.choices, blank=True)
    comment = models.TextField(gettext_lazy("说明"), blank=True)
    fingerprint = models.CharField(gettext_lazy("证据指纹"), max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(gettext_lazy("时间"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("匹配处理记录")
        verbose_name_plural = gettext_lazy("匹配处理记录")
        ordering = ["match", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.match_id}: {self.get_action_display()}"


class ConflictOfInterest(ChoiceLabels, models.Model):
    """A declared relation between an expert and an organisation; such experts are never suggested
    for that organisation's needs (they are listed under 已排除 with the reason)."""

    class Kind(models.TextChoices):
        DECLARED = "declared", gettext_lazy("申报的利益关系")
        PREVIOUS_PARTNERSHIP = "previous_partnership", gettext_lazy("既往合作关系")

    expert = models.ForeignKey(
        "experts.Expert", verbose_name=gettext_lazy("专家"), on_delete=models.CASCADE, related_name="conflicts"
    )
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=gettext_lazy("组织"), on_delete=models.CASCADE, related_name="expert_conflicts"
    )
    kind = models.CharField(gettext_lazy("类型"), max_length=24, choices=Kind.choices, default=Kind.DECLARED)
    note = models.CharField(gettext_lazy("说明"), max_length=255, blank=True)
    created_at = models.DateTimeField(gettext_lazy("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("利益冲突")
        verbose_name_plural = gettext_lazy("利益冲突")
        ordering = ["expert", "organisation"]
        constraints = [
            models.UniqueConstraint(fields=["expert", "organisation", "kind"], name="conflict_unique")
        ]

    def __str__(self) -> str:
        return f"{self.expert} ↔ {self.organisation}（{self.get_kind_display()}）"


class IndexKind(models.TextChoices):
    EXPERT = "expert", gettext_lazy("专家")
    ACHIEVEMENT = "achievement", gettext_lazy("科技成果")
    SOCIETY = "society", gettext_lazy("学会")
    NEED = "need", gettext_lazy("需求")


class StoredVector(ChoiceLabels, models.Model):
    """One embedded passage (a profile summary or a document) of a candidate, per model."""

    kind = models.CharField(gettext_lazy("索引"), max_length=16, choices=IndexKind.choices)
    object_id = models.CharField(gettext_lazy("对象编号"), max_length=32)
    passage_key = models.CharField(gettext_lazy("段落键"), max_length=32)
    text_hash = models.CharField(gettext_lazy("文本摘要"), max_length=40)
    model_name = models.CharField(gettext_lazy("模型"), max_length=128)
    model_version = models.CharField(gettext_lazy("模型版本"), max_length=128)
    dim = models.PositiveSmallIntegerField(gettext_lazy("维度"))
    vector = models.BinaryField(gettext_lazy("向量（float32）"))
    created_at = models.DateTimeField(gettext_lazy("计算时间"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("向量")
        verbose_name_plural = gettext_lazy("向量")
        constraints = [models.UniqueConstraint(fields=["kind", "passage_key"], name="vector_unique_passage")]
        indexes = [models.Index(fields=["kind", "model_name", "model_version"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}:{self.passage_key}"

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype=np.float32)


class IndexState(ChoiceLabels, models.Model):
    """Where each search index stands: the UI shows a banner while it is stale or building."""

    class Status(models.TextChoices):
        READY = "ready", gettext_lazy("就绪")
        STALE = "stale", gettext_lazy("待更新")
        BUILDING = "building", gettext_lazy("构建中")

    kind = models.CharField(gettext_lazy("索引"), max_length=16, choices=IndexKind.choices, unique=True)
    status = models.CharField(gettext_lazy("状态"), max_length=16, choices=Status.choices, default=Status.STALE)
    version = models.PositiveIntegerField(gettext_lazy("版本"), default=0)  # bumped on every change
    token = models.CharField(gettext_lazy("缓存标识"), max_length=32, blank=True)  # new on every change; caches key on it
    queued = models.BooleanField(gettext_lazy("已排队"), default=False)
    done = models.PositiveIntegerField(gettext_lazy("已完成"), default=0)
    total = models.PositiveIntegerField(gettext_lazy("总数"), default=0)
    built_at = models.DateTimeField(gettext_lazy("构建时间"), null=True, blank=True)
    model_name = models.CharField(gettext_lazy("模型"), max_length=128, blank=True)
    model_version = models.CharField(gettext_lazy("模型版本"), max_length=128, blank=True)
    n_candidates = models.PositiveIntegerField(gettext_lazy("候选数"), default=0)
    n_vectors = models.PositiveIntegerField(gettext_lazy("向量数"), default=0)
    error = models.TextField(gettext_lazy("错误"), blank=True)
    warning = models.TextField(gettext_lazy("提示"), blank=True)
    updated_at = models.DateTimeField(gettext_lazy("更新时间"), auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("索引状态")
        verbose_name_plural = gettext_lazy("索引状态")
        ordering = ["kind"]

    def __str__(self) -> str:
        return gettext("%(kind)s索引：%(status)s") % {"kind": self.get_kind_display(), "status": self.get_status_display()}

    @property
    def progress_percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0
