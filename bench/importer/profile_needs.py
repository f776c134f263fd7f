"""Profile the needs import (check, then commit) with cProfile on a generated workbook.

    .venv/bin/python bench/importer/profile_needs.py [--rows 1000] [--top 30] [--out DIR]

Writes ``check.prof`` and ``commit.prof`` (read them with ``python -m pstats``) and prints the top
functions by own time and by cumulative time, with CPU seconds and the 1-minute load average.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=1000)
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--out", default="")
    args = p.parse_args()
    tmp = Path(args.out or tempfile.mkdtemp(prefix="kechuang-prof-import-"))
    tmp.mkdir(parents=True, exist_ok=True)
    db = tmp / "prof.sqlite3"
    db.unlink(missing_ok=True)
    bench.setup(str(db))
    bench.world()
    book = tmp / "needs.xlsx"
    bench.needs_book(book, args.rows)
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from kechuang.intake.engine import run_import

    user = get_user_model().objects.get(username="coord")
    for step in ("check", "commit"):
        prof = cProfile.Profile()
        reset_queries()
        t0, c0 = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as q:
            prof.enable()
            report = run_import(user, "needs", book, commit=step == "commit")
            prof.disable()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert report.ok, report.lines()[:3]
        prof.dump_stats(tmp / f"{step}.prof")
        print(
            f"\n=== {step}: {report.rows} rows, wall {wall:.1f} s, cpu {cpu:.1f} s, "
            f"{len(q.captured_queries)} queries ({len(q.captured_queries) / max(report.rows, 1):.1f}/row), "
            f"load {os.getloadavg()[0]:.1f}"
        )
        st = pstats.Stats(prof)
        st.sort_stats("tottime").print_stats(args.top)
        st.sort_stats("cumulative").print_stats(args.top)
    print(f"profiles in {tmp}")


if __name__ == "__main__":
    main()
