"""``intake.checks``: the model checks a ModelForm runs, asked once per distinct value, same errors."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kechuang.intake.checks import _clean_fields, _validate_constraints
from kechuang.needs.models import Need

pytestmark = pytest.mark.django_db


def _errors(fn):
    try:
        fn()
    except ValidationError as exc:
        return exc.message_dict
    return None


def _need(world, **over):
    base = {
        "enterprise": world.orgs["ent"],
        "chain": world.chains["materials"],
        "district": world.areas["laixi"],
        "title": "高镍正极材料",
        "background": "b",
        "problem": "p",
        "goal": "g",
        "status_changed_at": world.needs["pub_laixi"].created_at,
        "created_at": world.needs["pub_laixi"].created_at,
    }
    return Need(**(base | over))


@pytest.mark.parametrize(
    "over",
    [
        {},
        {"budget_min": 300, "budget_max": 100},  # the CheckConstraint
        {"budget_min": 100, "budget_max": 300},
        {"chain_id": 987654},  # a foreign key to nothing
        {"enterprise_id": None, "title": ""},
    ],
)
def test_the_memoised_checks_raise_what_django_raises(world, over):
    memo: dict = {}
    for _ in range(2):  # asked, then answered from the memo
        need = _need(world, **over)
        assert _errors(lambda need=need: _clean_fields(need, memo)) == _errors(_need(world, **over).clean_fields)
        assert _errors(lambda need=need: _validate_constraints(need, memo)) == _errors(
            _need(world, **over).validate_constraints
        )


def test_each_distinct_value_is_asked_once(world):
    memo: dict = {}
    _clean_fields(_need(world), memo)
    _validate_constraints(_need(world, budget_min=1, budget_max=2), memo)
    with CaptureQueriesContext(connection) as q:
        for _ in range(20):
            _clean_fields(_need(world), memo)
            _validate_constraints(_need(world, budget_min=1, budget_max=2), memo)
    assert len(q.captured_queries) == 0
    with CaptureQueriesContext(connection) as q:
        _validate_constraints(_need(world, budget_min=1, budget_max=3), memo)  # a new pair: asked
    asked = [x["sql"] for x in q.captured_queries if "SAVEPOINT" not in x["sql"]]  # Q.check's own savepoint
    assert len(asked) == 1
    assert _errors(lambda: _validate_constraints(_need(world, budget_min=5, budget_max=3), memo))
