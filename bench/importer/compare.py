"""Experts import before/after, side by side in one run: the same workbook, the same world, two code trees.

    git archive <before-commit> | tar -x -C /tmp/kechuang-before
    .venv/bin/python bench/importer/compare.py --before /tmp/kechuang-before [--experts 5000] [--pubs 25000]

Each step (check, commit) runs once per tree, alternating, each in its own process (its peak RSS is
its own) on a fresh copy of ``run.py``'s world (SQLite, WAL), with that tree's own ``run.py --child``.
The baseline (openpyxl streaming every cell of the workbook) is measured in the same run. Prints
wall and CPU seconds, rows/s and peak RSS for both trees with the after/before ratios, and writes
bench/results/importer-experts-compare.json.
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
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))


def _child(tree: Path, db: Path, book: Path, step: str) -> dict:
    script = tree / "bench" / "importer" / "run.py"
    out = subprocess.run(
        [sys.executable, str(script), "--child", step, "--db", str(db), "--file", str(book), "--kind", "experts"],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{tree} {step} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--before", required=True, type=Path, help="a source tree of the code before (git archive)")
    p.add_argument("--experts", type=int, default=5000)
    p.add_argument("--pubs", type=int, default=25000)
    args = p.parse_args()
    import run

    tmp = Path(tempfile.mkdtemp(prefix="kechuang-bench-compare-"))
    world = tmp / "world.sqlite3"
    run.setup(str(world))
    run.world()
    from django.db import connection

    with connection.cursor() as c:  # the copies must hold the whole world (WAL)
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    book = tmp / "experts.xlsx"
    run.experts_book(book, args.experts, args.pubs)
    rows = args.experts + args.pubs
    trees = {"before": args.before.resolve(), "after": ROOT}
    results: dict = {"baseline": _child(ROOT, world, book, "baseline")}
    for step in ("check", "commit"):
        for side, tree in trees.items():
            db = tmp / f"{step}-{side}.sqlite3"
            shutil.copy(world, db)
            r = _child(tree, db, book, step)
            if not r["ok"]:
                raise SystemExit(f"{side} {step}: {r['first_error']}")
            results[f"{step}-{side}"] = r
            db.unlink()
    load = os.getloadavg()
    print(
        f"\nexperts import, before ({args.before}) vs after ({ROOT.name}) — {platform.node()}, {os.cpu_count()} cores, "
        f"load {load[0]:.1f}/{load[1]:.1f}; {args.experts} experts + {args.pubs} publications = {rows} rows"
    )
    b = results["baseline"]
    print(f"baseline (openpyxl streaming): wall {b['wall_s']:.1f} s, cpu {b['cpu_s']:.1f} s, peak {b['peak_rss_mb']:.0f} MB")
    head = f"{'step':7} {'':7} {'wall s':>8} {'cpu s':>8} {'rows/s':>8} {'peak MB':>8} {'load1':>6}"
    print(head)
    for step in ("check", "commit"):
        for side in trees:
            m = results[f"{step}-{side}"]
            print(
                f"{step:7} {side:7} {m['wall_s']:>8.1f} {m['cpu_s']:>8.1f} {rows / m['wall_s']:>8.0f} "
                f"{m['peak_rss_mb']:>8.0f} {m['load1']:>6.1f}"
            )
        bf, af = results[f"{step}-before"], results[f"{step}-after"]
        print(
            f"{step:7} {'ratio':7} {af['wall_s'] / bf['wall_s']:>8.2f} {af['cpu_s'] / bf['cpu_s']:>8.2f} "
            f"{bf['wall_s'] / af['wall_s']:>7.2f}× {af['peak_rss_mb'] / bf['peak_rss_mb']:>8.2f}"
        )
    out = ROOT / "bench" / "results" / "importer-experts-compare.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {"before": str(args.before), "experts": args.experts, "pubs": args.pubs, "rows": rows, "load": load,
             "cpus": os.cpu_count(), "results": results},
            ensure_ascii=False,
            indent=1,
        )
    )
    print(f"wrote {out}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
