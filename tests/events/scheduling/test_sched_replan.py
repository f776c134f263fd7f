"""Re-planning moves the fewest meetings, then minimises breaks, and stays valid."""

from __future__ import annotations

from sched_helpers import make_problem

from kechuang.events.scheduling.model import Meeting
from kechuang.events.scheduling.replan import apply_changes, replan
from kechuang.events.scheduling.validator import validate


def test_no_change_moves_nothing():
    p = make_problem([(1, 2), (1, 3), (2, 3), (3, 4)], n_slots=4, n_tables=2)
    old = [1, 2, 3, 4]
    r = replan(p, old, time_limit=5)
    assert r.status == "optimal" and r.moved == 0 and r.slots == old


def test_unavailable_participant_moves_exactly_one_meeting():
    # Five independent pairs, one per slot; participant 1 becomes unavailable in slot 1.
    # Slot 5 is free, so moving only meeting (1, 2) there is optimal: exactly one move.
    p = make_problem([(1, 2), (3, 4), (5, 6), (7, 8)], n_slots=5, n_tables=1)
    old = [1, 2, 3, 4]
    new, prev, _ = apply_changes(p, old, unavailable={1: {1}})
    r = replan(new, prev, time_limit=5)
    assert r.status == "optimal"
    assert r.moved == 1
    assert r.slots[1:] == [2, 3, 4]
    assert r.slots[0] == 5
    assert validate(new, r.slots, r.tables) == []


def test_lost_table_moves_minimum():
    # Slot 1 has 3 meetings at 3 tables; from slot 1 on only 2 tables remain: one of them
    # must move to the empty slot 2, the rest stay.
    p = make_problem([(1, 2), (3, 4), (5, 6)], n_slots=2, n_tables=3)
    old, old_tables = [1, 1, 1], [1, 2, 3]
    new, prev, prev_t = apply_changes(p, old, tables=2, tables_before=old_tables)
    r = replan(new, prev, time_limit=5, previous_tables=prev_t)
    assert r.moved == 1 and r.status == "optimal"
    assert validate(new, r.slots, r.tables) == []
    stayed = [i for i in range(3) if r.slots[i] == 1]
    assert all(r.tables[i] == old_tables[i] for i in stayed)  # kept their tables


def test_walk_in_and_cancel():
    # 1 meets 2, 3, 4 in slots 1, 2, 3; cancel (1, 3) and add walk-in (1, 5).
    p = make_problem([(1, 2), (1, 3), (1, 4)], n_slots=4, n_tables=1, n_participants=5)
    old = [1, 2, 3]
    new, prev, _ = apply_changes(p, old, cancel=[1], add=[Meeting(id=99, participants=(1, 5))])
    assert [m.participants for m in new.meetings] == [(1, 2), (1, 4), (1, 5)]
    assert prev == [1, 3, 0]
    r = replan(new, prev, time_limit=5)
    assert r.moved == 0  # the walk-in takes the freed slot 2 (or 4); nobody moves
    assert r.slots[:2] == [1, 3]
    assert r.breaks == 0 and r.slots[2] == 2  # then breaks: slot 2 closes the gap
    assert validate(new, r.slots, r.tables) == []


def test_moves_beat_breaks():
    # Moving one meeting would save a break; the re-planner must not move it.
    p = make_problem([(1, 2), (1, 3)], n_slots=3, n_tables=1)
    r = replan(p, [1, 3], time_limit=5)
    assert r.moved == 0 and r.breaks == 1


def test_replan_names_fixed_meetings_that_force_too_many_breaks():
    # Participant 1's meetings fixed to slots 1, 3 and 5: two breaks, over a cap of one
    # (participant 5 has one meeting, so fairness caps everyone): named, not modelled.
    p = make_problem([(1, 2), (1, 3), (1, 4), (5, 2)], n_slots=5, n_tables=3, fixed={0: 1, 1: 3, 2: 5})
    r = replan(p, [1, 3, 5, 2], time_limit=5, fairness=1)
    assert r.status == "infeasible" and set(r.rule.split(",")) == {"fixed", "fairness"}
    assert "participant 1" in r.message
