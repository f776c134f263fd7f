"""The first briefing PDF of a task-worker process, with and without the worker's warm-up.

    .venv/bin/python bench/dashboard/first_pdf.py [--db /tmp/dashbench/bench.sqlite3] [--rounds 4]
        [--needs 20000 --agreements 2000]   # only used when --db is missing or empty

Each measurement is a fresh Python process on the same database (generated once by
bench/dashboard/run.py's generator), as a new ``manage.py db_worker`` is: "before" makes the
leadership's city briefing straight away; "after" first runs the worker's warm-up
(``kechuang.ops.management.commands.db_worker.warm_up``), as the worker now does before its first
task, then the same briefing. Both then make three more briefings (each after a need write, like the
first) to show what a later PDF costs. Rounds alternate before/after, so the machine's noise falls
on both. Prints a table of medians (CPU and wall ms, load average) and writes
bench/results/first_pdf.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "dashboard"))


def _clock(fn):
    t, c = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000


def child(db: str, warm: bool) -> dict:
    from run import setup

    setup(db)
    from kechuang.accounts.models import User
    from kechuang.dashboard import cache, exports, selectors

    user = User.objects.get(username="leadership")
    out: dict = {"warm": warm}
    if warm:
        from kechuang.ops.management.commands.db_worker import warm_up

        ok = []
        out["warm_up_wall_ms"], out["warm_up_cpu_ms"] = _clock(lambda: ok.append(warm_up()))
        out["warm_up_ok"] = ok[0]

    def briefing():
        cache.invalidate("needs")  # the user's briefing after a need write
        exports.briefing_pdf(user, selectors.dashboard_scope(user=user))

    out["first_wall_ms"], out["first_cpu_ms"] = _clock(briefing)
    later = [_clock(briefing) for _ in range(3)]
    out["later_wall_ms"] = statistics.median(w for w, _ in later)
    out["later_cpu_ms"] = statistics.median(c for _, c in later)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--needs", type=int, default=20_000)
    ap.add_argument("--agreements", type=int, default=2_000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "first_pdf.json"))
    ap.add_argument("--child", choices=["before", "after"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    db = args.db or os.path.join(tempfile.mkdtemp(prefix="kechuang-firstpdf-"), "bench.sqlite3")
    if args.child:
        print(json.dumps(child(db, args.child == "after")))
        return
    prep = (
        f"import sys; sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'bench' / 'dashboard')!r}]\n"
        "from run import setup, reuse, generate\n"
        f"setup({db!r})\n"
        f"if reuse({db!r}) is None: generate({args.needs}, {args.agreements})\n"
    )
    print(f"database {db} (generated when empty) …", flush=True)
    subprocess.run([sys.executable, "-c", prep], check=True, cwd=ROOT)
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    loads = [os.getloadavg()[0]]
    for i in range(args.rounds):
        for mode in ("before", "after") if i % 2 == 0 else ("after", "before"):
            out = subprocess.run(
                [sys.executable, __file__, "--db", db, "--child", mode],
                check=True, cwd=ROOT, capture_output=True, text=True,
            )
            runs[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
            loads.append(os.getloadavg()[0])
            print(f"  round {i + 1} {mode}: first PDF {runs[mode][-1]['first_cpu_ms']:.0f} ms CPU", flush=True)

    def med(mode, key):
        xs = [r[key] for r in runs[mode] if key in r]
        return round(statistics.median(xs)) if xs else None

    keys = [
        ("warm-up at worker start (not seen by a user)", "warm_up"),
        ("first briefing PDF of the process", "first"),
        ("later briefing PDFs (median of 3 per process)", "later"),
    ]
    lines = ["| what | CPU ms before | CPU ms after | wall ms before | wall ms after |", "|---|---:|---:|---:|---:|"]
    for label, k in keys:
        lines.append(
            f"| {label} | {med('before', k + '_cpu_ms') or '-'} | {med('after', k + '_cpu_ms')} "
            f"| {med('before', k + '_wall_ms') or '-'} | {med('after', k + '_wall_ms')} |"
        )
    extra = {m: med(m, "first_cpu_ms") - med(m, "later_cpu_ms") for m in runs}
    lines.append(f"| first − later (CPU) | {extra['before']} | {extra['after']} | | |")
    table = "\n".join(lines)
    load = f"load average (1 min) {min(loads):.1f}–{max(loads):.1f} over the run, {os.cpu_count()} CPUs"
    print("\n" + table + "\n\n" + load + f"; {args.rounds} fresh processes each, medians")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        json.dumps(
            {
                "meta": {
                    "when": datetime.now(UTC).isoformat(timespec="seconds"),
                    "command": " ".join(["bench/dashboard/first_pdf.py", *sys.argv[1:]]),
                    "loadavg_1min": [round(x, 2) for x in loads],
                    "cpus": os.cpu_count(),
                },
                "runs": runs,
                "table": table,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
