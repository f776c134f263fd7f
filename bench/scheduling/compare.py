"""Before/after on the B2B instances in one run: two checkouts, instance by instance, alternately.

Each instance runs ``bench/scheduling/run.py --name X`` in the "before" tree, then in the
"after" tree (separate processes, same machine state within a minute), so a busy machine hurts
both sides alike. Prints one table (breaks, bound, status, wall and CPU seconds, load) and
writes JSON.

    git archive 61170f2 | tar -x -C /tmp/before && ln -s $PWD/.venv /tmp/before/.venv
    .venv/bin/python bench/scheduling/compare.py /tmp/before . --only original --out /tmp/cmp.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.scheduling.run import benchmarks_dir  # noqa: E402


def run_one(tree: Path, name: str, time_limit: float) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [
                str(REPO / ".venv" / "bin" / "python"),
                str(tree / "bench" / "scheduling" / "run.py"),
                "--name",
                name,
                "--skip-selection",
                "--baseline",
                "none",
                "--time-limit",
                str(time_limit),
                "--out",
                out.name,
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "KECHUANG_BENCHMARKS": str(benchmarks_dir())},
        )
        return json.loads(Path(out.name).read_text(encoding="utf-8"))["b2b"][0]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--only", choices=["original", "variants"], default="original")
    ap.add_argument("--match", default="")
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--out", default=str(REPO / "bench" / "results" / "scheduling-compare.json"))
    args = ap.parse_args()
    files = sorted((benchmarks_dir() / "b2b").glob("*.dzn"))
    names = [
        f.name[: -len(".dzn")]
        for f in files
        if (f.name.endswith(".original.dzn")) == (args.only == "original")
    ]
    names = [n for n in names if args.match in n]
    rows = []
    print(
        f"{'instance':30} | {'before':>6} {'bound':>5} {'st':>4} {'s':>5} {'cpu':>5} {'load':>5} | "
        f"{'after':>6} {'bound':>5} {'st':>4} {'s':>5} {'cpu':>5} {'load':>5}"
    )
    for n in names:
        b = run_one(args.before, n, args.time_limit)
        a = run_one(args.after, n, args.time_limit)
        rows.append({"instance": n, "before": b, "after": a})

        def cols(r: dict) -> str:
            return (
                f"{str(r['breaks']):>6} {str(r['bound']):>5} {r['status'][:4]:>4} {r['seconds']:>5.1f} "
                f"{r['cpu_seconds']:>5.1f} {r['load_average']:>5.1f}"
            )

        print(f"{n:30} | {cols(b)} | {cols(a)}", flush=True)
    summary = {
        side: {
            "optimal": sum(r[side]["status"] == "optimal" for r in rows),
            "seconds": round(sum(r[side]["seconds"] for r in rows), 1),
            "cpu_seconds": round(sum(r[side]["cpu_seconds"] for r in rows), 1),
            "breaks": sum(r[side]["breaks"] or 0 for r in rows),
        }
        for side in ("before", "after")
    }
    summary["after_worse"] = [
        r["instance"]
        for r in rows
        if (r["after"]["breaks"] is None) > (r["before"]["breaks"] is None)
        or (
            None not in (r["after"]["breaks"], r["before"]["breaks"])
            and r["after"]["breaks"] > r["before"]["breaks"]
        )
    ]
    print("summary:", json.dumps(summary))
    Path(args.out).write_text(
        json.dumps({"rows": rows, "summary": summary}, indent=1) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
