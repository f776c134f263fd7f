"""Running the engine for the platform: pools, conflicts (excluded with a reason), flags, explanations.

No access decisions here: selectors and services decide who may call this and pass the pool of
candidates (and, in the reverse direction, the needs) the user may see.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_lazy, gettext_noop
from django.utils.translation import gettext as _

from kechuang.experts.models import Achievement, Expert
from kechuang.matching import index as idx
from kechuang.matching.engine import Engine, Query
from kechuang.matching.engine.explain import displayable
from kechuang.matching.engine.tokenize import normalize
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

# Relevance cut-off (docs/adr/0031-matching-scores-shown.md). "Relative" = where a candidate stands between
# a typical candidate of the pool (the median score) and the best one, on the fusion's own linear scale
# (``relative_scores``: the learned fusion's log-odds, the min-max fusion's score), so it does not depend
# on how a fusion squashes its scores. A suggestion is in the main list when its relative score is at
# least CUTOFF_RELATIVE AND it has evidence of its own: a word of the need itself matched, or the dense
# (semantic) signal was used. Everything else sits behind "更多（相关度较低）". Measured on the demo's 80
# labelled needs (bench/matching/cutoff_demo.py): learned fusion, 0.6 keeps a median of 8 experts (6–10),
# 631 of 655 above the fold labelled relevant, 3 of 634 relevant ones folded; keyword-only (min-max),
# 0.6 keeps 8 (5–9), all 608 relevant, 28 folded. Achievements and societies: median 3/2 and 1 shown.
# Re-measured with ADR 0053's model (2026-12-02): experts 8 (6–10), 632 of 647 above the fold relevant, 3 of
# 635 relevant folded; achievements 3 (1–5), societies 2 (1–3).
CUTOFF_RELATIVE = 0.6
BAND_HIGH = 0.85  # relative score at or above: 高; at or above the cut-off: 中; below: 低
FLAG_DECLINED_CHANGED = gettext_lazy("未采纳 · 证据已更新")
# query fields that are the need's own words; the rest are context (the company profile, the chain)
NEED_FIELDS = ("title", "problem", "goal", "keywords", "text")
CONTEXT_FIELDS = ("background", "chain")


@dataclass
class Row:
    kind: str
    obj: object
    score: float
    rank: int
    explanation: dict
    flag: str | None = None
    match: Match | None = None
    relative: float = 1.0  # 0 = a typical candidate of the pool (or worse), 1 = the best (relative_scores)
    band: str = "high"  # high / medium / low (low = behind the cut-off)
    note: str = ""  # a visible reason when the order differs from the score (暂不可对接)

    @property
    def pk(self) -> int:
        return self.obj.pk

    @property
    def strong(self) -> bool:
        return self.band != "low"


@dataclass
class Ranked:
    kind: str
    rows: list[Row] = field(default_factory=list)
    excluded: list[tuple[object, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dense_used: bool = False
    state: IndexState | None = None
    declined: list[Row] = field(default_factory=list)  # declined, evidence unchanged: kept out of the list
    fusion: str = "minmax"  # SearchResult.fusion: "learned" or the min-max fallback
    loading: bool = False  # this process has no index of the kind yet: nothing ranked, not "none found"

    @property
    def strong_rows(self) -> list[Row]:
        return [r for r in self.rows if r.strong]

    @property
    def weak_rows(self) -> list[Row]:
        return [r for r in self.rows if not r.strong]


def term_sources(tokenizer, query: Query) -> dict[str, str]:
    """Where each query token comes from: "need" (its title, problem, goal, keywords) wins over the
    context fields ("background" = the company profile written into 需求背景, "chain")."""
    texts = query.field_texts()
    out: dict[str, str] = {}
    for f in CONTEXT_FIELDS:
        for t in tokenizer.tokenize(texts.get(f, "")):
            out.setdefault(t, f)
    for f in NEED_FIELDS:
        for t in tokenizer.tokenize(texts.get(f, "")):
            out[t] = "need"
    return out


def explanation_dict(s, dense_used: bool, sources: dict[str, str] | None = None) -> dict:
    """Matched terms a person can check: never single characters or stopwords; with ``sources``
    (need → candidates) only words of the need, and context words listed apart with where they
    came from."""
    terms = [t for t in s.matched_terms if displayable(t)]
    context: list[dict] = []
    evidence = [e.to_dict() for e in s.evidence]
    if sources is not None:
        context = [{"term": t, "source": sources[t]} for t in terms if sources.get(t) in CONTEXT_FIELDS]
        terms = [t for t in terms if sources.get(t) == "need"]
        own = {t for t, src in sources.items() if src == "need" and displayable(t)}
        for ev in evidence:  # highlight the need's own words only, as the matched terms say
            norm = normalize(ev["sentence"])
            ev["spans"] = [sp for sp in ev["spans"] if any(t in norm[sp[0] : sp[1]] for t in own)]
            ev["terms"] = [t for t in ev["terms"] if t in own]
    return {
        "matched_terms": terms,
        "context_terms": context,
        "evidence": evidence,
        "lexical": round(s.lexical, 4),
        "dense": None if s.dense is None else round(s.dense, 4),
        "dense_used": dense_used,
    }


def evidence_fingerprint(explanation: dict) -> str:
    """What a decline was based on: the matched words of the need and the documents cited. A declined
    suggestion comes back only when this changes (new evidence), not on every re-suggest."""
    terms = sorted(explanation.get("matched_terms") or [])
    docs = sorted({(e.get("kind", ""), e.get("title", "")) for e in explanation.get("evidence") or []})
    raw = json.dumps([terms, docs], ensure_ascii=False)
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:20]


def _linear(score: float, fusion: str) -> float:
    """A fused score on its fusion's linear scale: the learned model's log-odds (its sigmoid saturates
    near 1, so scores of 0.99 and 0.999 differ as much as 0.5 and 0.9); min-max scores as they are."""
    if fusion != "learned":
        return float(score)
    p = min(max(float(score), 1e-12), 1.0 - 1e-12)
    return math.log(p / (1.0 - p))


def relative_scores(scores: list[float], fusion: str = "minmax", baseline: float = 0.0) -> list[float]:
    """Each score's place between ``baseline`` (the pool's median score: a typical candidate) and the best
    score, in [0, 1], on the fusion's linear scale. A rule on this number holds whatever the fusion's
    score scale; with min-max fusion and a baseline of 0 it is score / best."""
    if not scores or max(scores) <= 0:
        return [0.0 for _ in scores]
    lin = [_linear(x, fusion) for x in scores]
    best, base = max(lin), _linear(baseline, fusion)
    if best <= base:  # the best is no better than a typical candidate: only the best counts as best
        return [1.0 if x >= best else 0.0 for x in lin]
    return [min(1.0, max(0.0, (x - base) / (best - base))) for x in lin]


def apply_cutoff(rows: list[Row], dense_used: bool, fusion: str = "minmax", baseline: float = 0.0) -> None:
    """Relative score, band and order of ``rows`` (in score order): the cut-off, then experts who are
    暂不可对接 move below the available ones of their band, with the reason shown. ``fusion`` and
    ``baseline`` come from the search (``SearchResult.fusion`` / ``pool_median``)."""
    for r, rel in zip(rows, relative_scores([r.score for r in rows], fusion, baseline), strict=True):
        r.relative = rel
    for r in rows:
        has_evidence = bool(r.explanation.get("matched_terms")) or dense_used
        if r.relative >= BAND_HIGH and has_evidence:
            r.band = "high"
        elif r.relative >= CUTOFF_RELATIVE and has_evidence:
            r.band = "medium"
        else:
            r.band = "low"
    order = {"high": 0, "medium": 0, "low": 1}
    unavailable = Expert.Availability.UNAVAILABLE

    def away(r: Row) -> bool:
        return r.kind == "expert" and getattr(r.obj, "availability", None) == unavailable

    ordered = sorted(rows, key=lambda r: (order[r.band], away(r)))  # stable: score order otherwise
    for pos, r in enumerate(ordered, start=1):
        if away(r) and pos != r.rank:
            r.note = _("暂不可对接，已排在可对接的专家之后（按匹配度为第 %(rank)s 名）") % {"rank": r.rank}
        elif away(r):
            r.note = _("暂不可对接")
        r.rank = pos
    rows[:] = ordered


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


def _retired(kind: str) -> set[str]:
    """Ids of retired experts (退出) or withdrawn achievements (下架): never suggested, whatever the index
    holds. The index builds leave them out too, but a page may be served the last index built before
    the retirement while a new one builds; their history (matches, meetings, agreements) stays as it is."""
    if kind == "expert":
        qs = Expert.objects.filter(retired_at__isnull=False)
    elif kind == "achievement":
        qs = Achievement.objects.filter(retired_at__isnull=False)
    else:
        return set()
    return {str(pk) for pk in qs.values_list("pk", flat=True)}


def _without_retired(kind: str, pool: list[str] | None, index_ids) -> list[str] | None:
    """The candidate pool minus retired ones; ``None`` (everyone) stays ``None`` when the index holds none."""
    retired = _retired(kind)
    if pool is not None:
        return [i for i in pool if i not in retired] if retired else pool
    if not retired or not retired & set(index_ids):
        return None
    return [i for i in index_ids if i not in retired]


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
    declined = sum(1 for m in existing.values() if m.status == Match.Status.DECLINED)
    query = need_query(need)
    k = top_k or TOP_K[kind]
    result = built.index.search(
        query,
        top_k=k + declined,  # declined ones that stay hidden make room for the next candidates
        allowed_ids=_without_retired(kind, _pool(kind, filters or {}), built.index.ids),
        exclude=_exclusions(kind, need),
        flags=flags,
    )
    sources = term_sources(built.index.tokenizer, query)
    ids = [int(s.id) for s in result.results] + [int(e.id) for e in result.excluded]
    objs = _objects(kind, ids)
    out = Ranked(
        kind,
        warnings=built.reader_warnings(),
        dense_used=result.dense_used,
        state=built.state,
        fusion=result.fusion,
        loading=built.loading,
    )
    for s in result.results:
        obj = objs.get(int(s.id))
        if obj is None:  # deleted since the index was built
            continue
        m = existing.get(obj.pk)
        row = Row(kind, obj, s.score, 0, explanation_dict(s, result.dense_used, sources), s.flag, m)
        if m is not None and m.status == Match.Status.DECLINED:
            if not m.declined_fingerprint or m.declined_fingerprint == evidence_fingerprint(row.explanation):
                out.declined.append(row)
                continue
            row.flag = FLAG_DECLINED_CHANGED
        if len(out.rows) < k:
            row.rank = len(out.rows) + 1
            out.rows.append(row)
    apply_cutoff(out.rows, result.dense_used, result.fusion, result.pool_median)
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
    sources = term_sources(built.index.tokenizer, query)
    expl = explanation_dict(res.results[0], res.dense_used, sources) if res.results else {}
    return float(scores[pos]), rank, expl


def current_explanation(need: Need, kind: str, candidate_id: int) -> dict:
    """The explanation the coordinator sees now for one candidate (what a decline is based on)."""
    return score_one(need, kind, candidate_id)[2]


# --------------------------------------------------------------------------- reverse: candidate → needs
_visible_lock = threading.Lock()
_visible_cache: OrderedDict[tuple[str, str], object] = OrderedDict()
VISIBLE_CACHE_SIZE = 8  # each entry holds a copy of the visible needs' BM25 and vectors


def visible_need_index(built, visible_need_ids):
    """An index over the visible needs only: BM25 statistics (IDF, average length) and the tokeniser's
    words come from needs the reader may see, so an invisible confidential need changes nothing the
    reader sees — not the order, not a score. Stored vectors are reused (nothing is embedded);
    cached per (index version, set of needs)."""
    ids = sorted({str(i) for i in visible_need_ids})
    key = (built.token, hashlib.sha1(",".join(ids).encode(), usedforsecurity=False).hexdigest())
    with _visible_lock:
        hit = _visible_cache.get(key)
        if hit is not None:
            _visible_cache.move_to_end(key)
            return hit
    full = built.index
    wanted = set(ids)
    cands = [c for c in full.candidates if c.id in wanted]
    if full.dense is not None:
        engine = Engine(full.config, embedder=full.embedder, user_words=full.engine.user_words)
        index = engine.build(cands, precomputed_vectors=full.vectors)
    else:
        index = Engine(full.config, embedder=None, user_words=full.engine.user_words).build(cands)
    index.warnings = list(full.warnings)
    with _visible_lock:
        _visible_cache[key] = index
        while len(_visible_cache) > VISIBLE_CACHE_SIZE:
            _visible_cache.popitem(last=False)
    return index


RETIRED_EXPERT = gettext_noop("该专家已退出专家库，不再推荐需求；已有的对接记录保留。")
RETIRED_ACHIEVEMENT = gettext_noop("该成果已下架，不再推荐需求；已有的对接记录保留。")


def rank_needs(source, visible_need_ids: list[int], *, top_k: int = 10) -> Ranked:
    """Needs (among ``visible_need_ids`` only) that an expert or an achievement could serve; ranked in
    an index of those needs alone (``visible_need_index``)."""
    built = idx.get_index("need")
    if getattr(source, "retired_at", None) is not None:  # left the pool: nothing new is suggested for it
        gone = RETIRED_EXPERT if isinstance(source, Expert) else RETIRED_ACHIEVEMENT
        return Ranked("need", warnings=[gettext(gone)], dense_used=built.dense, state=built.state)
    if not visible_need_ids:
        return Ranked("need", warnings=built.reader_warnings(), dense_used=built.dense, state=built.state)
    index = visible_need_index(built, visible_need_ids)
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
    result = index.search(query, top_k=top_k, exclude=exclude, flags=flags)
    ids = [int(s.id) for s in result.results] + [int(e.id) for e in result.excluded]
    objs = Need.objects.filter(pk__in=ids).select_related("enterprise", "chain", "district").in_bulk()
    out = Ranked("need", warnings=built.reader_warnings(), dense_used=result.dense_used, state=built.state)
    rank = 0
    for s in result.results:
        if not result.dense_used and s.lexical < REVERSE_MIN_LEXICAL:
            continue
        if int(s.id) in objs:
            rank += 1
            out.rows.append(
                Row("need", objs[int(s.id)], s.score, rank, explanation_dict(s, result.dense_used), s.flag)
            )
    # the same meaning as on the suggestions page: between a typical visible need and the best one
    rel = relative_scores([r.score for r in out.rows], result.fusion, result.pool_median)
    for r, x in zip(out.rows, rel, strict=True):
        r.relative = x
    out.excluded = [(objs[int(e.id)], e.reason) for e in result.excluded if int(e.id) in objs]
    return out
