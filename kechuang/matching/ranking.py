"""Running the engine for the platform: pools, conflicts (excluded with a reason), flags, explanations.

No access decisions here: selectors and services decide who may call this and pass the pool of
candidates (and, in the reverse direction, the needs) the user may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_lazy

from kechuang.experts.models import Achievement, Expert
from kechuang.matching import index as idx
from kechuang.matching.models import ConflictOfInterest, IndexState, Match
from kechuang.matching.profiles import achievement_query, expert_query, need_query
from kechuang.needs.models import Need
from kechuang.orgs.models import Organisation

TOP_K = {"expert": 10, "achievement": 5, "society": 5}
FLAG_CONTACTED = gettext_lazy("已联系")
FLAG_DECLINED = gettext_lazy("已婉拒")  # the expert (or their society) said no to the invitation
FLAG_NOT_ADOPTED = gettext_lazy("未采纳")  # the coordinator did not take the suggestion up
# reverse lookups, keyword-only: a need sharing only generic words (材料, 技术) with the expert's profile is
# noise; keep needs whose keyword score is at least this share of the best one
REVERSE_MIN_LEXICAL = 0.2


@dataclass
class Row:
    kind: str
    obj: object
    score: float
    rank: int
    explanation: dict
    flag: str | None = None
    match: Match | None = None

    @property
    def pk(self) -> int:
        return self.obj.pk


@dataclass
class Ranked:
    kind: str
    rows: list[Row] = field(default_factory=list)
    excluded: list[tuple[object, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dense_used: bool = False
    state: IndexState | None = None


def explanation_dict(s, dense_used: bool) -> dict:
    return {
        "matched_terms": list(s.matched_terms),
        "evidence": [e.to_dict() for e in s.evidence],
        "lexical": round(s.lexical, 4),
        "dense": None if s.dense is None else round(s.dense, 4),
        "dense_used": dense_used,
    }


# --------------------------------------------------------------------------- conflicts and flags
def expert_conflicts(need: Need, expert_ids=None) -> dict[int, str]:
    """Experts who must not be suggested for ``need``, with the reason shown under 已排除."""
    out: dict[int, str] = {}
    same = Expert.objects.filter(affiliation_id=need.enterprise_id)
    if expert_ids is not None:
        same = same.filter(pk__in=expert_ids)
    for pk in same.values_list("pk", flat=True):
        out[pk] = gettext("利益冲突：专家工作单位即需求企业（%(name)s）") % {"name": need.enterprise.name}
    coi = ConflictOfInterest.objects.filter(organisation_id=need.enterprise_id)
    if expert_ids is not None:
        coi = coi.filter(expert_id__in=expert_ids)
    for c in coi:
        label = ConflictOfInterest.Kind(c.kind).label
        note = f"：{c.note}" if c.note else ""
        out.setdefault(c.expert_id, gettext("利益冲突：与%(name)s存在%(label)s%(note)s") % {"name": need.enterprise.name, "label": label, "note": note})
    return out


def match_flag(m: Match) -> str | None:
    if m.status == Match.Status.DECLINED:
        return str(FLAG_NOT_ADOPTED)
    if m.response == Match.Response.DECLINED_BY_EXPERT:
        return str(FLAG_DECLINED)
    if m.status == Match.Status.ACCEPTED:
        return str(FLAG_CONTACTED)
    return None


# --------------------------------------------------------------------------- need → candidates
def _pool(kind: str, filters: dict) -> list[str] | None:
    f = {k: v for k, v in (filters or {}).items() if v}
    if kind == "expert":
        qs = Expert.objects.all()
        if f.get("society"):
            qs = qs.filter(societies=f["society"])
        if f.get("region"):
            qs = qs.filter(region__icontains=f["region"])
        if f.get("availability"):
            qs = qs.filter(availability=f["availability"])
        used = {"society", "region", "availability"} & set(f)
    elif kind == "achievement":
        qs = Achievement.objects.all()
        if f.get("society"):
            qs = qs.filter(owner_society=f["society"])
        if f.get("maturity"):
            qs = qs.filter(maturity=f["maturity"])
        used = {"society", "maturity"} & set(f)
    else:
        qs = Organisation.objects.filter(kind=Organisation.Kind.SOCIETY)
        if f.get("society"):
            qs = qs.filter(pk=f["society"])
        used = {"society"} & set(f)
    if not used:
        return None
    return [str(pk) for pk in qs.values_list("pk", flat=True).distinct()]


def _exclusions(kind: str, need: Need) -> dict[str, str]:
    if kind == "expert":
        return {str(k): v for k, v in expert_conflicts(need).items()}
    if kind == "achievement":
        conflicted = expert_conflicts(need)
        rows = Achievement.objects.filter(owner_expert_id__in=list(conflicted)).values_list(
            "pk", "owner_expert_id"
        )
        return {str(pk): gettext("完成专家存在%(value)s") % {"value": conflicted[e]} for pk, e in rows}
    return {}


def _objects(kind: str, ids: list[int]) -> dict[int, object]:
    if kind == "expert":
        qs = Expert.objects.filter(pk__in=ids).select_related("affiliation").prefetch_related("societies")
    elif kind == "achievement":
        qs = Achievement.objects.filter(pk__in=ids).select_related("owner_society", "owner_expert", "chain")
    else:
        qs = Organisation.objects.filter(pk__in=ids)
    return qs.in_bulk()


def rank_for_need(need: Need, kind: str, *, filters: dict | None = None, top_k: int | None = None) -> Ranked:
    """Candidates of ``kind`` for ``need``: ranked rows with explanations, exclusions, flags."""
    built = idx.get_index(kind)
    existing = {m.candidate_id: m for m in Match.objects.filter(need=need, kind=kind)}
    flags = {str(cid): f for cid, m in existing.items() if (f := match_flag(m))}
    result = built.index.search(
        need_query(need),
        top_k=top_k or TOP_K[kind],
        allowed_ids=_pool(kind, filters or {}),
        exclude=_exclusions(kind, need),
        flags=flags,
    )
    ids = [int(s.id) for s in result.results] + [int(e.id) for e in result.excluded]
    objs = _objects(kind, ids)
    out = Ranked(kind, warnings=list(built.warnings), dense_used=result.dense_used, state=built.state)
    for rank, s in enumerate(result.results, start=1):
        obj = objs.get(int(s.id))
        if obj is None:  # deleted since the index was built
            continue
        out.rows.append(
            Row(
                kind, obj, s.score, rank, explanation_dict(s, result.dense_used), s.flag, existing.get(obj.pk)
            )
        )
    out.excluded = [(objs[int(e.id)], e.reason) for e in result.excluded if int(e.id) in objs]
    return out


def score_one(need: Need, kind: str, candidate_id: int) -> tuple[float, int, dict]:
    """(score, rank in the whole pool, explanation) of one candidate for ``need``."""
    built = idx.get_index(kind)
    query = need_query(need)
    scores = built.index.rank(query)
    pos = built.index.position.get(str(candidate_id))
    if pos is None:
        return 0.0, 0, {}
    rank = int((scores > scores[pos]).sum()) + 1
    res = built.index.search(query, top_k=1, allowed_ids=[str(candidate_id)])
    expl = explanation_dict(res.results[0], res.dense_used) if res.results else {}
    return float(scores[pos]), rank, expl


# --------------------------------------------------------------------------- reverse: candidate → needs
def rank_needs(source, visible_need_ids: list[int], *, top_k: int = 10) -> Ranked:
    """Needs (among ``visible_need_ids`` only) that an expert or an achievement could serve."""
    built = idx.get_index("need")
    if isinstance(source, Expert):
        query = expert_query(source)
        expert_id = source.pk
        existing = Match.objects.filter(kind="expert", expert=source, need_id__in=visible_need_ids)
    else:
        query = achievement_query(source)
        expert_id = source.owner_expert_id
        existing = Match.objects.filter(kind="achievement", achievement=source, need_id__in=visible_need_ids)
    flags = {str(m.need_id): f for m in existing if (f := match_flag(m))}
    exclude: dict[str, str] = {}
    if expert_id:
        needs = Need.objects.filter(pk__in=visible_need_ids).select_related("enterprise")
        affil = Expert.objects.filter(pk=expert_id).values_list("affiliation_id", flat=True).first()
        coi = dict(
            ConflictOfInterest.objects.filter(expert_id=expert_id).values_list("organisation_id", "kind")
        )
        for n in needs:
            if affil and n.enterprise_id == affil:
                exclude[str(n.pk)] = gettext("利益冲突：需求企业即专家工作单位")
            elif n.enterprise_id in coi:
                exclude[str(n.pk)] = gettext("利益冲突：%(label)s") % {"label": ConflictOfInterest.Kind(coi[n.enterprise_id]).label}
    result = built.index.search(
        query, top_k=top_k, allowed_ids=[str(i) for i in visible_need_ids], exclude=exclude, flags=flags
    )
    ids = [int(s.id) for s in result.results] + [int(e.id) for e in result.excluded]
    objs = Need.objects.filter(pk__in=ids).select_related("enterprise", "chain", "district").in_bulk()
    out = Ranked("need", warnings=list(built.warnings), dense_used=result.dense_used, state=built.state)
    rank = 0
    for s in result.results:
        if not result.dense_used and s.lexical < REVERSE_MIN_LEXICAL:
            continue
        if int(s.id) in objs:
            rank += 1
            out.rows.append(
                Row("need", objs[int(s.id)], s.score, rank, explanation_dict(s, result.dense_used), s.flag)
            )
    out.excluded = [(objs[int(e.id)], e.reason) for e in result.excluded if int(e.id) in objs]
    return out
