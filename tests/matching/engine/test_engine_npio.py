"""Every numpy file read in the engine parses its headers under one lock (CPython 3.11's AST
constructor is not thread-safe: gh-106905, seen in CI as "AST constructor recursion depth
mismatch" when threads loaded a saved index at once)."""

import ast
import re
from pathlib import Path

import numpy as np
import pytest

from kechuang.matching.engine import npio
from kechuang.matching.engine.ann import AnnDenseIndex
from kechuang.matching.engine.static import WordTable

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def header_parses(monkeypatch):
    """Each call of ``ast.literal_eval`` (numpy's header parser) records whether this thread
    held the lock then."""
    seen, real = [], ast.literal_eval

    def spy(text):
        seen.append(npio._LOCK._is_owned())
        return real(text)

    monkeypatch.setattr(ast, "literal_eval", spy)
    return seen


def test_npy_and_npz_headers_are_parsed_under_the_lock(tmp_path, header_parses):
    np.save(tmp_path / "a.npy", np.arange(6, dtype=np.float32).reshape(2, 3))
    np.savez(tmp_path / "b.npz", x=np.ones(3), y=np.zeros((2, 2)))
    assert npio.load(tmp_path / "a.npy").tolist() == [[0, 1, 2], [3, 4, 5]]
    assert npio.load(tmp_path / "a.npy", mmap_mode="r").shape == (2, 3)
    both = npio.load_all(tmp_path / "b.npz")
    assert sorted(both) == ["x", "y"] and both["y"].shape == (2, 2)
    assert header_parses == [True] * 4  # one header per array, every one under the lock
    assert not npio._LOCK._is_owned()


def test_pickles_are_refused(tmp_path):
    np.save(tmp_path / "o.npy", np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError):
        npio.load(tmp_path / "o.npy")


def test_saved_index_and_word_table_load_under_the_lock(tmp_path, header_parses):
    from test_engine_ann import clustered  # the same fixture data as the index tests

    from kechuang.matching.engine.ann import build_dense_index

    summary, has_summary, docs, counts, _ = clustered(400)
    built = build_dense_index(400, 32, summary, has_summary, docs, counts, min_profiles=0, nlist=8, nprobe=4)
    built.save(tmp_path / "ix", fingerprint="f")
    header_parses.clear()
    assert AnnDenseIndex.load(tmp_path / "ix", fingerprint="f") is not None
    table = WordTable(tmp_path / "w.npz")
    table.put("v1", ["石墨烯"], np.ones((1, 4), np.float32))
    table.save()
    assert WordTable(tmp_path / "w.npz").get("v1", "石墨烯") is not None
    assert len(header_parses) >= 5 and all(header_parses)


def test_no_numpy_read_in_the_engine_bypasses_the_lock():
    """A new ``np.load`` outside npio fails here, not one day in production."""
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "kechuang" / "matching").rglob("*.py")
        if p.name != "npio.py" and re.search(r"\b(np|numpy)\.load\(", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
