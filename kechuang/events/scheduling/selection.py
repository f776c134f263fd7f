"""Choose which meetings to hold: capacity-constrained pair selection, exact.

Both modes are bipartite b-matchings, whose LP relaxation is integral (the constraint matrix
is totally unimodular). So a min-cost flow (OR-Tools ``SimpleMinCostFlow``, fast and exact on
integers) gives the optimum, and HiGHS solves the LP relaxation as an independent bound: the
two must agree up to the rounding of values to integers, which we report rather than hide.

* :func:`select_pairs` — generic mode (benchmark, ``kechuang select``): rows are the capacity
  side (at most ``L`` pairs each), columns the demand side (exactly ``K`` each), mask 1 = forbidden.
* :func:`choose_meetings` — the platform's mode: experts × enterprises, value = affinity ×
  priority, every enterprise gets at least one meeting where possible (lexicographically
  first), capacities on both sides, forced and forbidden pairs.

Following openreview-matcher's encoder/solver split: encode to arrays, solve, decode; "no
solution" is a status with a message, not an exception.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

OPTIMAL, INFEASIBLE = "optimal", "infeasible"

# Integer resolution for float values in the flow. 1e6 keeps 0.25-steps exact and makes the
# rounding loss at most 0.5e-6 per pair; the LP bound shows any remaining gap.
DEFAULT_SCALE = 1_000_000


@dataclass
class SelectionResult:
    status: str
    pairs: list[tuple[int, int]] = field(default_factory=list)
    total: float = 0.0
    bound: float | None = None
    seconds: float = 0.0
    message: str = ""
    covered: int | None = None  # choose_meetings: demand-side entries with >= 1 meeting

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "status": self.status,
            "total": self.total,
            "bound": self.bound,
            "seconds": round(self.seconds, 3),
            "pairs": [[int(r), int(c)] for r, c in self.pairs],
        }
        if self.message:
            out["message"] = self.message
        if self.covered is not None:
            out["covered"] = self.covered
        return out


def _check(sim: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    sim = np.asarray(sim, dtype=float)
    if sim.ndim != 2:
        raise ValueError(f"similarity must be a 2-D matrix, got shape {sim.shape}")
    if not np.all(np.isfinite(sim)):
        raise ValueError("similarity contains NaN or infinite values")
    allowed = np.ones(sim.shape, dtype=bool)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != sim.shape:
            raise ValueError(f"mask shape {mask.shape} differs from similarity shape {sim.shape}")
        allowed = mask == 0
    return sim, allowed


def _flow(
    n_rows: int,
    n_cols: int,
    rows: np.ndarray,
    cols: np.ndarray,
    costs: np.ndarray,
    col_arcs: Sequence[tuple[int, int]],
    row_cap: np.ndarray,
    bypass: int = 0,
) -> tuple[np.ndarray, int]:
    """Source -> columns (per ``col_arcs`` (col, cap, cost) triples) -> rows -> sink.

    Returns the flow on each pair arc and the total flow that went through pairs.
    """
    from ortools.graph.python import min_cost_flow

    src, sink = 0, 1 + n_cols + n_rows
    f = min_cost_flow.SimpleMinCostFlow()
    pair_arcs = f.add_arcs_with_capacity_and_unit_cost(
        1 + cols.astype(np.int64), 1 + n_cols + rows.astype(np.int64), np.ones(len(rows), np.int64), costs
    )
    ca = np.array(col_arcs, dtype=np.int64).reshape(-1, 3)
    f.add_arcs_with_capacity_and_unit_cost(np.zeros(len(ca), np.int64), 1 + ca[:, 0], ca[:, 1], ca[:, 2])
    f.add_arcs_with_capacity_and_unit_cost(
        1 + n_cols + np.arange(n_rows, dtype=np.int64),
        np.full(n_rows, sink, np.int64),
        row_cap.astype(np.int64),
        np.zeros(n_rows, np.int64),
    )
    supply = int(ca[:, 1].sum()) if len(ca) else 0
    if bypass:
        f.add_arc_with_capacity_and_unit_cost(src, sink, supply, 0)
    f.set_node_supply(src, supply)
    f.set_node_supply(sink, -supply)
    status = f.solve() if bypass else f.solve_max_flow_with_min_cost()
    if status != f.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = f.flows(pair_arcs)
    return flows, int(flows.sum())


def select_pairs(
    similarity: np.ndarray,
    mask: np.ndarray | None,
    demand: int,
    capacity: int,
    scale: float = DEFAULT_SCALE,
    with_bound: bool = True,
) -> SelectionResult:
    """Max total similarity; each column gets exactly ``demand`` rows, each row <= ``capacity``."""
    t0 = time.perf_counter()
    sim, allowed = _check(similarity, mask)
    n_rows, n_cols = sim.shape
    if demand < 0 or capacity < 0:
        raise ValueError("demand and capacity must be non-negative")
    rows, cols = np.nonzero(allowed)
    costs = -np.rint(sim[rows, cols] * scale).astype(np.int64)
    col_arcs = [(c, demand, 0) for c in range(n_cols)]
    flows, got = _flow(n_rows, n_cols, rows, cols, costs, col_arcs, np.full(n_rows, capacity))
    need = demand * n_cols
    if got < need:
        short = np.bincount(cols[flows > 0], minlength=n_cols)
        bad = int(np.argmin(short))
        return SelectionResult(
            INFEASIBLE,
            seconds=time.perf_counter() - t0,
            message=(
                f"only {got} of {need} pairs can be formed: e.g. column {bad} gets {int(short[bad])} of "
                f"{demand} (capacity {capacity} per row, {int(allowed[:, bad].sum())} allowed rows)"
            ),
        )
    sel = flows > 0
    pairs = sorted(zip(rows[sel].tolist(), cols[sel].tolist()))
    total = float(sim[rows[sel], cols[sel]].sum())
    res = SelectionResult(OPTIMAL, pairs=pairs, total=total)
    if with_bound:
        res.bound = lp_bound(sim, allowed, demand, capacity)
    res.seconds = time.perf_counter() - t0
    return res


def _quiet_highs():
    """A HiGHS instance without its banner on stdout (the CLI's stdout is for results)."""
    import os
    import sys

    import highspy

    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    return h


def lp_bound(similarity: np.ndarray, allowed: np.ndarray, demand: int, capacity: int) -> float | None:
    """LP relaxation of :func:`select_pairs` solved by HiGHS; ``None`` if the LP is infeasible."""
    import highspy

    sim = np.asarray(similarity, dtype=float)
    rows, cols = np.nonzero(allowed)
    n_rows, n_cols = sim.shape
    n = len(rows)
    h = _quiet_highs()
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = n_cols + n_rows
    lp.col_cost_ = -sim[rows, cols]
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.concatenate([np.full(n_cols, float(demand)), np.full(n_rows, -highspy.kHighsInf)])
    lp.row_upper_ = np.concatenate([np.full(n_cols, float(demand)), np.full(n_rows, float(capacity))])
    # Column j of the LP (pair k) has a 1 in row cols[k] and in row n_cols + rows[k].
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, 2 * n + 1, 2, dtype=np.int32)
    idx = np.empty(2 * n, dtype=np.int32)
    idx[0::2] = cols
    idx[1::2] = n_cols + rows
    lp.a_matrix_.index_ = idx
    lp.a_matrix_.value_ = np.ones(2 * n)
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(-h.getInfo().objective_function_value)


def select_pairs_coarse(
    similarity: np.ndarray, mask: np.ndarray | None, demand: int, capacity: int
) -> SelectionResult:
    """Baseline: the same flow with costs rounded to hundredths, as common matchers do.

    Kept for the benchmark only: it shows what coarse integer costs lose.
    """
    return select_pairs(similarity, mask, demand, capacity, scale=100, with_bound=False)


def choose_meetings(
    affinity: np.ndarray,
    priority: Sequence[float] | np.ndarray,
    expert_capacity: Sequence[int] | np.ndarray,
    enterprise_capacity: Sequence[int] | np.ndarray,
    forced: Iterable[tuple[int, int]] = (),
    forbidden: Iterable[tuple[int, int]] = (),
    cover: bool = True,
    scale: float = DEFAULT_SCALE,
    with_bound: bool = True,
) -> SelectionResult:
    """Pick expert-enterprise meetings maximising sum(affinity × enterprise priority).

    ``affinity`` is experts × enterprises. With ``cover``, first as many enterprises as
    possible get at least one meeting (lexicographic: a large bonus on each enterprise's first
    meeting), then total value is maximised. Pairs with value <= 0 are only used for cover.
    Forced pairs are always chosen (and count against capacities); forbidden never.
    """
    t0 = time.perf_counter()
    aff, allowed = _check(affinity, None)
    n_exp, n_ent = aff.shape
    prio = np.asarray(priority, dtype=float)
    ecap = np.asarray(expert_capacity, dtype=np.int64).copy()
    ncap = np.asarray(enterprise_capacity, dtype=np.int64).copy()
    if prio.shape != (n_ent,) or ecap.shape != (n_exp,) or ncap.shape != (n_ent,):
        raise ValueError(
            "priority/enterprise_capacity need one entry per enterprise, expert_capacity per expert"
        )
    value = aff * prio[None, :]
    forced = sorted(set(forced))
    for e, n in forbidden:
        allowed[e, n] = False
    for e, n in forced:
        if not allowed[e, n]:
            return SelectionResult(INFEASIBLE, message=f"pair ({e}, {n}) is both forced and forbidden")
        allowed[e, n] = False  # already chosen; not again
        ecap[e] -= 1
        ncap[n] -= 1
    if (ecap < 0).any() or (ncap < 0).any():
        who = f"expert {int(np.argmin(ecap))}" if (ecap < 0).any() else f"enterprise {int(np.argmin(ncap))}"
        return SelectionResult(INFEASIBLE, message=f"forced pairs exceed the capacity of {who}")
    covered0 = np.zeros(n_ent, dtype=bool)
    for _, n in forced:
        covered0[n] = True

    rows, cols = np.nonzero(allowed)
    v = value[rows, cols]
    keep = v > 0
    if cover:  # non-positive pairs stay available, but only as a first meeting (see below)
        keep |= ~covered0[cols]
    rows, cols, v = rows[keep], cols[keep], v[keep]
    costs = -np.rint(v * scale).astype(np.int64)
    costs[v <= 0] = np.maximum(costs[v <= 0], 1)  # never worth it except as a first meeting
    bonus = int(np.abs(costs).sum()) + 1
    col_arcs = []
    for n in range(n_ent):
        if ncap[n] <= 0:
            continue
        if cover and not covered0[n]:
            col_arcs.append((n, 1, -bonus))
            if ncap[n] > 1:
                col_arcs.append((n, int(ncap[n]) - 1, 0))
        else:
            col_arcs.append((n, int(ncap[n]), 0))
    flows, _ = _flow(n_exp, n_ent, rows, cols, costs, col_arcs, ecap, bypass=1)
    sel = flows > 0
    pairs = set(zip(rows[sel].tolist(), cols[sel].tolist())) | set(forced)
    pairs_l = sorted(pairs)
    total = float(sum(value[e, n] for e, n in pairs_l))
    covered = len({n for _, n in pairs_l})
    res = SelectionResult(OPTIMAL, pairs=pairs_l, total=total, covered=covered)
    if covered < n_ent and cover:
        res.message = f"{n_ent - covered} enterprises cannot get a meeting (capacity or forbidden pairs)"
    if with_bound:
        res.bound = _choose_lp_bound(value, allowed, ecap, ncap, covered0, forced, cover, covered)
    res.seconds = time.perf_counter() - t0
    return res


def _choose_lp_bound(value, allowed, ecap, ncap, covered0, forced, cover, covered) -> float | None:
    """HiGHS LP of :func:`choose_meetings`: max value subject to covering ``covered`` enterprises.

    The cover requirement is linearised with y_n <= sum_e x_en, sum y >= covered (an LP bound,
    valid for any schedule that covers as many enterprises as ours).
    """
    import highspy

    h = _quiet_highs()
    rows, cols = np.nonzero(allowed)
    n_exp, n_ent = value.shape
    inf = highspy.kHighsInf
    x0 = h.getNumCol()
    h.addVars(len(rows), np.zeros(len(rows)), np.ones(len(rows)))
    h.changeColsCost(len(rows), np.arange(x0, x0 + len(rows), dtype=np.int32), -value[rows, cols])
    for e in range(n_exp):
        (k,) = np.nonzero(rows == e)
        if len(k):
            h.addRow(-inf, float(ecap[e]), len(k), k.astype(np.int32), np.ones(len(k)))
    free = [n for n in range(n_ent) if cover and not covered0[n]]
    y0 = h.getNumCol()
    if free:
        h.addVars(len(free), np.zeros(len(free)), np.ones(len(free)))
    for n in range(n_ent):
        (k,) = np.nonzero(cols == n)
        if len(k):
            h.addRow(-inf, float(ncap[n]), len(k), k.astype(np.int32), np.ones(len(k)))
    for j, n in enumerate(free):
        (k,) = np.nonzero(cols == n)
        idx = np.concatenate([[y0 + j], k]).astype(np.int32)
        h.addRow(-inf, 0.0, len(idx), idx, np.concatenate([[1.0], -np.ones(len(k))]))
    if free:
        need = covered - int(covered0.sum())
        idx = np.arange(y0, y0 + len(free), dtype=np.int32)
        h.addRow(float(need), inf, len(idx), idx, np.ones(len(idx)))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(-h.getInfo().objective_function_value + sum(value[e, n] for e, n in forced))
