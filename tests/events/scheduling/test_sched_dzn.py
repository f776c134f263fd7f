"""The DZN reader: MiniZinc data syntax, B2B fields, and errors that name line and field."""

from __future__ import annotations

import pytest

from kechuang.events.scheduling.dzn import DznError, load_b2b, parse_dzn, problem_from_dzn

SMALL = """
% a comment
nBusiness = 3;
nMeetings = 3;
nTables = 2;
nTotalSlots = 4;
nMorningSlots = 2;
requested = [|1, 2, 3,
|1, 3, 1,
|2, 3, 2,
|];
meetingsxBusiness = [{1,2,3},{1,2,4},{1,3,4}];
nMeetingsBusiness = [2,2,2];
forbidden = [{0},{0, 4},{0}];
fixed = [0, 0, 3];
precedences = [{}, {1}, {}];
"""


def test_parse_values():
    d = parse_dzn("a = 3; s = {1, 2..4}; e = {}; r = 2..3; v = [1, -2]; m = [| 1, 2 | 3, 4 |];")
    assert d == {
        "a": 3,
        "s": frozenset({1, 2, 3, 4}),
        "e": frozenset(),
        "r": frozenset({2, 3}),
        "v": [1, -2],
        "m": [[1, 2], [3, 4]],
    }


def test_array1d_and_array2d():
    d = parse_dzn("a = array1d(1..3, [4, 5, 6]); b = array2d(1..2, 1..2, [1, 2, 3, 4]);")
    assert d["a"] == [4, 5, 6]
    assert d["b"] == [[1, 2], [3, 4]]


def test_b2b_fields():
    p = problem_from_dzn(parse_dzn(SMALL))
    assert p.n_participants == 3 and p.n_slots == 4 and p.n_tables == 2 and p.n_morning_slots == 2
    assert [m.participants for m in p.meetings] == [(1, 2), (1, 3), (2, 3)]
    assert [m.session for m in p.meetings] == [3, 1, 2]
    assert p.unavailable == {2: frozenset({4})}  # 0 is the dummy
    assert p.fixed == {2: 3}
    assert p.precedences == ((0, 1),)  # meeting 1 before meeting 2 (0-based indices)
    assert p.allowed_slots(1) == [1, 2]  # morning only
    assert p.allowed_slots(2) == [3]  # fixed


def test_error_names_line_and_field():
    with pytest.raises(DznError, match=r"line 3 in field 'nMeetings'"):
        parse_dzn("nBusiness = 3;\n\nnMeetings = ;\n")


def test_error_wrong_row_count():
    bad = SMALL.replace("nMeetings = 3;", "nMeetings = 4;")
    with pytest.raises(DznError, match="'requested' has 3 rows but nMeetings = 4"):
        problem_from_dzn(parse_dzn(bad))


def test_error_participant_out_of_range():
    bad = SMALL.replace("|2, 3, 2,", "|2, 9, 2,")
    with pytest.raises(DznError, match="row 3: participant 9"):
        problem_from_dzn(parse_dzn(bad))


def test_inconsistent_counts_detected():
    bad = SMALL.replace("nMeetingsBusiness = [2,2,2]", "nMeetingsBusiness = [2,3,2]")
    with pytest.raises(DznError, match="nMeetingsBusiness"):
        problem_from_dzn(parse_dzn(bad))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_b2b(tmp_path / "nope.dzn")


def test_all_benchmark_files_parse(b2b_dir):
    files = sorted(b2b_dir.glob("*.dzn"))
    assert len(files) == 70
    for f in files:
        p = load_b2b(f)
        assert len(p.meetings) > 0
        # every meeting has at least one slot it may take (sessions/forbidden/fixed agree)
        assert all(p.allowed_slots(i) for i in range(len(p.meetings))), f.name
