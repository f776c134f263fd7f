"""Benchmark the scheduling engine against published results and simple baselines.

Part 1 — B2B meeting scheduling (Bofill et al., JAIR 2022): every ``*.dzn`` in
``<benchmarks>/b2b``; our solver vs a plain CP-SAT model (integer slot per meeting,
AllDifferent, reified counts, same time limit) and vs the published optimum.
Part 2 — pair selection: PrefLib matrices in ``<benchmarks>/assign`` and synthetic
300×200 / 1000×600 instances; our min-cost flow vs the HiGHS LP optimum vs a flow with
costs rounded to hundredths (the common matcher shortcut).

Prints tables and writes ``bench/results/scheduling.json``. If the benchmark data is missing
(``<repo>/../shared/benchmarks`` or ``$KECHUANG_BENCHMARKS``), says so and exits 0.

    .venv/bin/python bench/scheduling/run.py [--only original|variants] [--name tic-12.original] [--time-limit 20]
    .venv/bin/python bench/scheduling/run.py --merge part1.json part2.json   # -> --out
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from ortools.sat.python import cp_model  # noqa: E402

from kechuang.events.scheduling.dzn import load_b2b  # noqa: E402
from kechuang.events.scheduling.model import Problem, breaks_by_participant  # noqa: E402
from kechuang.events.scheduling.selection import lp_bound, select_pairs, select_pairs_coarse  # noqa: E402
from kechuang.events.scheduling.solver import solve  # noqa: E402
from kechuang.events.scheduling.validator import validate  # noqa: E402

# Published optimum (total breaks), Table 5 of the paper, copied from the benchmarks README.
PUBLISHED = {
    "forum-13": 0,
    "forum-13crafc": 1,
    "forumt-14": 5,
    "forumt-14crafd": 4,
    "tic-12": 0,
    "tic-13": 0,
    "tic-13crafc": 4,
    "tic-14crafc": 0,
    "ticf-13crafa": 0,
    "ticf-14crafa": 0,
}
PUBLISHED_MAXSAT_SECONDS = {
    "forum-13": 2.5,
    "forum-13crafc": 2.3,
    "forumt-14": 0.5,
    "forumt-14crafd": 0.4,
    "tic-12": 0.1,
    "tic-13": 0.4,
    "tic-13crafc": 5.8,
    "tic-14crafc": 0.8,
    "ticf-13crafa": 2.2,
    "ticf-14crafa": 7.6,
}


def benchmarks_dir() -> Path:
    return Path(os.environ.get("KECHUANG_BENCHMARKS", REPO.parent / "shared" / "benchmarks"))


def plain_cpsat(problem: Problem, time_limit: float, fairness: int = 2, workers: int = 2) -> dict:
    """The straightforward model: what one writes first, without our encoding choices."""
    t0 = time.perf_counter()
    m = cp_model.CpModel()
    T = problem.n_slots
    n = len(problem.meetings)
    slot = [
        m.NewIntVarFromDomain(cp_model.Domain.FromValues(problem.allowed_slots(i)), f"s{i}") for i in range(n)
    ]
    at = {}
    for i in range(n):
        for s in problem.allowed_slots(i):
            b = m.NewBoolVar("")
            m.Add(slot[i] == s).OnlyEnforceIf(b)
            m.Add(slot[i] != s).OnlyEnforceIf(b.Not())
            at[i, s] = b
    for ms in problem.meetings_of.values():
        if len(ms) > 1:
            m.AddAllDifferent([slot[i] for i in ms])
    for s in range(1, T + 1):
        m.Add(sum(at[i, s] for i in range(n) if (i, s) in at) <= problem.tables_at(s))
    for a, b in problem.precedences:
        m.Add(slot[a] < slot[b])
    breaks = []
    for ms in problem.meetings_of.values():
        busy = []
        for s in range(1, T + 1):
            v = m.NewBoolVar("")
            lits = [at[i, s] for i in ms if (i, s) in at]
            m.AddMaxEquality(v, lits) if lits else m.Add(v == 0)
            busy.append(v)
        ends = []
        for s in range(T):
            e = m.NewBoolVar("")  # a block ends at s
            nxt = busy[s + 1].Not() if s + 1 < T else None
            if nxt is None:
                m.Add(e == busy[s])
            else:
                m.AddBoolAnd([busy[s], nxt]).OnlyEnforceIf(e)
                m.AddBoolOr([busy[s].Not(), busy[s + 1]]).OnlyEnforceIf(e.Not())
            ends.append(e)
        br = m.NewIntVar(0, T, "")
        m.Add(br == sum(ends) - 1)
        breaks.append(br)
    lo, hi = m.NewIntVar(0, T, ""), m.NewIntVar(0, T, "")
    if len(problem.meetings_of) < problem.n_participants:
        m.Add(lo == 0)  # participants without meetings have 0 breaks
    for br in breaks:
        m.Add(lo <= br)
        m.Add(br <= hi)
    m.Add(hi - lo <= fairness)
    m.Minimize(sum(breaks))
    sv = cp_model.CpSolver()
    sv.parameters.max_time_in_seconds = time_limit
    sv.parameters.num_workers = workers
    st = sv.Solve(m)
    out = {
        "status": sv.StatusName(st).lower(),
        "breaks": None,
        "bound": None,
        "seconds": time.perf_counter() - t0,
    }
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        slots = [sv.Value(v) for v in slot]
        assert validate(problem, slots, fairness=fairness) == [], "baseline produced an invalid schedule"
        out["breaks"] = sum(breaks_by_participant(problem, slots).values())
        out["bound"] = math.ceil(sv.BestObjectiveBound() - 1e-6)
    return out


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the solver's worker processes)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_b2b(files: list[Path], time_limit: float, baseline_for: set[str]) -> list[dict]:
    rows = []
    for f in files:
        p = load_b2b(f)
        base_name, variant = p.name.split(".", 1)
        c0 = cpu_seconds()
        r = solve(p, time_limit=time_limit)
        cpu = cpu_seconds() - c0
        valid = bool(r.slots) and validate(p, r.slots, r.tables) == []
        row = {
            "instance": p.name,
            "variant": variant,
            "size": f"{p.n_participants}/{len(p.meetings)}/{p.n_slots}/{p.n_tables}",
            "status": r.status,
            "breaks": r.breaks,
            "bound": r.bound,
            "seconds": round(r.seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "load_average": round(os.getloadavg()[0], 1),
            "valid": valid,
            "rule": r.rule,
        }
        if variant == "original":
            row["published"] = PUBLISHED.get(base_name)
            row["published_maxsat_s"] = PUBLISHED_MAXSAT_SECONDS.get(base_name)
            row["matches_published"] = r.breaks is not None and r.breaks == PUBLISHED.get(base_name)
        if variant in baseline_for or "all" in baseline_for:
            c0 = cpu_seconds()
            b = plain_cpsat(p, time_limit)
            b["cpu_seconds"] = cpu_seconds() - c0
            row["baseline"] = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in b.items()}
        rows.append(row)
        _print_b2b_row(row)
    return rows


def _fmt(v) -> str:
    return "-" if v is None else str(v)


B2B_HEADER = (
    f"{'instance':34} {'P/M/S/T':14} {'status':10} {'breaks':>6} {'bound':>5} {'s':>6} {'cpu s':>6} {'load':>5}"
    f" {'pub':>4} {'match':>5}  | {'plain':10} {'breaks':>6} {'bound':>5} {'s':>6} {'cpu s':>6}"
)


def _print_b2b_row(row: dict) -> None:
    b = row.get("baseline") or {}
    match = "" if "published" not in row else ("yes" if row["matches_published"] else "NO")
    print(
        f"{row['instance']:34} {row['size']:14} {row['status']:10} {_fmt(row['breaks']):>6} "
        f"{_fmt(row['bound']):>5} {row['seconds']:>6.1f} {row['cpu_seconds']:>6.1f} {row['load_average']:>5.1f} "
        f"{_fmt(row.get('published')):>4} {match:>5}"
        + (
            f"  | {b['status']:10} {_fmt(b['breaks']):>6} {_fmt(b['bound']):>5} {b['seconds']:>6.1f}"
            f" {b['cpu_seconds']:>6.1f}"
            if b
            else "  |"
        ),
        flush=True,
    )


def run_selection(assign: Path | None, repeat_seed: int = 0) -> list[dict]:
    cases = []
    if assign is not None and assign.is_dir():
        for f in sorted(assign.glob("*.npz")):
            d = np.load(f, allow_pickle=False)
            sim, mask = d["similarity_matrix"], d["mask_matrix"]
            k = 3
            cap = math.ceil(k * sim.shape[1] / sim.shape[0])  # tightest feasible-on-average capacity
            cases.append((f.stem, sim, mask, k, cap))
    rng = np.random.default_rng(repeat_seed)
    for R, C in ((300, 200), (1000, 600)):
        sim = rng.random((R, C))
        mask = (rng.random((R, C)) < 0.05).astype(np.int64)
        k = 3
        cases.append((f"synthetic-{R}x{C}", sim, mask, k, math.ceil(k * C / R) + 1))
    rows = []
    print(
        f"\n{'selection':22} {'shape':>9} {'K':>2} {'L':>2} {'ours':>12} {'s':>6} {'LP (HiGHS)':>12} {'s':>6} "
        f"{'flow/100':>12} {'s':>6} {'ours=LP':>7}"
    )
    for name, sim, mask, k, cap in cases:
        t = time.perf_counter()
        ours = select_pairs(sim, mask, k, cap, with_bound=False)
        t_ours = time.perf_counter() - t
        t = time.perf_counter()
        lp = lp_bound(sim, mask == 0, k, cap)
        t_lp = time.perf_counter() - t
        t = time.perf_counter()
        base = select_pairs_coarse(sim, mask, k, cap)
        t_base = time.perf_counter() - t
        row = {
            "instance": name,
            "shape": list(sim.shape),
            "demand": k,
            "capacity": cap,
            "status": ours.status,
            "ours_total": ours.total,
            "ours_seconds": round(t_ours, 3),
            "lp_optimum": lp,
            "lp_seconds": round(t_lp, 3),
            "coarse_flow_total": base.total,
            "coarse_flow_seconds": round(t_base, 3),
            "ours_equals_lp": lp is not None and abs(ours.total - lp) <= 1e-6 * max(1.0, abs(lp)),
        }
        rows.append(row)
        print(
            f"{name:22} {sim.shape[0]:>4}x{sim.shape[1]:<4} {k:>2} {cap:>2} {ours.total:>12.4f} {t_ours:>6.2f} "
            f"{_fmt(lp if lp is None else round(lp, 4)):>12} {t_lp:>6.2f} {base.total:>12.4f} {t_base:>6.2f} "
            f"{'yes' if row['ours_equals_lp'] else 'NO':>7}",
            flush=True,
        )
    return rows


def b2b_summary(rows: list[dict]) -> dict:
    """Counts over the b2b rows, and where our upper bound is worse than plain CP-SAT's."""
    orig = [r for r in rows if r["variant"] == "original"]
    var = [r for r in rows if r["variant"] != "original"]
    summary = {
        "instances": len(rows),
        "optimal": sum(r["status"] == "optimal" for r in rows),
        "variants_optimal": f"{sum(r['status'] == 'optimal' for r in var)}/{len(var)}",
        "variants_infeasible_named": sum(r["status"] == "infeasible" and bool(r.get("rule")) for r in var),
        "without_schedule_or_named_infeasibility": [
            r["instance"]
            for r in rows
            if r["breaks"] is None and not (r["status"] == "infeasible" and r.get("rule"))
        ],
        "all_valid": all(r["valid"] for r in rows if r["breaks"] is not None),
        "originals_matching_published": f"{sum(r['matches_published'] for r in orig)}/{len(orig)}",
        "originals_optimal_at_published": f"{sum(r['matches_published'] and r['status'] == 'optimal' for r in orig)}/{len(orig)}",
    }
    with_base = [r for r in rows if "baseline" in r]
    if with_base:
        summary["worse_than_plain_cpsat"] = [
            r["instance"]
            for r in with_base
            if r["baseline"]["breaks"] is not None
            and (r["breaks"] is None or r["breaks"] > r["baseline"]["breaks"])
        ]
        summary["bound_below_plain_cpsat"] = [
            r["instance"]
            for r in with_base
            if r["baseline"]["bound"] is not None
            and (r["bound"] or 0) < r["baseline"]["bound"]
            and r["status"] != "infeasible"
        ]
        with_base = [r for r in with_base if r["breaks"] is not None]
        summary["baseline_runs"] = len(with_base)
        summary["baseline_optimal"] = sum(r["baseline"]["status"] == "optimal" for r in with_base)
        summary["ours_optimal_on_same"] = sum(r["status"] == "optimal" for r in with_base)
        summary["total_breaks_ours"] = sum(r["breaks"] for r in with_base)
        summary["total_breaks_baseline"] = sum(
            r["baseline"]["breaks"] if r["baseline"]["breaks"] is not None else 0 for r in with_base
        )
        summary["seconds_ours"] = round(sum(r["seconds"] for r in with_base), 1)
        summary["seconds_baseline"] = round(sum(r["baseline"]["seconds"] for r in with_base), 1)
        summary["cpu_seconds_ours"] = round(sum(r["cpu_seconds"] for r in with_base), 1)
        summary["cpu_seconds_baseline"] = round(sum(r["baseline"]["cpu_seconds"] for r in with_base), 1)
    return summary


def merge(paths: list[str], out: Path) -> None:
    """One result file from several partial runs (e.g. originals and variants run side by side)."""
    parts = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    rows = sorted((r for d in parts for r in d.get("b2b", [])), key=lambda r: r["instance"])
    result = {
        "machine": parts[0]["machine"],
        "time_limit": parts[0]["time_limit"],
        "command": [d["command"] for d in parts],
        "load_average_at_start": [d["machine"]["load_average_at_start"] for d in parts],
        "b2b": rows,
        "b2b_summary": b2b_summary(rows),
    }
    for d in parts:
        if "selection" in d:
            result["selection"] = d["selection"]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print("summary:", json.dumps(result["b2b_summary"]))
    print(f"wrote {out}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=["original", "variants", "all"], default="all")
    ap.add_argument("--match", default="", help="only instances whose name contains this")
    ap.add_argument("--name", default="", help="only this instance (e.g. tic-13crafc.original)")
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument(
        "--baseline",
        default="original",
        help="variants to also run the plain CP-SAT baseline on: comma list, 'all' or 'none' (default original)",
    )
    ap.add_argument("--skip-b2b", action="store_true")
    ap.add_argument("--skip-selection", action="store_true")
    ap.add_argument("--out", default=str(REPO / "bench" / "results" / "scheduling.json"))
    ap.add_argument(
        "--merge", nargs="+", metavar="JSON", help="merge partial result files into --out and exit"
    )
    args = ap.parse_args(argv)
    if args.merge:
        merge(args.merge, Path(args.out))
        return 0

    root = benchmarks_dir()
    if not root.is_dir():
        print(f"benchmark data not found at {root} (set KECHUANG_BENCHMARKS); skipping")
        return 0
    started = time.perf_counter()
    result: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": list(os.getloadavg()),
        },
        "time_limit": args.time_limit,
        "command": "bench/scheduling/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    if not args.skip_b2b:
        files = sorted((root / "b2b").glob("*.dzn"))
        if args.only == "original":
            files = [f for f in files if f.name.endswith(".original.dzn")]
        elif args.only == "variants":
            files = [f for f in files if not f.name.endswith(".original.dzn")]
        files = [f for f in files if args.match in f.name]
        if args.name:
            files = [f for f in files if f.name == args.name + ".dzn"]
        baseline_for = set() if args.baseline == "none" else set(args.baseline.split(","))
        print(B2B_HEADER)
        rows = run_b2b(files, args.time_limit, baseline_for)
        summary = b2b_summary(rows)
        print("\nsummary:", json.dumps(summary))
        result["b2b"] = rows
        result["b2b_summary"] = summary
    if not args.skip_selection:
        result["selection"] = run_selection(root / "assign")
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
