"""Time one piece of the SAT portfolio alone, in CPU seconds (CaDiCaL is deterministic).

    .venv/bin/python bench/scheduling/probe.py rc2 forum-13crafc.original --tables mtotalizer
    .venv/bin/python bench/scheduling/probe.py ladder --match forum-13crafc --budget 200000
    .venv/bin/python bench/scheduling/probe.py ladder-solver --match fixed020 --budget 15000

``rc2``: core-guided MaxSAT on the general encoding, as the portfolio's prover runs it (without
asking "0 breaks?" first), with the table encoding and SAT solver given. ``ladder``: for each
instance where "0 breaks?" says no, the window ladder's questions k = 1..8 with a conflict budget,
printing answer, conflicts and CPU s per question (a "no" raises the bound; a "yes" or a spent
budget ends the ladder). Used for docs/adr/0049. Skips with a message when the data is missing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.scheduling.run import benchmarks_dir  # noqa: E402
from kechuang.events.scheduling.dzn import load_b2b  # noqa: E402
from kechuang.events.scheduling.validator import DEFAULT_FAIRNESS  # noqa: E402


def rc2(path: Path, tables: str, solver: str, people_only: bool) -> None:
    from kechuang.events.scheduling.satenc import SatEncoding, _rc2_search

    problem = load_b2b(str(path))
    enc = SatEncoding(problem, DEFAULT_FAIRNESS, False, tables, people_only)
    seen: dict = {}
    t = time.process_time()
    _rc2_search(enc, lambda *m: seen.setdefault(m[0], m[1:]), solver=solver)
    got = "infeasible" if "infeasible" in seen else f"breaks {seen['ub'][0]}"
    print(
        f"{path.stem:30} rc2 {tables:12} {solver:6} {got:24} {time.process_time() - t:7.2f} CPU s", flush=True
    )


def ladder(path: Path, budget: int, top: int) -> None:
    from pysat.solvers import Solver

    from kechuang.events.scheduling.satenc import window_clauses, zero_break_schedule

    problem = load_b2b(str(path))
    if zero_break_schedule(problem) is not None:
        print(f"{path.stem:30} 0 breaks: yes", flush=True)
        return
    for k in range(1, top + 1):
        cls, _ = window_clauses(problem, "free", k)
        t = time.process_time()
        with Solver(name="cadical195", bootstrap_with=cls) as s:
            s.conf_budget(budget)
            answer = s.solve_limited()
            conflicts = s.accum_stats().get("conflicts")
        said = {True: "yes", False: "no", None: "budget spent"}[answer]
        print(
            f"{path.stem:30} k={k} {said:12} {conflicts:>8} conflicts {time.process_time() - t:7.2f} CPU s",
            flush=True,
        )
        if answer is not False:
            return


def ladder_solver(path: Path, budget: int) -> None:
    from kechuang.events.scheduling.satenc import window_ladder, zero_break_schedule

    problem = load_b2b(str(path))
    if zero_break_schedule(problem) is not None:
        print(f"{path.stem:30} 0 breaks: yes", flush=True)
        return
    bounds = [1]
    t = time.process_time()
    window_ladder(
        problem,
        DEFAULT_FAIRNESS,
        lambda *m: bounds.append(m[1]) if m[0] == "lb" else None,
        1,
        conflicts=budget,
    )
    print(
        f"{path.stem:30} ladder ends at bound {max(bounds)} {time.process_time() - t:7.2f} CPU s", flush=True
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["rc2", "ladder", "ladder-solver"])
    ap.add_argument("names", nargs="*", help="instance names (file stems); default: all")
    ap.add_argument("--match", default="")
    ap.add_argument("--tables", default="mtotalizer")
    ap.add_argument("--solver", default="cd19")
    ap.add_argument("--people-only", action="store_true")
    ap.add_argument("--budget", type=int, default=200_000)
    ap.add_argument("--top", type=int, default=8)
    args = ap.parse_args()
    root = benchmarks_dir()
    if not (root / "b2b").is_dir():
        print("benchmark data not found (../shared/benchmarks or $KECHUANG_BENCHMARKS): skipped")
        return
    paths = sorted((root / "b2b").glob("*.dzn"))
    paths = [p for p in paths if (not args.names or p.stem in args.names) and args.match in p.stem]
    for p in paths:
        if args.what == "rc2":
            rc2(p, args.tables, args.solver, args.people_only)
        elif args.what == "ladder":
            ladder(p, args.budget, args.top)
        else:
            ladder_solver(p, args.budget)


if __name__ == "__main__":
    main()
