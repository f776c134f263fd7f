"""Pair selection equals the HiGHS LP optimum and respects capacities, forced and forbidden."""

from __future__ import annotations

import numpy as np
import pytest

from kechuang.events.scheduling.selection import choose_meetings, lp_bound, select_pairs


def _mip_choose(value, ecap, ncap, forced, forbidden, cover):
    """Reference with HiGHS MIP (lexicographic cover, then value) for tiny instances."""
    import highspy

    n_e, n_n = value.shape
    big = float(np.abs(value).sum() + 1) if cover else 0.0
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    x = {(e, n): h.addBinary(obj=-float(value[e, n])) for e in range(n_e) for n in range(n_n)}
    y = {n: h.addBinary(obj=-big) for n in range(n_n)}
    for e in range(n_e):
        h.addConstr(sum(x[e, n] for n in range(n_n)) <= int(ecap[e]))
    for n in range(n_n):
        h.addConstr(sum(x[e, n] for e in range(n_e)) <= int(ncap[n]))
        h.addConstr(y[n] <= sum(x[e, n] for e in range(n_e)))
    for p in forced:
        h.addConstr(x[p] >= 1)
    for p in forbidden:
        h.addConstr(x[p] <= 0)
    h.run()
    sol = h.getSolution().col_value
    covered = sum(1 for n in range(n_n) if sol[y[n].index] > 0.5)
    total = sum(value[e, n] for (e, n), v in x.items() if sol[v.index] > 0.5)
    return covered, total


@pytest.mark.parametrize("seed", range(6))
def test_generic_equals_lp_optimum(seed):
    rng = np.random.default_rng(seed)
    R, C = rng.integers(5, 12), rng.integers(5, 12)
    sim = rng.random((R, C)).round(3)
    mask = (rng.random((R, C)) < 0.15).astype(int)
    k, cap = 2, int(np.ceil(2 * C / R)) + 1
    r = select_pairs(sim, mask, k, cap)
    ref = lp_bound(sim, mask == 0, k, cap)
    if ref is None:
        assert r.status == "infeasible"
        return
    assert r.status == "optimal"
    assert r.total == pytest.approx(ref, abs=1e-6)
    assert r.bound == pytest.approx(ref, abs=1e-6)
    pairs = np.array(r.pairs)
    assert len(set(map(tuple, pairs))) == len(pairs)
    assert np.all(np.bincount(pairs[:, 1], minlength=C) == k)
    assert np.all(np.bincount(pairs[:, 0], minlength=R) <= cap)
    assert not any(mask[a, b] for a, b in r.pairs)


def test_generic_infeasible_is_a_status():
    sim = np.ones((2, 3))
    r = select_pairs(sim, None, 2, 2)  # needs 6 pairs, capacity 4
    assert r.status == "infeasible" and "pairs can be formed" in r.message


def test_coarse_rounding_can_lose_value():
    # values differ by less than 0.01: the hundredths flow cannot tell them apart
    from kechuang.events.scheduling.selection import select_pairs_coarse

    sim = np.array([[0.504, 0.0], [0.501, 0.506]])
    exact = select_pairs(sim, None, 1, 1)
    assert exact.total == pytest.approx(max(0.504 + 0.506, 0.501 + 0.0))
    assert select_pairs_coarse(sim, None, 1, 1).total <= exact.total


@pytest.mark.parametrize("seed", range(6))
def test_choose_meetings_matches_mip(seed):
    rng = np.random.default_rng(100 + seed)
    n_e, n_n = 4, 6
    aff = rng.random((n_e, n_n)).round(2)
    aff[rng.random((n_e, n_n)) < 0.3] = 0.0
    prio = rng.integers(1, 4, n_n).astype(float)
    ecap = rng.integers(1, 3, n_e)
    ncap = rng.integers(1, 3, n_n)
    forbidden = [(0, 0), (1, 2)]
    forced = [(2, 3)]
    r = choose_meetings(aff, prio, ecap, ncap, forced=forced, forbidden=forbidden)
    covered, total = _mip_choose(aff * prio, ecap, ncap, forced, forbidden, cover=True)
    assert r.status == "optimal"
    assert r.covered == covered
    assert r.total == pytest.approx(total, abs=1e-6)
    assert r.bound == pytest.approx(total, abs=1e-6)
    assert (2, 3) in r.pairs
    assert (0, 0) not in r.pairs and (1, 2) not in r.pairs
    pairs = np.array(r.pairs)
    assert np.all(np.bincount(pairs[:, 0], minlength=n_e) <= ecap)
    assert np.all(np.bincount(pairs[:, 1], minlength=n_n) <= ncap)


def test_cover_first_even_with_zero_value():
    # Enterprise 1 has affinity 0 with the only expert who has room; it still gets a meeting.
    aff = np.array([[1.0, 0.0], [0.9, 0.0]])
    r = choose_meetings(aff, [1.0, 1.0], [1, 1], [2, 1])
    assert r.covered == 2
    assert sorted(r.pairs) in ([(0, 0), (1, 1)], [(0, 1), (1, 0)])
    no_cover = choose_meetings(aff, [1.0, 1.0], [1, 1], [2, 1], cover=False)
    assert no_cover.covered == 1 and no_cover.total == pytest.approx(1.9)


def test_forced_and_forbidden_conflict():
    r = choose_meetings(np.ones((1, 1)), [1.0], [1], [1], forced=[(0, 0)], forbidden=[(0, 0)])
    assert r.status == "infeasible"


def test_preflib_real_data(assign_dir):
    d = np.load(assign_dir / "preflib1.npz", allow_pickle=False)
    r = select_pairs(d["similarity_matrix"], d["mask_matrix"], 3, 6)
    assert r.status == "optimal" and r.total == pytest.approx(r.bound, abs=1e-6)
