"""Re-plan after late changes, moving as few existing meetings as possible.

On the day, people have printed agendas: a schedule with one break fewer but twenty moved
meetings is worse than one more break. So the objective is lexicographic — first the number
of meetings whose slot changes, then breaks — solved as two CP-SAT runs (minimise moves;
then fix that count and minimise breaks), on the same block encoding as the solver.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Mapping, Sequence

from ortools.sat.python import cp_model

from .model import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, Meeting, Problem, SolveResult
from .solver import BlockEncoding, _finish, _solver, assign_tables, explain_infeasible, quick_checks
from .validator import DEFAULT_FAIRNESS


def apply_changes(
    problem: Problem,
    slots: Sequence[int],
    *,
    cancel: Iterable[int] = (),
    add: Iterable[Meeting] = (),
    unavailable: Mapping[int, Iterable[int]] | None = None,
    tables: int | None = None,
    tables_from_slot: int = 1,
    tables_before: Sequence[int] | None = None,
) -> tuple[Problem, list[int], list[int]]:
    """The changed problem and the previous slots/tables aligned with its meetings.

    ``cancel``: meeting indices to drop; ``add``: walk-in meetings (previous slot 0);
    ``unavailable``: participant -> extra slots they cannot attend; ``tables``: the number of
    tables from ``tables_from_slot`` on (a lost table). Fixed slots and precedences of
    cancelled meetings are dropped, the others re-indexed.
    """
    gone = set(cancel)
    for i in gone:
        if not 0 <= i < len(problem.meetings):
            raise ValueError(f"cannot cancel meeting index {i}: there are {len(problem.meetings)} meetings")
    keep = [i for i in range(len(problem.meetings)) if i not in gone]
    new_index = {old: new for new, old in enumerate(keep)}
    meetings = [problem.meetings[i] for i in keep] + list(add)
    prev_slots = [slots[i] for i in keep] + [0] * (len(meetings) - len(keep))
    old_tables = list(tables_before) if tables_before is not None else [0] * len(problem.meetings)
    prev_tables = [old_tables[i] for i in keep] + [0] * (len(meetings) - len(keep))
    unav = {p: set(s) for p, s in problem.unavailable.items()}
    for p, extra in (unavailable or {}).items():
        unav.setdefault(p, set()).update(extra)
    slot_tables = problem.slot_tables
    if tables is not None:
        caps = [problem.tables_at(s) for s in range(1, problem.n_slots + 1)]
        for s in range(tables_from_slot, problem.n_slots + 1):
            caps[s - 1] = min(caps[s - 1], tables)
        slot_tables = tuple(caps)
    new = dataclasses.replace(
        problem,
        meetings=tuple(meetings),
        unavailable={p: frozenset(s) for p, s in unav.items() if s},
        fixed={new_index[i]: s for i, s in problem.fixed.items() if i in new_index},
        precedences=tuple(
            (new_index[a], new_index[b]) for a, b in problem.precedences if a in new_index and b in new_index
        ),
        slot_tables=slot_tables,
    )
    return new, prev_slots, prev_tables


def replan(
    problem: Problem,
    previous: Sequence[int],
    time_limit: float = 20.0,
    fairness: int | None = DEFAULT_FAIRNESS,
    previous_tables: Sequence[int] | None = None,
    workers: int = 2,
) -> SolveResult:
    """Schedule ``problem`` moving the fewest meetings away from ``previous`` (0 = new meeting).

    Returns a result with ``moved`` set; ``status`` is ``optimal`` only when both the number
    of moves and then the breaks are proven minimal.
    """
    started = time.perf_counter()
    problems = quick_checks(problem, fairness)
    if problems:
        res = SolveResult(
            INFEASIBLE, rule=problems[0].rule, message="; ".join(v.message for v in problems[:5])
        )
        return _finish(problem, res, fairness, started)
    enc = BlockEncoding(problem, fairness, keep=previous)
    moved = sum(enc.moved_terms) if enc.moved_terms else 0
    hint = [s if (i, s) in enc.x else 0 for i, s in enumerate(previous)]
    for (i, s), v in enc.x.items():
        if hint[i]:
            enc.m.AddHint(v, hint[i] == s)

    enc.m.Minimize(moved)
    sv = _solver(time_limit * 0.5, workers)
    st = sv.Solve(enc.m)
    if st == cp_model.INFEASIBLE:
        left = max(2.0, time_limit - (time.perf_counter() - started))
        return _finish(problem, explain_infeasible(problem, fairness, left, workers), fairness, started)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _finish(problem, SolveResult(UNKNOWN, message="time limit reached"), fairness, started)
    first = enc.read(sv)
    n_moved = int(round(sv.ObjectiveValue()))
    moves_optimal = st == cp_model.OPTIMAL

    # Phase 2: keep that many moves (or fewer), minimise breaks.
    enc.m.Add(moved <= n_moved)
    enc.m.Minimize(enc.total)
    enc.hint(first)
    sv2 = _solver(max(0.5, time_limit - (time.perf_counter() - started)), workers)
    st2 = sv2.Solve(enc.m)
    if st2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        slots, bound = enc.read(sv2), int(sv2.BestObjectiveBound() + 0.999)
        breaks_optimal = st2 == cp_model.OPTIMAL
    else:
        slots, bound, breaks_optimal = first, 0, False
    n_moved = sum(1 for i, s in enumerate(previous) if s and slots[i] != s)
    status = OPTIMAL if moves_optimal and breaks_optimal else FEASIBLE
    prefer = None
    if previous_tables is not None:  # keep a meeting's table when it keeps its slot
        prefer = [t if previous[i] and slots[i] == previous[i] else 0 for i, t in enumerate(previous_tables)]
    res = SolveResult(
        status, slots=slots, tables=assign_tables(problem, slots, prefer), bound=bound, moved=n_moved
    )
    return _finish(problem, res, fairness, started)
