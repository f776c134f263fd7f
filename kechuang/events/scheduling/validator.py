"""Check any schedule against every rule and name each violation.

Every rule is a small named generator (in the style of PyconUK's conference_scheduler), so a
schedule from anywhere — the solver, the re-planner, a spreadsheet an organiser edited — is
judged by the same code, and an error says which rule, meeting, participant and slot.
The rule names are shared with the solver's infeasibility report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence

from .model import EITHER, Problem, Violation, breaks_by_participant

# Rule names (stable strings: tests, the CLI and the Django side refer to them).
SLOT_RANGE = "slot_range"
PARTICIPANT_OVERLAP = "participant_overlap"
TABLE_CAPACITY = "table_capacity"
TABLE_ASSIGNMENT = "table_assignment"
SESSION = "session"
UNAVAILABLE = "unavailable"
FIXED = "fixed"
PRECEDENCE = "precedence"
FAIRNESS = "fairness"
ONLINE = "online"

DEFAULT_FAIRNESS = 2

_Rule = Callable[[Problem, Sequence[int], Sequence[int] | None, int | None], Iterator[Violation]]


def _label(problem: Problem, i: int) -> str:
    m = problem.meetings[i]
    return f"meeting {m.id} ({' & '.join(map(str, m.participants))})"


def check_slot_range(problem, slots, tables, fairness):
    """Every meeting has exactly one slot inside 1..n_slots."""
    if len(slots) != len(problem.meetings):
        yield Violation(SLOT_RANGE, f"schedule has {len(slots)} slots for {len(problem.meetings)} meetings")
        return
    for i, s in enumerate(slots):
        if not isinstance(s, int) or not 1 <= s <= problem.n_slots:
            yield Violation(
                SLOT_RANGE, f"{_label(problem, i)} has slot {s!r}, not in 1..{problem.n_slots}", meeting=i
            )


def check_participant_overlap(problem, slots, tables, fairness):
    """No participant is in two meetings in one slot."""
    for p, ms in problem.meetings_of.items():
        by_slot: dict[int, list[int]] = defaultdict(list)
        for i in ms:
            by_slot[slots[i]].append(i)
        for s, same in sorted(by_slot.items()):
            if len(same) > 1:
                names = ", ".join(_label(problem, i) for i in same)
                yield Violation(
                    PARTICIPANT_OVERLAP,
                    f"participant {p} has {len(same)} meetings in slot {s}: {names}",
                    meeting=same[1],
                    participant=p,
                    slot=s,
                )


def check_table_capacity(problem, slots, tables, fairness):
    """At most as many meetings at a table in a slot as there are tables (online ones need none)."""
    at_table = [s for i, s in enumerate(slots) if problem.at_table(i)]
    for s, n in sorted(Counter(at_table).items()):
        if isinstance(s, int) and 1 <= s <= problem.n_slots and n > problem.tables_at(s):
            yield Violation(
                TABLE_CAPACITY, f"slot {s} has {n} meetings but {problem.tables_at(s)} tables", slot=s
            )


def check_table_assignment(problem, slots, tables, fairness):
    """If tables are given: each is a real table and holds one meeting per slot."""
    if tables is None:
        return
    if len(tables) != len(slots):
        yield Violation(TABLE_ASSIGNMENT, f"{len(tables)} tables given for {len(slots)} meetings")
        return
    seen: dict[tuple[int, int], int] = {}
    for i, (s, t) in enumerate(zip(slots, tables)):
        if not problem.at_table(i):
            continue  # rule "online" judges those
        if not isinstance(t, int) or not 1 <= t <= problem.tables_at(s):
            yield Violation(
                TABLE_ASSIGNMENT,
                f"{_label(problem, i)} is at table {t!r}, slot {s} has tables 1..{problem.tables_at(s)}",
                meeting=i,
                slot=s,
            )
        elif (s, t) in seen:
            yield Violation(
                TABLE_ASSIGNMENT,
                f"{_label(problem, i)} and {_label(problem, seen[s, t])} share table {t} in slot {s}",
                meeting=i,
                slot=s,
            )
        else:
            seen[s, t] = i


def check_online(problem, slots, tables, fairness):
    """If tables are given: an online meeting has none (table 0), so no table is taken from others."""
    if tables is None or len(tables) != len(slots):
        return
    for i, m in enumerate(problem.meetings):
        if m.online and tables[i]:
            yield Violation(
                ONLINE,
                f"{_label(problem, i)} is online but has table {tables[i]!r} in slot {slots[i]}",
                meeting=i,
                slot=slots[i],
            )


def check_session(problem, slots, tables, fairness):
    """A meeting asked for the morning (1) or afternoon (2) gets a slot of that session."""
    for i, m in enumerate(problem.meetings):
        if m.session != EITHER and problem.session_of(slots[i]) != m.session:
            want = "morning" if m.session == 1 else "afternoon"
            yield Violation(
                SESSION,
                f"{_label(problem, i)} wants the {want} but has slot {slots[i]}",
                meeting=i,
                slot=slots[i],
            )


def check_unavailable(problem, slots, tables, fairness):
    """No participant meets in a slot they are unavailable (forbidden) in."""
    for i, m in enumerate(problem.meetings):
        for p in m.participants:
            if slots[i] in problem.unavailable.get(p, ()):
                yield Violation(
                    UNAVAILABLE,
                    f"{_label(problem, i)} is in slot {slots[i]}, where participant {p} is unavailable",
                    meeting=i,
                    participant=p,
                    slot=slots[i],
                )


def check_fixed(problem, slots, tables, fairness):
    """A fixed meeting keeps its slot."""
    for i, s in sorted(problem.fixed.items()):
        if slots[i] != s:
            yield Violation(
                FIXED,
                f"{_label(problem, i)} is fixed to slot {s} but has slot {slots[i]}",
                meeting=i,
                slot=slots[i],
            )


def check_precedence(problem, slots, tables, fairness):
    """A meeting that must come first takes a strictly earlier slot."""
    for a, b in problem.precedences:
        if not slots[a] < slots[b]:
            yield Violation(
                PRECEDENCE,
                f"{_label(problem, a)} (slot {slots[a]}) must be before {_label(problem, b)} (slot {slots[b]})",
                meeting=b,
                slot=slots[b],
            )


def check_fairness(problem, slots, tables, fairness):
    """Break counts of any two participants differ by at most ``fairness``.

    As in the benchmark's model, every participant counts, including those with no meeting
    (they have 0 breaks); so with such a participant the rule caps everyone at ``fairness``.
    """
    if fairness is None:
        return
    per = dict.fromkeys(range(1, problem.n_participants + 1), 0)  # no meetings: 0 breaks
    per.update(breaks_by_participant(problem, slots))
    if not per:
        return
    lo_p = min(per, key=lambda p: (per[p], p))
    hi_p = max(per, key=lambda p: (per[p], -p))
    if per[hi_p] - per[lo_p] > fairness:
        yield Violation(
            FAIRNESS,
            f"participant {hi_p} has {per[hi_p]} breaks and participant {lo_p} has {per[lo_p]}: "
            f"difference {per[hi_p] - per[lo_p]} > {fairness}",
            participant=hi_p,
        )


# Order matters only for reading: structural rules first, fairness (the soft-ish one) last.
RULES: dict[str, _Rule] = {
    SLOT_RANGE: check_slot_range,
    PARTICIPANT_OVERLAP: check_participant_overlap,
    TABLE_CAPACITY: check_table_capacity,
    TABLE_ASSIGNMENT: check_table_assignment,
    ONLINE: check_online,
    SESSION: check_session,
    UNAVAILABLE: check_unavailable,
    FIXED: check_fixed,
    PRECEDENCE: check_precedence,
    FAIRNESS: check_fairness,
}


def validate(
    problem: Problem,
    slots: Sequence[int],
    tables: Sequence[int] | None = None,
    fairness: int | None = DEFAULT_FAIRNESS,
) -> list[Violation]:
    """All violations of ``slots`` (1-based slot per meeting) and optional ``tables``.

    An empty list means the schedule is valid. If slots are missing or out of range, only
    that is reported: the other rules would just repeat it.
    """
    out = list(check_slot_range(problem, slots, tables, fairness))
    if out:
        return out
    for name, rule in RULES.items():
        if name != SLOT_RANGE:
            out.extend(rule(problem, slots, tables, fairness))
    return out
