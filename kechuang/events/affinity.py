"""How well an enterprise representative and an expert fit, and which pairs are worth a meeting.

``affinity(enterprise_rep, expert)`` is the one place that says how well they fit: the matching
app's scores when it is installed and has scored the representative's needs, else a plain overlap
of keywords and fields. ``candidates(event)`` lists the pairs the selection chooses from: accepted
requests, forced pairs, and proposals for representatives with few requests. Reads only.

The topic of a meeting (``best_need``) is only ever a need the expert may see: a public need, or a
confidential one the access rules open to that expert (e.g. an accepted match). A confidential
need never travels to an agenda, a table card or a grid through the planner.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kechuang.core.access import restrict
from kechuang.events.models import Event, MeetingRequest, PairRule, Participant

# ---------------------------------------------------------------- affinity


def _match_scores(needs: Iterable[int], experts: Iterable[int]) -> dict[tuple[int, int], float]:
    """(need id, expert id) -> matching score from the matching app, when it is importable."""
    try:
        from kechuang.matching.models import Match
    except Exception:  # pragma: no cover - the matching app is optional for this app
        return {}
    rows = Match.objects.filter(need_id__in=list(needs), expert_id__in=list(experts)).values_list(
        "need_id", "expert_id", "score"
    )
    return {(n, e): float(s or 0) for n, e, s in rows}


def _words(values: Iterable) -> set[str]:
    out: set[str] = set()
    for v in values:
        if v:
            out.add(str(v).strip().lower())
    return out


def _need_words(need) -> set[str]:
    return _words([*(need.keywords or []), need.chain.name if need.chain_id else ""])


def _expert_words(expert) -> set[str]:
    return _words([*(expert.keywords or []), *(expert.fields or [])])


def _overlap(a: set[str], b: set[str]) -> float:
    """Keyword overlap in [0, 1]; a word that contains the other counts (石墨烯 ~ 石墨烯薄膜)."""
    if not a or not b:
        return 0.0
    hits = sum(1 for x in a if any(x in y or y in x for y in b))
    return hits / len(a)


class AffinityCache:
    """Precomputed data so that scoring every pair of an event costs two queries."""

    def __init__(self, reps: Sequence[Participant], experts: Sequence[Participant]):
        self.needs = {r.pk: list(r.needs.all()) for r in reps}
        need_ids = {n.pk for ns in self.needs.values() for n in ns}
        expert_ids = {e.expert_id for e in experts if e.expert_id}
        self.shareable = _shareable_needs(experts, [n for ns in self.needs.values() for n in ns])
        self.scores = _match_scores(need_ids, expert_ids)
        self.max_score = max(self.scores.values(), default=0.0) or 1.0
        from kechuang.experts.models import ServiceTeam

        self.chains: dict[int, set[int]] = {}
        for ex_id, chain_id in ServiceTeam.experts.through.objects.filter(
            expert_id__in=expert_ids
        ).values_list("expert_id", "serviceteam__chains"):
            if chain_id:
                self.chains.setdefault(ex_id, set()).add(chain_id)

    def lexical(self, need, expert) -> float:
        """Keyword overlap, or the expert's terms found in the need's text (a third of the way per
        term), plus a floor when the expert's service team serves the need's chain."""
        terms = _expert_words(expert)
        text = f"{need.title} {need.problem} {need.goal}".lower()
        found = sum(1 for t in terms if len(t) >= 2 and t in text)
        score = max(_overlap(_need_words(need), terms), min(1.0, found / 3))
        if need.chain_id in self.chains.get(expert.pk, ()):
            score = max(score, 0.2 + 0.8 * score)
        return score


def _shareable_needs(experts: Sequence[Participant], needs: Sequence) -> dict[int, set[int]]:
    """expert participant pk -> the ids among ``needs`` that expert may see (public ones for all;
    confidential ones as the access rules say, for experts with an account)."""
    from django.contrib.auth import get_user_model

    public = {n.pk for n in needs if n.confidentiality == n.Confidentiality.PUBLIC}
    hidden = {n.pk for n in needs} - public
    out = {e.pk: set(public) for e in experts}
    if hidden:
        accounts = get_user_model().objects.filter(expert_id__in=[e.expert_id for e in experts if e.expert_id])
        by_expert = {u.expert_id: u for u in accounts}
        from kechuang.needs.models import Need

        for e in experts:
            user = by_expert.get(e.expert_id)
            if user is not None:
                out[e.pk] |= set(restrict(Need.objects.filter(pk__in=hidden), user).values_list("pk", flat=True))
    return out


def topic_needs(enterprise_rep: Participant, expert: Participant, cache: AffinityCache) -> list:
    """The representative's needs that may be the topic of a talk with ``expert`` (the expert may see them)."""
    allowed = cache.shareable.get(expert.pk, set())
    return [n for n in cache.needs.get(enterprise_rep.pk) or [] if n.pk in allowed]


def affinity(enterprise_rep: Participant, expert: Participant, cache: AffinityCache | None = None) -> float:
    """How well the representative's needs fit the expert, in [0, 1] (higher is better)."""
    if expert.expert_id is None:
        return 0.0
    cache = cache or AffinityCache([enterprise_rep], [expert])
    needs = cache.needs.get(enterprise_rep.pk)
    if needs is None:
        needs = list(enterprise_rep.needs.all())
    best = 0.0
    for n in needs:
        score = cache.scores.get((n.pk, expert.expert_id))
        if score is not None:
            best = max(best, score / cache.max_score)
        else:
            best = max(best, cache.lexical(n, expert.expert))
    return round(best, 4)


def best_need(enterprise_rep: Participant, expert: Participant, cache: AffinityCache):
    """The representative's need the expert fits best among those the expert may see (the topic of
    their talk), or None when there is none to share."""
    needs = topic_needs(enterprise_rep, expert, cache)
    if not needs or expert.expert_id is None:
        return needs[0] if needs else None

    def score(n):
        s = cache.scores.get((n.pk, expert.expert_id))
        return s / cache.max_score if s is not None else cache.lexical(n, expert.expert)

    return max(needs, key=lambda n: (score(n), -n.pk))


# ---------------------------------------------------------------- candidates


@dataclass
class Candidate:
    enterprise: Participant
    expert: Participant
    need_id: int | None
    affinity: float
    priority: int  # 1..3 from a request; 0 for a proposal of the matching engine
    source: str  # "request", "proposal", "forced"
    forced: bool = False

    @property
    def weight(self) -> int:
        """Integer value of meeting this pair (affinity × priority; requests beat proposals)."""
        factor = {0: 1, 1: 3, 2: 4, 3: 6}[self.priority]
        return max(1, round(100 * (0.25 + self.affinity) * factor))


@dataclass
class CandidateSet:
    candidates: list[Candidate] = field(default_factory=list)
    forbidden: list[tuple[int, int]] = field(default_factory=list)  # participant pks
    reps: list[Participant] = field(default_factory=list)
    experts: list[Participant] = field(default_factory=list)


def active_participants(event: Event) -> tuple[list[Participant], list[Participant]]:
    qs = (
        Participant.objects.filter(event=event, status=Participant.Status.REGISTERED)
        .select_related("organisation", "expert")
        .prefetch_related("needs__chain")
        .order_by("pk")
    )
    reps = [p for p in qs if p.kind == Participant.Kind.ENTERPRISE]
    experts = [p for p in qs if p.kind == Participant.Kind.EXPERT]
    return reps, experts


def candidates(event: Event) -> CandidateSet:
    """Pairs worth meeting: accepted requests, forced pairs, and — for representatives with fewer
    accepted requests than ``MeetingDay.proposals_below`` — the best-fitting experts proposed by the
    matching scores. Declined requests and forbidden pairs are never candidates."""
    day = event.meeting_day
    reps, experts = active_participants(event)
    rep_ids, exp_ids = {r.pk for r in reps}, {e.pk for e in experts}
    by_pk = {p.pk: p for p in [*reps, *experts]}
    cache = AffinityCache(reps, experts)
    rules = {(r.enterprise_id, r.expert_id): r.action for r in PairRule.objects.filter(event=event)}
    forbidden = {k for k, a in rules.items() if a == PairRule.Action.FORBID}
    declined = set(
        MeetingRequest.objects.filter(event=event, status=MeetingRequest.Status.DECLINED).values_list(
            "enterprise_id", "expert_id"
        )
    )
    out: dict[tuple[int, int], Candidate] = {}
    reqs = MeetingRequest.objects.filter(event=event, status=MeetingRequest.Status.ACCEPTED).order_by("pk")
    for r in reqs:
        key = (r.enterprise_id, r.expert_id)
        if key in forbidden or r.enterprise_id not in rep_ids or r.expert_id not in exp_ids:
            continue
        rep, ex = by_pk[r.enterprise_id], by_pk[r.expert_id]
        shareable = r.need_id in cache.shareable.get(ex.pk, ())
        need_id = r.need_id if shareable else getattr(best_need(rep, ex, cache), "pk", None)
        prev = out.get(key)
        if prev is None or prev.priority < r.priority:
            out[key] = Candidate(rep, ex, need_id, affinity(rep, ex, cache), r.priority, "request")
    for key, action in rules.items():
        if action != PairRule.Action.FORCE or key[0] not in rep_ids or key[1] not in exp_ids:
            continue
        rep, ex = by_pk[key[0]], by_pk[key[1]]
        c = out.get(key) or Candidate(
            rep, ex, getattr(best_need(rep, ex, cache), "pk", None), affinity(rep, ex, cache), 3, "forced"
        )
        c.forced = True
        out[key] = c
    # proposals for representatives with few accepted requests
    have: dict[int, int] = {}
    for e, _x in out:
        have[e] = have.get(e, 0) + 1
    for rep in reps:
        missing = day.proposals_below - have.get(rep.pk, 0)
        if missing <= 0:
            continue
        scored = sorted(
            (
                (affinity(rep, ex, cache), -ex.pk, ex)
                for ex in experts
                if (rep.pk, ex.pk) not in out
                and (rep.pk, ex.pk) not in forbidden
                and (rep.pk, ex.pk) not in declined
            ),
            key=lambda t: (t[0], t[1]),
            reverse=True,
        )
        for aff, _neg, ex in scored[: missing + 1]:  # one spare so the selection has a choice
            if aff <= 0:
                break
            out[rep.pk, ex.pk] = Candidate(
                rep, ex, getattr(best_need(rep, ex, cache), "pk", None), aff, 0, "proposal"
            )
    cands = sorted(out.values(), key=lambda c: (c.enterprise.pk, c.expert.pk))
    return CandidateSet(cands, sorted(forbidden | declined), reps, experts)


def walk_in_topic(enterprise_rep: Participant, expert: Participant):
    """The topic of an on-the-spot meeting: the best need of the representative the expert may see."""
    return best_need(enterprise_rep, expert, AffinityCache([enterprise_rep], [expert]))
