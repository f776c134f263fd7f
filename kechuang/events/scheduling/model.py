"""Plain data for meeting scheduling: what the solver, validator and re-planner share.

Everything here is immutable and free of Django so the engine can be tested and benchmarked
without a database; the Django app adapts its models to these classes.

Conventions (those of the B2B benchmark, so files and answers compare directly):
participants are numbered ``1..n_participants``, slots ``1..n_slots`` (the first
``n_morning_slots`` are the morning session), tables ``1..n_tables``; meetings are referred to
by their position in ``Problem.meetings`` (0-based) and shown to people by ``Meeting.id``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

MORNING, AFTERNOON, EITHER = 1, 2, 3

# Result statuses (strings so they go straight into JSON).
OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = "optimal", "feasible", "infeasible", "unknown"


@dataclass(frozen=True)
class Meeting:
    """A requested meeting between participants, in session 1 (morning), 2 (afternoon) or 3.

    An ``online`` meeting (a video link, for an expert who cannot travel) needs no table but
    still takes a slot of each of its participants; its table is 0 in a schedule."""

    id: int
    participants: tuple[int, ...]
    session: int = EITHER
    online: bool = False


@dataclass(frozen=True)
class Problem:
    """A meeting-scheduling instance.

    ``unavailable`` maps a participant to slots they cannot attend; ``fixed`` maps a meeting
    index to its imposed slot; ``precedences`` holds ``(before, after)`` meeting indices
    (``before`` must take a strictly earlier slot). ``slot_tables`` optionally overrides the
    number of tables per slot (e.g. a table lost from the afternoon on).
    """

    n_participants: int
    n_slots: int
    n_tables: int
    n_morning_slots: int
    meetings: tuple[Meeting, ...]
    unavailable: Mapping[int, frozenset[int]] = field(default_factory=dict)
    fixed: Mapping[int, int] = field(default_factory=dict)
    precedences: tuple[tuple[int, int], ...] = ()
    name: str = ""
    slot_tables: tuple[int, ...] | None = None

    def tables_at(self, slot: int) -> int:
        """Tables usable in ``slot`` (1-based)."""
        if self.slot_tables is not None:
            return self.slot_tables[slot - 1]
        return self.n_tables

    def session_of(self, slot: int) -> int:
        return MORNING if slot <= self.n_morning_slots else AFTERNOON

    def session_slots(self, session: int) -> range:
        if session == MORNING:
            return range(1, self.n_morning_slots + 1)
        if session == AFTERNOON:
            return range(self.n_morning_slots + 1, self.n_slots + 1)
        return range(1, self.n_slots + 1)

    @cached_property
    def meetings_of(self) -> dict[int, list[int]]:
        """Participant -> indices of their meetings (participants without meetings omitted)."""
        out: dict[int, list[int]] = {}
        for i, m in enumerate(self.meetings):
            for p in m.participants:
                out.setdefault(p, []).append(i)
        return out

    @cached_property
    def participants(self) -> list[int]:
        """Participants with at least one meeting, sorted."""
        return sorted(self.meetings_of)

    def allowed_slots(self, i: int) -> list[int]:
        """Slots meeting ``i`` may take under session, availability and fixed rules (and, for a
        meeting at a table, slots that have a table at all)."""
        m = self.meetings[i]
        slots = set(self.session_slots(m.session))
        for p in m.participants:
            slots -= self.unavailable.get(p, frozenset())
        if i in self.fixed:
            slots &= {self.fixed[i]}
        return sorted(s for s in slots if m.online or self.tables_at(s) > 0)

    def at_table(self, i: int) -> bool:
        """Meeting ``i`` takes a table (it is not online)."""
        return not self.meetings[i].online

    @cached_property
    def has_online(self) -> bool:
        return any(m.online for m in self.meetings)


@dataclass(frozen=True)
class Violation:
    """One broken rule, named so that a person (or a test) sees which rule and where."""

    rule: str
    message: str
    meeting: int | None = None  # meeting index (0-based)
    participant: int | None = None
    slot: int | None = None

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


@dataclass
class SolveResult:
    """The outcome of a solve: never an exception for 'no solution' (it is ``infeasible``).

    ``slots``/``tables`` are 1-based per meeting in input order (empty when there is no
    schedule). For ``infeasible``, ``rule`` names the rule (or rules, comma-separated) that
    cannot be met and ``message`` says why in words.
    """

    status: str
    slots: list[int] = field(default_factory=list)
    tables: list[int] = field(default_factory=list)
    breaks: int | None = None
    bound: int | None = None
    seconds: float = 0.0
    rule: str | None = None
    message: str = ""
    moved: int | None = None  # re-planning only: meetings whose slot changed
    # infeasible only: rules in ``rule`` that may not be needed (not decided within the time)
    undecided: str = ""

    @property
    def has_schedule(self) -> bool:
        return bool(self.slots)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "status": self.status,
            "breaks": self.breaks,
            "bound": self.bound,
            "seconds": round(self.seconds, 3),
            "slots": list(self.slots),
            "tables": list(self.tables),
        }
        if self.rule:
            out["rule"] = self.rule
        if self.message:
            out["message"] = self.message
        if self.moved is not None:
            out["moved"] = self.moved
        if self.undecided:
            out["undecided"] = self.undecided
        return out


def count_breaks(slots: Sequence[int]) -> int:
    """Breaks of one participant (Definition 2.3, Bofill et al. 2022).

    Sort the participant's meeting slots; every two neighbours that are not adjacent slots make
    one break. Two meetings in the same slot are not a break (that is an overlap, a different rule).
    """
    s = sorted(slots)
    return sum(1 for a, b in zip(s, s[1:]) if b - a > 1)


def breaks_by_participant(problem: Problem, slots: Sequence[int]) -> dict[int, int]:
    """Breaks of every participant with at least one meeting."""
    return {p: count_breaks([slots[i] for i in ms]) for p, ms in problem.meetings_of.items()}
