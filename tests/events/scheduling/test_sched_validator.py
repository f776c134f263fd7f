"""The validator names each broken rule; break counting follows Definition 2.3."""

from __future__ import annotations

import pytest
from sched_helpers import make_problem

from kechuang.events.scheduling.model import breaks_by_participant, count_breaks
from kechuang.events.scheduling.validator import (
    FAIRNESS,
    FIXED,
    ONLINE,
    PARTICIPANT_OVERLAP,
    PRECEDENCE,
    RULES,
    SESSION,
    SLOT_RANGE,
    TABLE_ASSIGNMENT,
    TABLE_CAPACITY,
    UNAVAILABLE,
    validate,
)

PAIRS = [(1, 2), (1, 3), (2, 3), (3, 4)]


def rules_of(violations):
    return {v.rule for v in violations}


def test_valid_schedule_has_no_violation():
    p = make_problem(PAIRS, n_slots=4, n_tables=2)
    assert validate(p, [1, 2, 3, 1], [1, 1, 1, 2]) == []


@pytest.mark.parametrize(
    ("slots", "tables", "kw", "rule"),
    [
        ([1, 2, 5, 1], None, {}, SLOT_RANGE),
        ([1, 2], None, {}, SLOT_RANGE),
        ([1, 1, 3, 2], None, {}, PARTICIPANT_OVERLAP),
        ([1, 2, 3, 1], [1, 1, 1, 1], {}, TABLE_ASSIGNMENT),
        ([1, 2, 3, 1], [1, 1, 3, 2], {}, TABLE_ASSIGNMENT),
        ([1, 2, 3, 1], None, {"n_tables": 1}, TABLE_CAPACITY),
        ([1, 2, 3, 1], None, {"sessions": [2, 3, 3, 3], "n_morning": 2}, SESSION),
        ([1, 2, 3, 1], None, {"unavailable": {4: frozenset({1})}}, UNAVAILABLE),
        ([1, 2, 3, 1], None, {"fixed": {0: 2}}, FIXED),
        ([1, 2, 3, 1], None, {"precedences": ((2, 1),)}, PRECEDENCE),
    ],
)
def test_each_rule_is_named(slots, tables, kw, rule):
    kw = dict(kw)
    n_tables = kw.pop("n_tables", 2)
    p = make_problem(PAIRS, n_slots=4, n_tables=n_tables, **kw)
    found = validate(p, slots, tables)
    assert rule in rules_of(found)
    # and nothing else is blamed
    assert rules_of(found) == {rule}


def test_overlap_names_participant_and_slot():
    p = make_problem(PAIRS, n_slots=4, n_tables=2)
    (v,) = validate(p, [1, 1, 3, 2])
    assert (v.rule, v.participant, v.slot) == (PARTICIPANT_OVERLAP, 1, 1)
    assert "participant 1" in v.message and "slot 1" in v.message


def test_fairness_rule():
    # participant 1 meets in slots 1, 3, 5 -> 2 breaks; participant 5 has no meeting -> 0.
    p = make_problem([(1, 2), (1, 3), (1, 4)], n_slots=5, n_tables=2, n_participants=5)
    assert validate(p, [1, 3, 5], fairness=2) == []
    found = validate(p, [1, 3, 5], fairness=1)
    assert rules_of(found) == {FAIRNESS}
    assert found[0].participant == 1
    assert validate(p, [1, 3, 5], fairness=None) == []


def test_every_rule_has_a_check():
    assert set(RULES) == {
        SLOT_RANGE,
        PARTICIPANT_OVERLAP,
        TABLE_CAPACITY,
        TABLE_ASSIGNMENT,
        SESSION,
        UNAVAILABLE,
        FIXED,
        PRECEDENCE,
        FAIRNESS,
        ONLINE,
    }


@pytest.mark.parametrize(
    ("slots", "breaks"),
    [
        ([], 0),
        ([4], 0),
        ([1, 2, 3], 0),
        ([3, 1, 2], 0),  # order of input does not matter
        ([1, 3], 1),
        ([1, 5], 1),  # one long gap is one break
        ([1, 3, 5], 2),
        ([1, 2, 4, 5, 8], 2),
        ([2, 2], 0),  # an overlap is not a break
    ],
)
def test_count_breaks_definition_2_3(slots, breaks):
    assert count_breaks(slots) == breaks


def test_breaks_by_participant():
    p = make_problem(PAIRS, n_slots=4, n_tables=2)
    # 1: slots 1,3 -> 1 break; 2: 1,4 -> 1; 3: 3,4,... (3 has 2->3? meetings 2,3,4 at 3,4,1) -> 1,3,4 -> 1
    per = breaks_by_participant(p, [1, 3, 4, 1])
    assert per == {1: 1, 2: 1, 3: 1, 4: 0}
