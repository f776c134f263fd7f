"""Hybrid meetings: an online meeting (a video link instead of a table) needs no table but still
takes a slot of both its participants — in the validator, the quick checks, both solver back-ends
and the re-planner, checked against brute force on small random instances."""

from __future__ import annotations

import dataclasses
import itertools
import random

import pytest

from kechuang.events.scheduling.model import Meeting, Problem, breaks_by_participant
from kechuang.events.scheduling.precheck import precheck
from kechuang.events.scheduling.replan import replan
from kechuang.events.scheduling.solver import assign_tables, solve
from kechuang.events.scheduling.validator import (
    ONLINE,
    PARTICIPANT_OVERLAP,
    TABLE_ASSIGNMENT,
    TABLE_CAPACITY,
    validate,
)


def problem(pairs, online=(), n_slots=3, n_tables=1, n_participants=None, **kw) -> Problem:
    meetings = tuple(
        Meeting(id=i + 1, participants=tuple(pq), online=i in set(online)) for i, pq in enumerate(pairs)
    )
    return Problem(
        n_participants=n_participants or max(max(pq) for pq in pairs),
        n_slots=n_slots,
        n_tables=n_tables,
        n_morning_slots=n_slots,
        meetings=meetings,
        **kw,
    )


def brute_force_min_breaks(p, fairness=2):
    """Reference: every slot assignment, judged by the validator alone (tables not given, so
    only the table capacity of meetings at a table counts)."""
    best = None
    for slots in itertools.product(*(p.allowed_slots(i) for i in range(len(p.meetings)))):
        if validate(p, list(slots), fairness=fairness):
            continue
        b = sum(breaks_by_participant(p, slots).values())
        best = b if best is None else min(best, b)
    return best


def test_validator_counts_only_meetings_at_a_table():
    p = problem([(1, 2), (3, 4), (5, 6)], online=(1, 2), n_slots=1)
    assert validate(p, [1, 1, 1], [1, 0, 0]) == []  # one table, two online meetings beside it
    assert [v.rule for v in validate(p, [1, 1, 1], [1, 1, 0])] == [ONLINE]
    in_person = problem([(1, 2), (3, 4), (5, 6)], n_slots=1)
    rules = {v.rule for v in validate(in_person, [1, 1, 1], [1, 0, 0])}
    assert TABLE_CAPACITY in rules and TABLE_ASSIGNMENT in rules


def test_online_meeting_still_takes_both_participants_slot():
    p = problem([(1, 2), (1, 3)], online=(1,), n_slots=2)
    assert [v.rule for v in validate(p, [1, 1], [1, 0])] == [PARTICIPANT_OVERLAP]
    assert validate(p, [1, 2], [1, 0]) == []


def test_precheck_and_solver_need_no_table_for_online_meetings():
    pairs = [(1, 2), (3, 4), (5, 6), (7, 8)]
    assert precheck(problem(pairs, n_slots=2))[0].rule == TABLE_CAPACITY  # 4 meetings, 2 table-slots
    p = problem(pairs, online=(0, 2, 3), n_slots=1)
    assert precheck(p) == []
    for engine in ("sat", "cpsat"):
        r = solve(p, time_limit=10, engine=engine)
        assert r.status == "optimal" and r.slots == [1, 1, 1, 1]
        assert r.tables == [0, 1, 0, 0] and validate(p, r.slots, r.tables) == []
    # a slot with no table at all is still fine for an online meeting
    q = problem([(1, 2), (1, 3)], online=(1,), n_slots=2, slot_tables=(1, 0))
    r = solve(q, time_limit=10)
    assert r.status == "optimal" and r.slots == [1, 2] and r.tables == [1, 0]


def test_assign_tables_skips_online_meetings():
    p = problem([(1, 2), (3, 4), (5, 6)], online=(0,), n_slots=1, n_tables=2)
    assert assign_tables(p, [1, 1, 1]) == [0, 1, 2]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("engine", ["sat", "cpsat"])
def test_matches_brute_force_with_online_meetings(seed, engine):
    rng = random.Random(1000 + seed)
    people = list(range(1, 6))
    pairs = set()
    while len(pairs) < 6:
        a, b = rng.sample(people, 2)
        pairs.add((min(a, b), max(a, b)))
    pairs = sorted(pairs)
    online = {i for i in range(len(pairs)) if rng.random() < 0.4}
    unav = {rng.choice(people): frozenset({rng.randint(1, 5)})}
    # one table: without the online meetings most of these would not fit
    p = problem(pairs, online=online, n_slots=5, n_tables=1, unavailable=unav, n_participants=6)
    ref = brute_force_min_breaks(p)
    r = solve(p, time_limit=10, engine=engine)
    if ref is None:
        assert r.status == "infeasible" and r.rule
    else:
        assert r.status == "optimal" and r.breaks == ref
        assert validate(p, r.slots, r.tables) == []
        assert all((t == 0) == (i in online) for i, t in enumerate(r.tables))


def test_replan_turns_a_meeting_online_when_a_table_is_lost():
    p = problem([(1, 2), (3, 4)], n_slots=1, n_tables=2)
    first = solve(p, time_limit=10)
    assert first.status == "optimal" and sorted(first.tables) == [1, 2]
    # one table left: in person, one meeting must go; the expert of the second joins online
    lost = dataclasses.replace(p, n_tables=1)
    assert replan(lost, first.slots, time_limit=10).status == "infeasible"
    hybrid = dataclasses.replace(
        lost, meetings=(p.meetings[0], dataclasses.replace(p.meetings[1], online=True))
    )
    r = replan(hybrid, first.slots, time_limit=10, previous_tables=first.tables)
    assert r.status == "optimal" and r.moved == 0 and r.tables[1] == 0
    assert validate(hybrid, r.slots, r.tables) == []
