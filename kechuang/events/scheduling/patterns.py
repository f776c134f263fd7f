"""A lower bound on breaks from each participant's busy slots alone (the "pattern" relaxation).

Forget which meeting goes where and keep only *when* each participant is busy: participant p
with ``k`` meetings is busy in some set of ``k`` slots (a pattern) where those meetings can be
matched to distinct allowed slots (sessions, availability, fixed slots: checked per pattern by
bipartite matching); the pattern's breaks are its blocks minus one, at most the fairness cap;
and a slot with ``t`` tables holds at most ``2t`` busy people (exact when every meeting has two
people and a table). Every schedule gives each participant one such pattern, so the fewest
breaks over patterns is a lower bound on the fewest breaks over schedules.

Why: the bound that CDCL and RC2 struggle with on table-tight events is a counting argument
(the middle slots must leave ``n - 2t`` people idle each, and people whose meetings fill most
of the day can only be idle there with a break); the linear relaxation of "one pattern per
participant" sees it at once. tic-13crafc: 4 (the optimum) in about 0.1 CPU s, where RC2
reached 3 after 20 s (docs/adr/0046-scheduling-pattern-bound.md).

Only small instances qualify (the number of patterns grows as C(slots, k)): the function
returns None rather than build a large model.
"""

from __future__ import annotations

import itertools
import math

from .model import Problem

MAX_PATTERNS = 20_000  # over all participants; the 10-slot events have about 3,000


def _blocks(slots: tuple[int, ...]) -> int:
    return sum(1 for j, s in enumerate(slots) if j == 0 or slots[j - 1] != s - 1)


def _matchable(slots: tuple[int, ...], doms: list[set[int]]) -> bool:
    """Each meeting (allowed slots ``doms``) gets its own slot of ``slots`` (augmenting paths)."""
    owner: dict[int, int] = {}

    def place(i: int, seen: set[int]) -> bool:
        for s in slots:
            if s in doms[i] and s not in seen:
                seen.add(s)
                if s not in owner or place(owner[s], seen):
                    owner[s] = i
                    return True
        return False

    return all(place(i, set()) for i in range(len(doms)))


def busy_patterns(
    problem: Problem, cap: int | None, limit: int = MAX_PATTERNS
) -> dict[int, list[tuple[tuple[int, ...], int]]] | None:
    """Participant -> [(busy slots, breaks)] that some placement of their meetings allows,
    or None when the relaxation does not apply (online or non-pair meetings) or is too big."""
    if not may_apply(problem, limit):
        return None
    out: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for p, ms in problem.meetings_of.items():
        doms = [set(problem.allowed_slots(i)) for i in ms]
        can = sorted(set().union(*doms)) if doms else []
        k = len(ms)
        if k > len(can):
            return None  # no pattern at all: the quick checks name this case
        pats = []
        for sl in itertools.combinations(can, k):
            b = _blocks(sl) - 1
            if (cap is None or b <= cap) and _matchable(sl, doms):
                pats.append((sl, b))
        if not pats:
            return None
        out[p] = pats
    return out


def may_apply(problem: Problem, limit: int = MAX_PATTERNS) -> bool:
    """Whether the relaxation applies (two-person meetings, none online) and its patterns number at
    most ``limit`` (a count, nothing enumerated): :func:`busy_patterns` asks it first, and the
    solver asks it to know whether a pattern bound may still come."""
    if problem.has_online or not all(len(m.participants) == 2 for m in problem.meetings):
        return False
    total = 0
    for ms in problem.meetings_of.values():
        can = set().union(*(problem.allowed_slots(i) for i in ms)) if ms else set()
        total += math.comb(len(can), len(ms))
        if total > limit:
            return False
    return True


def pattern_bound(problem: Problem, cap: int | None, limit: int = MAX_PATTERNS) -> int | None:
    """Proven lower bound on total breaks from :func:`busy_patterns`: the linear relaxation of
    "one pattern per participant, at most 2t busy people per slot", rounded up (HiGHS, about
    0.05–0.2 s on the 10-slot events). None when not applicable or the LP has no solution (the
    other searches then say why)."""
    import highspy
    import numpy as np

    from .selection import _quiet_highs

    pats = busy_patterns(problem, cap, limit)
    if not pats:
        return None
    T = problem.n_slots
    cost, starts, index = [], [0], []
    for row, options in enumerate(pats.values()):
        for sl, b in options:
            cost.append(float(b))
            index += [s - 1 for s in sl] + [T + row]
            starts.append(len(index))
    h = _quiet_highs()
    lp = highspy.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = T + len(pats)
    lp.col_cost_ = np.array(cost)
    lp.col_lower_ = np.zeros(len(cost))
    lp.col_upper_ = np.ones(len(cost))
    tables = [2.0 * problem.tables_at(s) for s in range(1, T + 1)]
    lp.row_lower_ = np.array([-highspy.kHighsInf] * T + [1.0] * len(pats))
    lp.row_upper_ = np.array(tables + [1.0] * len(pats))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(len(index))
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    # The LP optimum is at most the integer optimum; the tolerance covers HiGHS's rounding.
    return max(0, math.ceil(h.getInfo().objective_function_value - 1e-6))
