"""The adapter between the database and the scheduling engine (``kechuang.events.scheduling``).

Reads rows, encodes them as the engine's plain data (participants 1..n, slots 1..n, tables 1..k
of the *active* tables in number order), calls the engine, and decodes its answers into this
module's own results (``Selection``, ``Plan``), so that the services never handle an engine
type. No writes here: the services in ``services/`` decide and store. Which pairs are worth a
meeting, and how well they fit, is ``events.affinity``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext, ngettext

from kechuang.events.affinity import AffinityCache, Candidate, CandidateSet, affinity, best_need
from kechuang.events.models import Event, Meeting, MeetingRequest, Participant, Table
from kechuang.events.scheduling.model import Meeting as EngineMeeting
from kechuang.events.scheduling.model import Problem

# ---------------------------------------------------------------- results


@dataclass
class Selection:
    """Which candidates meet (``chosen``: indices into ``CandidateSet.candidates``)."""

    chosen: list[int]
    status: str  # "optimal", "feasible" (trimmed to the day's table-slots), or the engine's failure
    total: float | None
    bound: float | None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "feasible")


@dataclass
class Plan:
    """Where each meeting goes: ``slots``/``tables`` (1-based table numbers into the active
    tables) per meeting in the order given; empty when there is no schedule, and then ``rule``
    names the rule that cannot be met."""

    status: str
    slots: list[int] = field(default_factory=list)
    tables: list[int] = field(default_factory=list)
    breaks: int | None = None
    bound: int | None = None
    rule: str = ""
    message: str = ""

    @property
    def has_schedule(self) -> bool:
        return bool(self.slots)

    @classmethod
    def refused(cls, rule: str, message: str) -> Plan:
        return cls("infeasible", rule=rule, message=_people_message("infeasible", rule, message))

    @classmethod
    def from_engine(cls, res) -> Plan:
        return cls(
            status=res.status,
            slots=list(res.slots),
            tables=list(res.tables),
            breaks=res.breaks,
            bound=res.bound,
            rule=res.rule or "",
            message=_people_message(res.status, res.rule or "", res.message),
        )


def _people_message(status: str, rule: str, detail: str) -> str:
    """The engine's explanation for the pages: the rule's Chinese message first (keyed by rule id,
    ``scheduling.messages``), the engine's English detail kept after it for whoever investigates."""
    from kechuang.events.scheduling.messages import result_message
    from kechuang.events.scheduling.model import SolveResult

    zh = result_message(SolveResult(status, rule=rule or None, message=detail), "zh")
    if zh and detail and detail != zh:
        return gettext("%(zh)s。详情：%(detail)s") % {"zh": zh, "detail": detail}
    return zh or detail


# ---------------------------------------------------------------- engine problems


@dataclass
class Encoded:
    """A Problem plus the maps back to rows."""

    problem: Problem
    people: list[int]  # engine participant number - 1 -> Participant pk
    tables: list[Table]  # engine table number - 1 -> Table (active tables by number)

    def table_index(self, table_id: int | None) -> int:
        for i, t in enumerate(self.tables, start=1):
            if t.pk == table_id:
                return i
        return 0


def active_tables(event: Event) -> list[Table]:
    return list(Table.objects.filter(event=event, active=True).order_by("number"))


def table_at(tables: Sequence[Table], number: int) -> Table | None:
    """The table of an engine table number (1-based into ``tables``); 0 = online, no table."""
    return tables[number - 1] if number else None


def online_pairs(event: Event, pairs: Sequence[tuple[int, int]]) -> list[bool]:
    """Which (enterprise, expert) pairs meet online: either side cannot travel ("仅线上"), or
    their open request asked for an online talk."""
    people = {p for pair in pairs for p in pair}
    remote = set(Participant.objects.filter(pk__in=people, online_only=True).values_list("pk", flat=True))
    asked = set(
        MeetingRequest.objects.filter(
            event=event,
            online=True,
            status__in=(MeetingRequest.Status.PENDING, MeetingRequest.Status.ACCEPTED),
        ).values_list("enterprise_id", "expert_id")
    )
    return [a in remote or b in remote or (a, b) in asked for a, b in pairs]


def encode(
    event: Event,
    pairs: Sequence[tuple[int, int]],
    *,
    tables: list[Table] | None = None,
    online: Sequence[bool] | None = None,
) -> Encoded:
    """Encode meetings between participant pks as a ``Problem`` (meeting ids are 1..n in order);
    ``online`` marks the meetings held by video (no table)."""
    day = event.meeting_day
    tables = active_tables(event) if tables is None else tables
    people = sorted({p for pair in pairs for p in pair})
    num = {pk: i for i, pk in enumerate(people, start=1)}
    unavailable = {}
    for p in Participant.objects.filter(pk__in=people).only("pk", "unavailable_slots"):
        slots = frozenset(int(s) for s in (p.unavailable_slots or []) if 1 <= int(s) <= day.n_slots)
        if slots:
            unavailable[num[p.pk]] = slots
    online = list(online) if online is not None else [False] * len(pairs)
    meetings = tuple(
        EngineMeeting(id=i + 1, participants=(num[a], num[b]), online=bool(online[i]))
        for i, (a, b) in enumerate(pairs)
    )
    problem = Problem(
        n_participants=len(people),
        n_slots=day.n_slots,
        n_tables=len(tables),
        n_morning_slots=day.morning_slots,
        meetings=meetings,
        unavailable=unavailable,
        name=f"event-{event.pk}",
    )
    return Encoded(problem, people, tables)


def stored_meetings(event: Event) -> list[Meeting]:
    """The event's scheduled meetings in (slot, table, id) order: the order ``encode_stored`` uses."""
    return list(
        Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED)
        .select_related("table", "enterprise", "expert")
        .order_by("slot", "table__number", "pk")
    )


def encode_stored(event: Event) -> tuple[Encoded, list[Meeting]]:
    """The event's scheduled meetings as a Problem, in (slot, table, id) order."""
    meetings = stored_meetings(event)
    enc = encode(
        event, [(m.enterprise_id, m.expert_id) for m in meetings], online=[m.online for m in meetings]
    )
    return enc, meetings


def check_stored(event: Event) -> list[dict]:
    """Run the validator on the stored schedule; each violation as a plain dict for JSON/pages.

    A meeting at a table that is no longer active shows up as ``table_assignment``."""
    from kechuang.events.scheduling.messages import violation_message
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
                "message": violation_message(v, "zh"),
                "message_en": v.message,
                "meeting": m.pk if m else None,
                "participant": who,
                "slot": v.slot,
            }
        )
    return out


# ---------------------------------------------------------------- selection


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


def select(event: Event, cs: CandidateSet, tables: Sequence[Table]) -> Selection:
    """Choose which candidate pairs meet (``scheduling.selection.choose_meetings``): maximise the
    total weight under capacities, forced pairs in, every representative at least one meeting
    where possible.

    The engine's value is ``affinity × priority`` with priority per enterprise; our priorities are
    per pair (a request's priority), so the pair weight goes into the matrix and priority is 1.
    Pairs that are not candidates get value 0: the engine uses those only to give a
    representative with no candidate at least one meeting (they are appended to ``cs`` as
    "cover" candidates). The engine has no day-wide capacity, so if it chooses more meetings than
    the day has table-slots the lowest-value ones are dropped (and the result is no longer called
    optimal).
    """
    import numpy as np

    from kechuang.events.scheduling.selection import choose_meetings

    cap, total_cap = capacities(event, cs, tables)
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
        return Selection([], res.status, None, res.bound, res.message)
    chosen: list[int] = []
    cache = None
    for e, n in res.pairs:
        if (e, n) not in index:  # a cover meeting outside the candidates
            if cache is None:
                cache = AffinityCache(reps, exps)
            rep, ex = reps[n], exps[e]
            need = best_need(rep, ex, cache)
            cs.candidates.append(
                Candidate(rep, ex, getattr(need, "pk", None), affinity(rep, ex, cache), 0, "cover")
            )
            index[e, n] = len(cs.candidates) - 1
        chosen.append(index[e, n])
    status, message = "optimal", res.message
    # online meetings take no table: only those at a table count against the day's table-slots
    by_video = online_pairs(
        event, [(cs.candidates[k].enterprise.pk, cs.candidates[k].expert.pk) for k in chosen]
    )
    online = [k for k, o in zip(chosen, by_video) if o]
    at_table = [k for k, o in zip(chosen, by_video) if not o]
    if len(at_table) > total_cap:
        keep = sorted(at_table, key=lambda k: (not cs.candidates[k].forced, -cs.candidates[k].weight, k))[
            :total_cap
        ]
        message = ngettext("选出 %(n)s 场现场洽谈，超过全天 %(total_cap)s 个桌次，已去掉价值最低的 %(n2)s 场", "选出 %(n)s 场现场洽谈，超过全天 %(total_cap)s 个桌次，已去掉价值最低的 %(n2)s 场", len(at_table) - total_cap) % {"n": len(at_table), "total_cap": total_cap, "n2": len(at_table) - total_cap}
        chosen, status = keep + online, "feasible"
    chosen.sort()
    # value as the engine counts it (a cover meeting outside the candidates is worth 0), so the
    # total is comparable with its LP bound
    total = float(
        sum(value[ei[cs.candidates[k].expert.pk], ri[cs.candidates[k].enterprise.pk]] for k in chosen)
    )
    return Selection(
        chosen, status, round(total, 4), round(res.bound, 4) if res.bound is not None else None, message
    )


# ---------------------------------------------------------------- placing


def solve(
    event: Event,
    pairs: Sequence[tuple[int, int]],
    *,
    tables: list[Table],
    time_limit: float,
    fairness: int | None,
) -> Plan:
    """Place meetings between participant pks (``scheduling.solver``: fewest breaks)."""
    from kechuang.events.scheduling.solver import solve as engine_solve

    enc = encode(event, pairs, tables=tables, online=online_pairs(event, pairs))
    return Plan.from_engine(engine_solve(enc.problem, time_limit=time_limit, fairness=fairness))


def replan(
    event: Event,
    meetings: Sequence[Meeting],
    extra_pairs: Sequence[tuple[int, int]],
    *,
    tables: list[Table],
    time_limit: float,
    fairness: int | None,
) -> Plan:
    """Place the stored ``meetings`` and the ``extra_pairs`` moving as few of the placed ones as
    possible (``scheduling.replan``: fewest slot changes first, then fewest breaks; a meeting keeps
    its table when it keeps its slot and the table is still in use). The plan lists the stored
    meetings first, in the order given, then the extra pairs."""
    from kechuang.events.scheduling.replan import replan as engine_replan

    pairs = [(m.enterprise_id, m.expert_id) for m in meetings] + list(extra_pairs)
    # a stored meeting keeps its form unless one side has since become "仅线上"; a walk-in follows
    # the participants and their request
    now_online = online_pairs(event, pairs)
    online = [m.online or now_online[i] for i, m in enumerate(meetings)] + now_online[len(meetings) :]
    enc = encode(event, pairs, tables=tables, online=online)
    old_slots = [m.slot for m in meetings] + [0] * len(extra_pairs)
    old_tables = [enc.table_index(m.table_id) for m in meetings] + [0] * len(extra_pairs)
    res = engine_replan(
        enc.problem, old_slots, time_limit=time_limit, fairness=fairness, previous_tables=old_tables
    )
    return Plan.from_engine(res)
