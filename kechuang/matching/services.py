"""Every write to matches: one transaction, one audit entry each, Chinese messages on refusal.

- ``match_suggest``: record the current top suggestions of a need (status 推荐).
- ``match_accept`` / ``match_decline``: a coordinator's decision, declines with a structured reason.
- ``match_undo``: a coordinator takes an accept/decline back (the match is 推荐 again); the history
  (``MatchDecision``) and the audit log keep every step.
- ``match_respond``: the expert (or the society's liaison) the match was routed to answers it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from kechuang.accounts.models import User
from kechuang.core.access import can_see
from kechuang.core.audit import audit
from kechuang.core.errors import ApplicationError
from kechuang.experts.models import Achievement, Expert
from kechuang.matching import index as idx
from kechuang.matching import ranking
from kechuang.matching.access_rules import routed_q
from kechuang.matching.models import Match, MatchDecision, MatchKind
from kechuang.needs.models import Need, NeedStatus
from kechuang.notifications import hooks as notify
from kechuang.orgs.models import Organisation

MAX_TEXT = 2000
MIN_PROPOSAL_CHARS = 10


def _require_coordinator(user) -> None:
    if not user.is_coordinator:
        raise ApplicationError(gettext("只有协调员可以处理匹配推荐。"))


def _candidate(kind: str, candidate_id) -> object:
    try:
        pk = int(candidate_id)
    except (TypeError, ValueError):
        raise ApplicationError(gettext("推荐对象无效。")) from None
    model = {"expert": Expert, "achievement": Achievement}.get(kind)
    if kind == MatchKind.SOCIETY:
        obj = Organisation.objects.filter(pk=pk, kind=Organisation.Kind.SOCIETY).first()
    elif model is not None:
        obj = model.objects.filter(pk=pk).first()
    else:
        raise ApplicationError(gettext("推荐类型无效。"))
    if obj is None:
        raise ApplicationError(gettext("推荐对象不存在。"))
    return obj


def _locked_need(user, need: Need) -> Need:
    if not can_see(user, need):
        raise ApplicationError(gettext("需求不存在。"))
    return Need.objects.select_for_update().select_related("enterprise").get(pk=need.pk)


def _require_index(*kinds: str) -> None:
    """Refuse while this process has no index of a kind yet (a web process loads its indexes in
    the background after it starts): the placeholder ranks nothing, and a snapshot, a score or a
    decline's evidence taken from it would record an empty ranking as if it were the real one."""
    if any(idx.get_index(k).loading for k in kinds):
        raise ApplicationError(gettext("匹配索引正在加载，请稍候几秒再操作；没有保存任何内容。"))


def _get_or_build_match(need: Need, kind: str, obj) -> Match:
    match = Match.objects.select_for_update().filter(need=need, kind=kind, **{kind: obj}).first()
    if match is not None:
        return match
    _require_index(kind)
    score, rank, expl = ranking.score_one(need, kind, obj.pk)
    return Match(need=need, kind=kind, score=score, rank=rank, explanation=expl, **{kind: obj})


def _excluded_reason(need: Need, kind: str, obj) -> str | None:
    if kind == MatchKind.EXPERT:
        return ranking.expert_conflicts(need, [obj.pk]).get(obj.pk)
    if kind == MatchKind.ACHIEVEMENT and obj.owner_expert_id:
        reason = ranking.expert_conflicts(need, [obj.owner_expert_id]).get(obj.owner_expert_id)
        return gettext("完成专家存在%(reason)s") % {"reason": reason} if reason else None
    return None


def routing_for(kind: str, obj) -> tuple[User | None, Organisation | None]:
    """Who answers an accepted match: the expert's own account, else the society's liaisons."""
    if kind == MatchKind.EXPERT:
        user = User.objects.filter(expert=obj, is_active=True).first()
        if user is not None:
            return user, None
        return None, obj.societies.order_by("pk").first()
    if kind == MatchKind.ACHIEVEMENT:
        if obj.owner_expert_id:
            user = User.objects.filter(expert_id=obj.owner_expert_id, is_active=True).first()
            if user is not None:
                return user, None
        return None, obj.owner_society
    return None, obj


@transaction.atomic
def match_suggest(*, user, need: Need, top_k: int | None = None) -> list[Match]:
    """Record the current top suggestions of every kind as 推荐 rows; decided rows are kept as they are."""
    _require_coordinator(user)
    _require_index(*MatchKind.values)
    need = _locked_need(user, need)
    saved: list[Match] = []
    summary: dict[str, list[int]] = {}
    for kind in MatchKind.values:
        ranked = ranking.rank_for_need(need, kind, top_k=top_k)
        keep = []
        for row in ranked.rows:
            m = Match.objects.filter(need=need, kind=kind, **{kind: row.obj}).first()
            if m is None:
                m = Match(need=need, kind=kind, **{kind: row.obj})
            if m.status == Match.Status.SUGGESTED:
                m.score, m.rank, m.explanation = row.score, row.rank, row.explanation
                m.save()
            keep.append(m.pk)
            saved.append(m)
        Match.objects.filter(need=need, kind=kind, status=Match.Status.SUGGESTED).exclude(
            pk__in=keep
        ).delete()
        summary[kind] = [r.obj.pk for r in ranked.rows]
    audit(user, "match.suggest", need, summary)
    return saved


@transaction.atomic
def match_accept(*, user, need: Need, kind: str, candidate_id, comment: str = "") -> Match:
    """Accept a suggestion: route it to the expert (or the society's liaisons), who may then see the
    need within its confidentiality and answer. A "coordinators" need is never routed."""
    _require_coordinator(user)
    need = _locked_need(user, need)
    obj = _candidate(kind, candidate_id)
    if need.status not in NeedStatus.MATCH_DECIDABLE:
        raise ApplicationError(gettext("需求当前为“%(label)s”，审核通过后才能接受匹配。") % {"label": NeedStatus(need.status).label})
    reason = _excluded_reason(need, kind, obj)
    if reason:
        raise ApplicationError(gettext("不能接受：%(reason)s。") % {"reason": reason})
    comment = (comment or "").strip()
    if len(comment) > MAX_TEXT:
        raise ApplicationError(gettext("说明太长。"))
    match = _get_or_build_match(need, kind, obj)
    if match.status != Match.Status.SUGGESTED:
        raise ApplicationError(gettext("该推荐已处理（%(status)s），不能重复处理。") % {"status": match.get_status_display()})
    routed_user, routed_org = (None, None)
    if need.confidentiality != Need.Confidentiality.COORDINATORS:
        routed_user, routed_org = routing_for(kind, obj)
    match.status = Match.Status.ACCEPTED
    match.reason = ""
    match.comment = comment
    match.decided_by = user
    match.decided_at = timezone.now()
    match.routed_to_user = routed_user
    match.routed_to_org = routed_org
    match.declined_fingerprint = ""
    match.save()
    _history(user, match, MatchDecision.Action.ACCEPT, Match.Status.SUGGESTED, comment=comment)
    audit(
        user,
        "match.accept",
        match,
        {
            "need": need.pk,
            "kind": kind,
            "candidate": obj.pk,
            "routed_to_user": routed_user,
            "routed_to_org": routed_org,
            "comment": comment,
        },
    )
    notify.invitation_routed(user=user, match=match, candidate=obj)
    if need.status == NeedStatus.REVIEWED:
        from kechuang.needs.services import allowed_transitions, need_transition

        if NeedStatus.MATCHED in allowed_transitions(user, need):
            need_transition(user=user, need=need, to_status=NeedStatus.MATCHED, note=f"接受匹配：{obj}")
    return match


@transaction.atomic
def match_decline(*, user, need: Need, kind: str, candidate_id, reason: str, comment: str = "") -> Match:
    """Decline a suggestion with a structured reason (其他 needs a comment)."""
    _require_coordinator(user)
    need = _locked_need(user, need)
    obj = _candidate(kind, candidate_id)
    if reason not in Match.Reason.values:
        raise ApplicationError(gettext("请选择不采纳的原因。"), field_errors={"reason": [gettext("请选择不采纳的原因。")]})
    comment = (comment or "").strip()
    if reason == Match.Reason.OTHER and not comment:
        raise ApplicationError(gettext("原因为“其他”时请填写说明。"), field_errors={"comment": [gettext("请填写说明。")]})
    if len(comment) > MAX_TEXT:
        raise ApplicationError(gettext("说明太长。"))
    match = _get_or_build_match(need, kind, obj)
    if match.status != Match.Status.SUGGESTED:
        raise ApplicationError(gettext("该推荐已处理（%(status)s），不能重复处理。") % {"status": match.get_status_display()})
    # what the coordinator saw when declining: a row built just now carries it, a recorded one may be stale
    if match.pk is not None:
        _require_index(kind)
    current = match.explanation if match.pk is None else ranking.current_explanation(need, kind, obj.pk)
    fingerprint = ranking.evidence_fingerprint(current)
    match.status = Match.Status.DECLINED
    match.reason = reason
    match.comment = comment
    match.decided_by = user
    match.decided_at = timezone.now()
    match.declined_fingerprint = fingerprint
    match.save()
    _history(
        user,
        match,
        MatchDecision.Action.DECLINE,
        Match.Status.SUGGESTED,
        reason=reason,
        comment=comment,
        fingerprint=fingerprint,
    )
    audit(
        user,
        "match.decline",
        match,
        {
            "need": need.pk,
            "kind": kind,
            "candidate": obj.pk,
            "reason": reason,
            "comment": comment,
            "fingerprint": fingerprint,
        },
    )
    return match


def _history(user, match: Match, action: str, from_status: str, **fields) -> MatchDecision:
    return MatchDecision.objects.create(
        match=match, action=action, from_status=from_status, to_status=match.status, user=user, **fields
    )


@transaction.atomic
def match_undo(*, user, need: Need, match_id) -> Match:
    """Take a coordinator's decision back: the match is 推荐 again and may be decided anew. An accepted
    match the expert (or liaison) has already answered cannot be undone — the answer stays on record."""
    _require_coordinator(user)
    need = _locked_need(user, need)
    try:
        pk = int(match_id)
    except (TypeError, ValueError):
        raise ApplicationError(gettext("推荐记录无效。")) from None
    match = Match.objects.select_for_update().filter(pk=pk, need=need).first()
    if match is None:
        raise ApplicationError(gettext("推荐记录不存在。"))
    if match.status == Match.Status.SUGGESTED:
        raise ApplicationError(gettext("该推荐尚未处理，无需撤销。"))
    if match.response:
        raise ApplicationError(
            gettext("对方已回复（%(response)s），不能撤销；如需终止对接请在跟进中记录。")
            % {"response": match.get_response_display()}
        )
    before = {
        "status": match.status,
        "reason": match.reason,
        "comment": match.comment,
        "decided_by": match.decided_by_id,
        "decided_at": match.decided_at.isoformat() if match.decided_at else None,
        "routed_to_user": match.routed_to_user_id,
        "routed_to_org": match.routed_to_org_id,
    }
    from_status = match.status
    match.status = Match.Status.SUGGESTED
    match.reason = ""
    match.comment = ""
    match.decided_by = None
    match.decided_at = None
    match.routed_to_user = None
    match.routed_to_org = None
    match.declined_fingerprint = ""
    match.save()
    _history(user, match, MatchDecision.Action.UNDO, from_status)
    audit(user, "match.undo", match, {"need": need.pk, "kind": match.kind, "before": before})
    return match


def can_respond(user, match: Match) -> bool:
    q = routed_q(user)
    if q is None or match.status != Match.Status.ACCEPTED:
        return False
    return Match.objects.filter(q, pk=match.pk).exists() and can_see(user, match.need)


@transaction.atomic
def match_respond(*, user, match: Match, response: str, text: str = "") -> Match:
    """The expert or liaison a match was routed to answers: interested, a short proposal, or no."""
    match = Match.objects.select_for_update().select_related("need").get(pk=match.pk)
    if not can_respond(user, match):
        raise ApplicationError(gettext("您不能回复这条对接邀请。"))
    if match.response:
        raise ApplicationError(gettext("您已回复过这条对接邀请。"))
    if response not in Match.Response.values:
        raise ApplicationError(gettext("请选择回复方式。"), field_errors={"response": [gettext("请选择回复方式。")]})
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ApplicationError(gettext("回复内容太长（最多 2000 字）。"), field_errors={"text": [gettext("最多 2000 字。")]})
    if response == Match.Response.PROPOSAL and len(text) < MIN_PROPOSAL_CHARS:
        raise ApplicationError(
            ngettext("请简要写出初步方案（至少 %(MIN_PROPOSAL_CHARS)s 个字）。", "请简要写出初步方案（至少 %(MIN_PROPOSAL_CHARS)s 个字）。", MIN_PROPOSAL_CHARS) % {"MIN_PROPOSAL_CHARS": MIN_PROPOSAL_CHARS},
            field_errors={"text": [ngettext("至少 %(MIN_PROPOSAL_CHARS)s 个字。", "至少 %(MIN_PROPOSAL_CHARS)s 个字。", MIN_PROPOSAL_CHARS) % {"MIN_PROPOSAL_CHARS": MIN_PROPOSAL_CHARS}]},
        )
    match.response = response
    match.response_text = text
    match.responded_by = user
    match.responded_at = timezone.now()
    match.save()
    audit(user, "match.respond", match, {"need": match.need_id, "response": response, "text": text})
    return match
