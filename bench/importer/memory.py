"""What an import keeps per row: tracemalloc at the end of the last sheet, a small file against a large one.

    .venv/bin/python bench/importer/memory.py [--kind experts|needs] [--small 5000] [--large 20000]
        [--pubs-per-expert 5] [--step check|commit] [--per-row] [--top 15]

Each size runs in its own process on a fresh copy of the benchmark world (``run.py``'s). The
snapshot is taken just before the last sheet's staged rows are written (everything the import still
holds: report, lookups, the per-file memo), and the two snapshots are compared by line: the lines
whose memory grows with the file are what makes the peak grow. Prints bytes per row (traced, and
peak RSS) and the top lines; writes bench/results/importer-memory.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))


def child(args) -> None:
    import run  # the benchmark's world and workbooks

    run.setup(args.db)
    from django.contrib.auth import get_user_model

    from kechuang.intake import engine

    snaps: list = []
    original = engine._read_part

    def read_part(*a, **kw):  # the snapshot after each sheet's rows are read (the last one counts)
        original(*a, **kw)
        snaps[:] = [tracemalloc.take_snapshot(), tracemalloc.get_traced_memory()]

    engine._read_part = read_part
    user = get_user_model().objects.get(username="coord")
    tracemalloc.start(int(os.environ.get("FRAMES", "4")))
    t0, c0 = time.perf_counter(), time.process_time()
    report = engine.run_import(user, args.kind, args.file, commit=args.step == "commit", bulk=not args.per_row)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    traced_peak = tracemalloc.get_traced_memory()[1]
    assert report.ok, report.lines()[:3]
    snap, (current, _) = snaps
    stats = [
        {"where": f"{s.traceback[0].filename.replace(str(ROOT) + '/', '')}:{s.traceback[0].lineno}",
         "stack": [f"{f.filename.replace(str(ROOT) + '/', '')}:{f.lineno}" for f in s.traceback],
         "bytes": s.size, "count": s.count}
        for s in snap.statistics("traceback")[:400]
    ]
    import resource

    print(json.dumps({
        "rows": report.rows, "current": current, "traced_peak": traced_peak, "stats": stats,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "wall_s": wall, "cpu_s": cpu,
    }))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--kind", default="experts", choices=["experts", "needs"])
    p.add_argument("--small", type=int, default=5000)
    p.add_argument("--large", type=int, default=20000)
    p.add_argument("--pubs-per-expert", type=int, default=5)
    p.add_argument("--step", default="commit", choices=["check", "commit"])
    p.add_argument("--per-row", action="store_true")
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--child", action="store_true")
    p.add_argument("--db")
    p.add_argument("--file")
    args = p.parse_args()
    if args.child:
        child(args)
        return
    import run

    tmp = Path(tempfile.mkdtemp(prefix="kechuang-bench-memory-"))
    world_db = tmp / "world.sqlite3"
    run.setup(str(world_db))
    run.world()
    from django.db import connection

    with connection.cursor() as c:  # the copies below must hold the whole world (WAL)
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    out = {}
    for label, n in (("small", args.small), ("large", args.large)):
        book = tmp / f"{label}.xlsx"
        if args.kind == "needs":
            run.needs_book(book, n)
        else:
            run.experts_book(book, n, n * args.pubs_per_expert)
        db = tmp / f"{label}.sqlite3"
        shutil.copy(world_db, db)
        cmd = [sys.executable, __file__, "--child", "--db", str(db), "--file", str(book), "--step", args.step,
               "--kind", args.kind]
        res = subprocess.run(cmd + (["--per-row"] if args.per_row else []), capture_output=True, text=True, check=False)
        if res.returncode:
            raise SystemExit(res.stderr[-3000:])
        out[label] = json.loads(res.stdout.strip().splitlines()[-1])
    small, large = out["small"], out["large"]
    rows = large["rows"] - small["rows"]
    by = {}
    for s in small["stats"]:
        by.setdefault(tuple(s["stack"]), [0, 0])[0] += s["bytes"]
    for s in large["stats"]:
        by.setdefault(tuple(s["stack"]), [0, 0])[1] += s["bytes"]
    growth = sorted(((b - a, stack) for stack, (a, b) in by.items()), reverse=True)[: args.top]
    path = "per-row" if args.per_row else "bulk"
    per = f" ({args.pubs_per_expert} publications per expert)" if args.kind == "experts" else ""
    print(f"\n{args.kind} import memory, {path} path, {args.step}: {small['rows']} vs {large['rows']} rows{per}")
    print(f"{'rows':>8} {'held MB':>8} {'traced peak MB':>15} {'peak RSS MB':>12} {'wall s':>7} {'cpu s':>7}")
    for r in (small, large):
        print(f"{r['rows']:>8} {r['current'] / 1e6:>8.1f} {r['traced_peak'] / 1e6:>15.1f} {r['rss_mb']:>12.0f} "
              f"{r['wall_s']:>7.1f} {r['cpu_s']:>7.1f}")
    print(f"held per extra row: {(large['current'] - small['current']) / rows:.0f} B; traced peak per extra row: "
          f"{(large['traced_peak'] - small['traced_peak']) / rows:.0f} B; "
          f"RSS per extra row: {(large['rss_mb'] - small['rss_mb']) * 1048576 / rows:.0f} B")
    print("lines whose held memory grows with the file (bytes more in the large file):")
    for g, stack in growth:
        print(f"{g / 1e6:>8.2f} MB  {' <- '.join(stack[:4])}")
    res_path = ROOT / "bench" / "results" / f"importer-memory{'' if args.kind == 'experts' else '-' + args.kind}-{path}-{args.step}.json"
    res_path.parent.mkdir(parents=True, exist_ok=True)
    for r in (small, large):
        r["stats"] = r["stats"][:40]
    res_path.write_text(json.dumps({"small": small, "large": large, "growth": [[g, list(s)] for g, s in growth]},
                                   ensure_ascii=False, indent=1))
    print(f"wrote {res_path}")


if __name__ == "__main__":
    main()
