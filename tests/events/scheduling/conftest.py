"""Fixtures for the scheduling engine tests (no database, no Django)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def benchmarks_dir() -> Path:
    return Path(os.environ.get("KECHUANG_BENCHMARKS", REPO.parent / "shared" / "benchmarks"))


@pytest.fixture
def b2b_dir() -> Path:
    d = benchmarks_dir() / "b2b"
    if not d.is_dir():
        pytest.skip(f"benchmark data not found at {d} (set KECHUANG_BENCHMARKS)")
    return d


@pytest.fixture
def assign_dir() -> Path:
    d = benchmarks_dir() / "assign"
    if not d.is_dir():
        pytest.skip(f"benchmark data not found at {d} (set KECHUANG_BENCHMARKS)")
    return d
