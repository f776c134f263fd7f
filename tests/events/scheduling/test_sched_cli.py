"""CLI: output format, clear errors with exit code 2, nothing written on failure."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kechuang.cli import main

DZN = """nBusiness = 3; nMeetings = 2; nTables = 1; nTotalSlots = 3; nMorningSlots = 3;
requested = [| 1, 2, 3 | 1, 3, 3 |];
forbidden = [{0}, {0}, {0}];
fixed = [0, 0];
precedences = [{}, {}];
"""


def test_schedule_writes_result(tmp_path, capsys):
    inst, out = tmp_path / "i.dzn", tmp_path / "o.json"
    inst.write_text(DZN)
    assert main(["schedule", str(inst), "--time-limit", "5", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert {"status", "breaks", "bound", "seconds", "slots"} <= set(data)
    assert data["status"] == "optimal" and data["breaks"] == 0 and data["bound"] == 0
    assert len(data["slots"]) == 2 and abs(data["slots"][0] - data["slots"][1]) == 1
    assert all(1 <= s <= 3 for s in data["slots"])


def test_schedule_infeasible_names_rule(tmp_path):
    inst, out = tmp_path / "i.dzn", tmp_path / "o.json"
    inst.write_text(DZN.replace("nTotalSlots = 3; nMorningSlots = 3", "nTotalSlots = 1; nMorningSlots = 1"))
    assert main(["schedule", str(inst), "--time-limit", "5", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["status"] == "infeasible" and "participant_overlap" in data["rule"]


def test_schedule_missing_file(tmp_path, capsys):
    out = tmp_path / "o.json"
    assert main(["schedule", str(tmp_path / "nope.dzn"), "--out", str(out)]) == 2
    assert "not found" in capsys.readouterr().err
    assert not out.exists()


def test_schedule_malformed_names_line_and_field(tmp_path, capsys):
    inst, out = tmp_path / "i.dzn", tmp_path / "o.json"
    inst.write_text(DZN.replace("fixed = [0, 0];", "fixed = [0, 0;"))
    assert main(["schedule", str(inst), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "line 4" in err and "'fixed'" in err
    assert not out.exists() and list(tmp_path.iterdir()) == [inst]


def _npz(path, sim, mask=None):
    arrays = {"similarity_matrix": sim}
    if mask is not None:
        arrays["mask_matrix"] = mask
    np.savez(path, **arrays)


def test_select_writes_pairs(tmp_path):
    f, out = tmp_path / "a.npz", tmp_path / "o.json"
    sim = np.array([[0.9, 0.1, 0.5], [0.2, 0.8, 0.5]])
    mask = np.array([[0, 0, 1], [0, 0, 0]])
    _npz(f, sim, mask)
    assert main(["select", "--npz", str(f), "--demand", "1", "--capacity", "2", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["status"] == "optimal"
    assert sorted(map(tuple, data["pairs"])) == [(0, 0), (1, 1), (1, 2)]
    assert data["total"] == pytest.approx(2.2) and data["bound"] == pytest.approx(2.2)
    assert set(data) >= {"status", "total", "bound", "seconds", "pairs"}


@pytest.mark.parametrize(
    ("arrays", "words"),
    [
        ({"other": np.ones(2)}, "missing array 'similarity_matrix'"),
        ({"similarity_matrix": np.ones((2, 2)), "mask_matrix": np.ones((3, 2))}, "shape"),
        ({"similarity_matrix": np.ones((2, 2)), "mask_matrix": np.full((2, 2), 5)}, "only 0"),
        ({"similarity_matrix": np.array([[np.nan, 1.0]])}, "NaN"),
    ],
)
def test_select_bad_input(tmp_path, capsys, arrays, words):
    f, out = tmp_path / "a.npz", tmp_path / "o.json"
    np.savez(f, **arrays)
    assert main(["select", "--npz", str(f), "--demand", "1", "--capacity", "1", "--out", str(out)]) == 2
    assert words in capsys.readouterr().err
    assert not out.exists()


def test_select_missing_and_garbage_file(tmp_path, capsys):
    out = tmp_path / "o.json"
    assert (
        main(
            [
                "select",
                "--npz",
                str(tmp_path / "x.npz"),
                "--demand",
                "1",
                "--capacity",
                "1",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    bad = tmp_path / "bad.npz"
    bad.write_text("not a zip")
    assert main(["select", "--npz", str(bad), "--demand", "1", "--capacity", "1", "--out", str(out)]) == 2
    assert not out.exists()
