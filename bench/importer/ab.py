"""Before/after of one importer step, side by side in one run: two source trees, alternated.

    .venv/bin/python bench/importer/ab.py --before /tmp/needs-before [--after .] [--step commit]
        [--rows 10000] [--trials 2] [--reimport]

Each trial runs ``run.py --child STEP`` (the bench's own measured step, in a fresh process) from
each tree, in alternating order, on a fresh copy of one world database; ``--reimport`` first
commits the bench's 2k file into that world (as ``run.py`` does before its 10k step, whose first
2,000 rows are then re-imports). The before tree needs its own ``.venv`` (a symlink to this one's
is fine: ``git archive REV | tar -x -C DIR; ln -s $PWD/.venv DIR/.venv``). Prints a table (CPU and
wall seconds, peak RSS, load) with the after/before ratios of the medians, and writes
bench/results/importer-ab.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _median(xs: list[float]) -> float:
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--before", required=True)
    p.add_argument("--after", default=str(HERE.parents[1]))
    p.add_argument("--step", default="commit", choices=["check", "commit"])
    p.add_argument("--rows", type=int, default=10_000)
    p.add_argument("--trials", type=int, default=2)
    p.add_argument("--reimport", action="store_true", help="commit the 2k file first (as run.py's 10k step finds it)")
    args = p.parse_args()
    roots = {"before": str(Path(args.before).resolve()), "after": str(Path(args.after).resolve())}
    tmp = Path(tempfile.mkdtemp(prefix="kechuang-bench-ab-"))
    world, book = tmp / "world.sqlite3", tmp / f"needs-{args.rows}.xlsx"
    small = tmp / "needs-small.xlsx"
    # the world and the files are made by the before tree's bench (the same generator either side)
    make = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1] + '/bench/importer'); "
        "sys.path.insert(0, sys.argv[1]); import run as b; b.setup(sys.argv[2]); b.world(); "
        "b.needs_book(Path(sys.argv[3]), int(sys.argv[4])); b.needs_book(Path(sys.argv[5]), int(sys.argv[4]) // 5)"
    )
    subprocess.run(
        [sys.executable, "-c", make, roots["before"], str(world), str(book), str(args.rows), str(small)],
        check=True, cwd=roots["before"],
    )

    def child(root: str, step: str, db: Path, file: Path) -> dict:
        out = subprocess.run(
            [f"{root}/.venv/bin/python", f"{root}/bench/importer/run.py", "--child", step, "--db", str(db),
             "--file", str(file), "--kind", "needs"],
            capture_output=True, text=True, check=False, cwd=root,
        )
        if out.returncode:
            raise SystemExit(f"{root} {step} failed:\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    if args.reimport:
        child(roots["before"], "commit", world, small)
    runs: dict[str, list[dict]] = {k: [] for k in roots}
    print(f"importer A/B — {args.step}, {args.rows} rows{' (2k re-imported)' if args.reimport else ''}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"{'tree':8} {'trial':>5} {'cpu s':>7} {'wall s':>7} {'peak MB':>8} {'load1':>6}  rows created")
    for t in range(args.trials):
        for name in ("before", "after") if t % 2 == 0 else ("after", "before"):
            d = Path(tempfile.mkdtemp(dir=tmp))
            for suffix in ("", "-wal", "-shm"):
                src = Path(str(world) + suffix)
                if src.exists():
                    shutil.copy(src, Path(str(d / "bench.sqlite3") + suffix))
            r = child(roots[name], args.step, d / "bench.sqlite3", book)
            shutil.rmtree(d)
            assert r["ok"], r
            runs[name].append(r)
            print(f"{name:8} {t + 1:>5} {r['cpu_s']:>7.2f} {r['wall_s']:>7.2f} {r['peak_rss_mb']:>8.0f} "
                  f"{r['load1']:>6.1f}  {r['rows']} {r['created']}", flush=True)
    med = {k: {m: _median([r[m] for r in v]) for m in ("cpu_s", "wall_s", "peak_rss_mb")} for k, v in runs.items()}
    for m in ("cpu_s", "wall_s", "peak_rss_mb"):
        print(f"median {m:12} before {med['before'][m]:7.2f}  after {med['after'][m]:7.2f}  "
              f"after/before {med['after'][m] / med['before'][m]:.2f}×")
    out = HERE.parents[1] / "bench" / "results" / "importer-ab.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "step": args.step, "rows": args.rows, "reimport": args.reimport, "roots": roots,
        "machine": platform.machine(), "cpus": os.cpu_count(), "runs": runs, "median": med,
        "ratio_cpu": med["after"]["cpu_s"] / med["before"]["cpu_s"],
    }, indent=1))
    print(f"wrote {out}")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
