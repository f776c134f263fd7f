"""Per-query ranges (ADR 0055): low end at the valid values' 2 % quantile, from the uniform sample on
an approximate index's candidate pool, so both paths scale a value the same way."""

from __future__ import annotations

import numpy as np
import pytest

from kechuang.matching.engine import fusion
from kechuang.matching.engine.fusion import LOW_QUANTILE, MIN_SAMPLE, minmax, pool_range


def test_the_low_end_is_the_nearest_rank_quantile_and_the_high_end_the_maximum():
    x = np.arange(100, dtype=np.float64)[::-1].copy()  # order must not matter
    valid = np.ones(100, dtype=bool)
    assert pool_range(x, valid) == (float(int(LOW_QUANTILE * 99)), 99.0)
    valid[x > 90] = False  # invalid rows take no part
    assert pool_range(x, valid)[1] == 90.0


def test_minmax_clips_below_the_low_end_and_zeroes_invalid_rows():
    x = np.array([0.0, 1.0, 2.0, 3.0, 10.0, 50.0])
    valid = np.array([True, True, True, True, True, False])
    lo, hi = pool_range(x, valid)
    out = minmax(x, valid)
    assert out[-1] == 0.0 and out[4] == 1.0
    assert (out[valid] >= 0).all() and (out[valid] <= 1).all()
    assert out[3] == pytest.approx((3.0 - lo) / (hi - lo))
    assert minmax(np.array([0.7, 0.7]), np.array([True, True])).tolist() == [1.0, 1.0]
    assert minmax(np.array([0.0, 0.0]), np.array([True, True])).tolist() == [0.0, 0.0]


def test_the_sample_decides_the_low_end_only_when_it_holds_enough_valid_rows():
    rng = np.random.default_rng(1)
    x = rng.normal(size=1000)
    valid = np.ones(1000, dtype=bool)
    sample = np.zeros(1000, dtype=bool)
    top = np.argsort(-x)[:MIN_SAMPLE]  # a biased "sample": the best rows
    sample[top] = True
    assert pool_range(x, valid, sample)[0] == pytest.approx(np.sort(x[top])[int(LOW_QUANTILE * (MIN_SAMPLE - 1))])
    sample[top[0]] = False  # one short: the pool's own quantile
    assert pool_range(x, valid, sample) == pool_range(x, valid)


def test_a_candidate_pool_with_its_floor_sample_scales_the_best_rows_as_the_whole_pool_does(monkeypatch):
    """The approximate path's pool: the 1,000 best of 100,000 values plus a uniform sample of 4,096.
    Its best rows get (nearly) the exact path's feature values; with the minimum as low end they did not
    (values with a long lower tail, as cosines have: Student's t, 3 degrees of freedom)."""
    rng = np.random.default_rng(7)
    x = 0.8 + 0.03 * rng.standard_t(3, size=100_000)
    sample_rows = rng.choice(len(x), size=4096, replace=False)
    best = np.argsort(-x)[:1000]
    pool = np.union1d(best, sample_rows)
    sample = np.isin(pool, sample_rows)
    everyone = np.ones(len(x), dtype=bool)
    whole = minmax(x, everyone)[best[:20]]
    approx = minmax(x[pool], np.ones(len(pool), dtype=bool), sample)
    got = approx[np.searchsorted(pool, best[:20])]
    assert np.abs(got - whole).max() < 0.01  # 0.003 measured
    monkeypatch.setattr(fusion, "LOW_QUANTILE", 0.0)  # the minimum: the two paths disagree
    whole0 = minmax(x, everyone)[best[:20]]
    got0 = minmax(x[pool], np.ones(len(pool), dtype=bool), sample)[np.searchsorted(pool, best[:20])]
    assert np.abs(got0 - whole0).max() > 0.05  # 0.096 measured
