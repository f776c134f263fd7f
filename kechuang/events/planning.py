"""The glue between the database and the scheduling engine (``kechuang.events.scheduling``).

Reads rows, encodes them as the engine's plain data (participants 1..n, slots 1..n, tables
1..k of the *active* tables in number order), and decodes answers back. No writes here: the
services in ``services.py`` decide and store.

``affinity(enterprise_rep, expert)`` is the one place that says how well an enterprise
representative and an expert fit: the matching app's scores when it is installed and has scored
the representative's needs, else a plain overlap of keywords and fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from kechuang.events.models import Event, Meeting, MeetingRequest, PairRule, Participant, Table
from kechuang.events.scheduling.model import Meeting as EngineMeeting
from kechuang.events.scheduling.model import Problem

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
    """The representative's need the expert fits best (the topic of their talk)."""
    needs = cache.needs.get(enterprise_rep.pk) or []
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
        need_id = r.need_id or getattr(best_need(rep, ex, cache), "pk", None)
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


# ---------------------------------------------------------------- engine problems


@dataclass
class Encoded:
    """A Problem plus the maps back to rows."""

    problem: Problem
    people: list[int]  # engine participant number - 1 -> Participant pk
    tables: list[Table]  # engine table number - 1 -> Table (active tables by number)

    def number(self, participant_pk: int) -> int:
        return self.people.index(participant_pk) + 1

    def table_index(self, table_id: int | None) -> int:
        for i, t in enumerate(self.tables, start=1):
            if t.pk == table_id:
                return i
        return 0


def active_tables(event: Event) -> list[Table]:
    return list(Table.objects.filter(event=event, active=True).order_by("number"))


def encode(
    event: Event,
    pairs: Sequence[tuple[int, int]],
    *,
    fixed: dict[int, int] | None = None,
    tables: list[Table] | None = None,
) -> Encoded:
    """Encode meetings between participant pks as a ``Problem`` (meeting ids are 1..n in order)."""
    day = event.meeting_day
    tables = active_tables(event) if tables is None else tables
    people = sorted({p for pair in pairs for p in pair})
    num = {pk: i for i, pk in enumerate(people, start=1)}
    unavailable = {}
    for p in Participant.objects.filter(pk__in=people).only("pk", "unavailable_slots"):
        slots = frozenset(int(s) for s in (p.unavailable_slots or []) if 1 <= int(s) <= day.n_slots)
        if slots:
            unavailable[num[p.pk]] = slots
    meetings = tuple(EngineMeeting(id=i + 1, participants=(num[a], num[b])) for i, (a, b) in enumerate(pairs))
    problem = Problem(
        n_participants=len(people),
        n_slots=day.n_slots,
        n_tables=len(tables),
        n_morning_slots=day.morning_slots,
        meetings=meetings,
        unavailable=unavailable,
        fixed=dict(fixed or {}),
        name=f"event-{event.pk}",
    )
    return Encoded(problem, people, tables)


def encode_stored(event: Event) -> tuple[Encoded, list[Meeting]]:
    """The event's scheduled meetings as a Problem, in (slot, table, id) order."""
    meetings = list(
        Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED)
        .select_related("table", "enterprise", "expert")
        .order_by("slot", "table__number", "pk")
    )
    enc = encode(event, [(m.enterprise_id, m.expert_id) for m in meetings])
    return enc, meetings


def check_stored(event: Event) -> list[dict]:
    """Run the validator on the stored schedule; each violation as a plain dict for JSON/pages.

    A meeting at a table that is no longer active shows up as ``table_assignment``."""
    from kechuang.events.scheduling.validator import validate

    if not hasattr(event, "meeting_day"):
        return []
    enc, meetings = encode_stored(event)
    slots = [m.slot for m in meetings]
    tables = [enc.table_index(m.table_id) for m in meetings]
    out = []
    for v in validate(enc.problem, slots, tables, event.meeting_day.fairness):
        m = meetings[v.meeting] if v.meeting is not None and v.meeting < len(meetings) else None
        who = None
        if v.participant is not None and 1 <= v.participant <= len(enc.people):
            who = enc.people[v.participant - 1]
        out.append(
            {
                "rule": v.rule,
                "message": v.message,
                "meeting": m.pk if m else None,
                "participant": who,
                "slot": v.slot,
            }
        )
    return out


# ---------------------------------------------------------------- engine calls


@dataclass
class SelectionOutcome:
    chosen: list[int]  # indices into CandidateSet.candidates
    status: str
    total: float | None
    bound: float | None
    message: str = ""


def capacities(event: Event, cs: CandidateSet, tables: Sequence[Table]) -> tuple[dict[int, int], int]:
    """Meetings each participant can take (their free slots, capped by the day's settings) and
    the table-slots of the day."""
    day = event.meeting_day
    cap: dict[int, int] = {}
    for p in [*cs.reps, *cs.experts]:
        free = day.n_slots - len({s for s in (p.unavailable_slots or []) if 1 <= int(s) <= day.n_slots})
        limit = (
            day.max_meetings_per_rep if p.kind == Participant.Kind.ENTERPRISE else day.max_meetings_per_expert
        )
        cap[p.pk] = max(0, min(free, limit))
    return cap, len(tables) * day.n_slots


def select(event: Event, cs: CandidateSet, tables: Sequence[Table]) -> SelectionOutcome:
    """Choose which candidate pairs meet: maximise the total weight under capacities, forced
    pairs in, every representative at least one meeting where possible."""
    cap, total_cap = capacities(event, cs, tables)
    try:
        from kechuang.events.scheduling.selection import choose_meetings
    except ImportError:  # pragma: no cover - the engine module is part of the package
        return _select_greedy(cs, cap, total_cap)
    return _select_engine(choose_meetings, cs, cap, total_cap)


def _select_engine(
    choose_meetings, cs: CandidateSet, cap: dict[int, int], total_cap: int
) -> SelectionOutcome:
    """Encode for ``selection.choose_meetings`` (experts × representatives).

    The engine's value is ``affinity × priority`` with priority per enterprise; our priorities are
    per pair (a request's priority), so the pair weight goes into the matrix and priority is 1.
    Pairs that are not candidates get value 0: the engine uses those only to give a
    representative with no candidate at least one meeting. The engine has no day-wide capacity,
    so if it chooses more meetings than the day has table-slots the lowest-value ones are dropped
    (and the result is no longer called optimal).
    """
    import numpy as np

    reps, exps = cs.reps, cs.experts
    ri = {p.pk: j for j, p in enumerate(reps)}
    ei = {p.pk: i for i, p in enumerate(exps)}
    value = np.zeros((len(exps), len(reps)))
    index: dict[tuple[int, int], int] = {}
    forced = []
    for k, c in enumerate(cs.candidates):
        e, n = ei[c.expert.pk], ri[c.enterprise.pk]
        value[e, n] = c.weight / 100.0
        index[e, n] = k
        if c.forced:
            forced.append((e, n))
    forbidden = [(ei[b], ri[a]) for a, b in cs.forbidden if a in ri and b in ei]
    res = choose_meetings(
        value,
        np.ones(len(reps)),
        [cap[p.pk] for p in exps],
        [cap[p.pk] for p in reps],
        forced=forced,
        forbidden=forbidden,
        cover=True,
    )
    if res.status != "optimal":
        return SelectionOutcome([], res.status, None, res.bound, res.message)
    chosen: list[int] = []
    cache = None
    for e, n in res.pairs:
        if (e, n) not in index:  # a cover meeting outside the candidates
            if cache is None:
                cache = AffinityCache(reps, exps)
            rep, ex = reps[n], exps[e]
            cs.candidates.append(
                Candidate(
                    rep,
                    ex,
                    getattr(best_need(rep, ex, cache), "pk", None),
                    affinity(rep, ex, cache),
                    0,
                    "cover",
                )
            )
            index[e, n] = len(cs.candidates) - 1
        chosen.append(index[e, n])
    status, message = "optimal", res.message
    if len(chosen) > total_cap:
        keep = sorted(chosen, key=lambda k: (not cs.candidates[k].forced, -cs.candidates[k].weight, k))[
            :total_cap
        ]
        message = f"选出 {len(chosen)} 场，超过全天 {total_cap} 个桌次，已去掉价值最低的 {len(chosen) - total_cap} 场"
        chosen, status = keep, "feasible"
    chosen.sort()
    # value as the engine counts it (a cover meeting outside the candidates is worth 0), so the
    # total is comparable with its LP bound
    total = float(
        sum(value[ei[cs.candidates[k].expert.pk], ri[cs.candidates[k].enterprise.pk]] for k in chosen)
    )
    return SelectionOutcome(
        chosen, status, round(total, 4), round(res.bound, 4) if res.bound is not None else None, message
    )


def _select_greedy(cs: CandidateSet, cap: dict[int, int], total_cap: int) -> SelectionOutcome:
    """Fallback: forced pairs, then one meeting per representative, then by weight."""
    left = dict(cap)
    room = total_cap
    chosen: list[int] = []
    order = sorted(range(len(cs.candidates)), key=lambda i: (-cs.candidates[i].weight, i))

    def take(i: int) -> bool:
        nonlocal room
        c = cs.candidates[i]
        if i in chosen or room <= 0 or left[c.enterprise.pk] <= 0 or left[c.expert.pk] <= 0:
            return False
        chosen.append(i)
        left[c.enterprise.pk] -= 1
        left[c.expert.pk] -= 1
        room -= 1
        return True

    for i in order:
        if cs.candidates[i].forced:
            take(i)
    served = {cs.candidates[i].enterprise.pk for i in chosen}
    for i in order:
        if cs.candidates[i].enterprise.pk not in served and take(i):
            served.add(cs.candidates[i].enterprise.pk)
    for i in order:
        take(i)
    chosen.sort()
    return SelectionOutcome(chosen, "greedy", sum(cs.candidates[i].weight for i in chosen) / 100.0, None)


def solve(enc: Encoded, *, time_limit: float, fairness: int | None):
    from kechuang.events.scheduling.solver import solve as engine_solve

    return engine_solve(enc.problem, time_limit=time_limit, fairness=fairness)


def replan(
    enc: Encoded,
    old_slots: Sequence[int],
    old_tables: Sequence[int],
    *,
    time_limit: float,
    fairness: int | None,
):
    """Place every meeting moving as few of the placed ones (``old_slots[i] > 0``) as possible
    (``scheduling.replan``: fewest slot changes first, then fewest breaks; a meeting keeps its
    table when it keeps its slot and the table is still in use)."""
    try:
        from kechuang.events.scheduling.replan import replan as engine_replan
    except ImportError:  # pragma: no cover - the engine module is part of the package
        return _replan_fallback(enc, old_slots, old_tables, time_limit=time_limit, fairness=fairness)
    return engine_replan(
        enc.problem,
        list(old_slots),
        time_limit=time_limit,
        fairness=fairness,
        previous_tables=list(old_tables),
    )


def _replan_fallback(enc, old_slots, old_tables, *, time_limit, fairness):
    """Interim: keep every placed meeting whose slot is still allowed fixed; if that is
    infeasible, free all of them (hinted with their old slots)."""
    from kechuang.events.scheduling.solver import assign_tables
    from kechuang.events.scheduling.solver import solve as engine_solve

    p = enc.problem
    fixed = {i: s for i, s in enumerate(old_slots) if s and s in p.allowed_slots(i)}
    trial = replace(p, fixed=fixed) if fixed else p
    res = engine_solve(trial, time_limit=time_limit / 2, fairness=fairness)
    if not res.has_schedule:
        hint = [s or 1 for s in old_slots]
        res = engine_solve(p, time_limit=time_limit / 2, fairness=fairness, hint=hint)
    if res.has_schedule:
        res.tables = assign_tables(p, res.slots, prefer=list(old_tables))
        res.moved = sum(1 for a, b in zip(old_slots, res.slots) if a and a != b)
    return res
