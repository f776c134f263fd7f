"""SQLite, a connection per request or one kept per process: the read latency of several server
processes while one process writes (the shape of ADR 0043's finding, without Django or HTTP).

    .venv/bin/python bench/load/sqlite_connections.py [--readers 5] [--seconds 8] [--rounds 2] [--db FILE]

The database is the platform's schema (``manage.py migrate`` into a throwaway file, unless --db):
every "request" of a reader runs two small reads of ``experts_expert``; the writer upserts a
``kechuang_cache`` row in a ``BEGIN IMMEDIATE`` transaction every 50 ms (a session or figure-cache
write). "per request" opens the connection with the settings' PRAGMAs and closes it after each
request (Django's CONN_MAX_AGE=0); "kept" opens it once (CONN_MAX_AGE > 0). Rounds alternate the two.
Per mode: requests, p50/p95/p99/max ms, CPU seconds of all processes, load average.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRAGMAS = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"  # config/settings/base.py


def _connect(db: str) -> sqlite3.Connection:
    c = sqlite3.connect(db, timeout=20, isolation_level=None)
    c.executescript(PRAGMAS)
    return c


def _reader(db: str, kept: bool, seconds: float, q) -> None:
    lat, c = [], _connect(db) if kept else None
    end = time.time() + seconds
    while time.time() < end:
        t = time.perf_counter()
        cc = c or _connect(db)
        cc.execute("SELECT count(*), max(id) FROM experts_expert").fetchall()
        cc.execute("SELECT * FROM experts_expert ORDER BY id LIMIT 25").fetchall()
        if c is None:
            cc.close()
        lat.append((time.perf_counter() - t) * 1000)
        time.sleep(0.02)
    q.put(lat)


def _writer(db: str, kept: bool, seconds: float, q) -> None:
    c = _connect(db) if kept else None
    end = time.time() + seconds
    while time.time() < end:
        cc = c or _connect(db)
        cc.execute("BEGIN IMMEDIATE")
        cc.execute(
            "INSERT INTO kechuang_cache (cache_key, value, expires) VALUES (?, ?, datetime('now', '+1 hour')) "
            "ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value",
            (f"bench:{time.time_ns() % 500}", "x" * 2000),
        )
        cc.execute("COMMIT")
        if c is None:
            cc.close()
        time.sleep(0.05)
    q.put(None)


def _pct(xs: list[float], p: float) -> float:
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def one(db: str, kept: bool, readers: int, seconds: float) -> dict:
    q = mp.Queue()
    procs = [mp.Process(target=_reader, args=(db, kept, seconds, q)) for _ in range(readers)]
    procs.append(mp.Process(target=_writer, args=(db, kept, seconds, q)))
    before = os.times()
    for p in procs:
        p.start()
    got = [q.get() for _ in procs]
    for p in procs:
        p.join()
    after = os.times()
    lat = sorted(x for r in got if r for x in r)
    return {
        "mode": "kept" if kept else "per request",
        "requests": len(lat),
        "p50_ms": round(_pct(lat, 0.5), 2),
        "p95_ms": round(_pct(lat, 0.95), 2),
        "p99_ms": round(_pct(lat, 0.99), 2),
        "max_ms": round(lat[-1], 1),
        "cpu_s": round(
            (after.children_user - before.children_user) + (after.children_system - before.children_system), 2
        ),
        "load_1min": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--readers", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--db")
    args = ap.parse_args()
    db = args.db
    if not db:
        db = os.path.join(tempfile.mkdtemp(prefix="kechuang-sqlconn-"), "bench.sqlite3")
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.dev", KECHUANG_SQLITE_PATH=db, KECHUANG_DB="sqlite")
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    rows = []
    for i in range(args.rounds):
        for kept in (False, True) if i % 2 == 0 else (True, False):
            rows.append(one(db, kept, args.readers, args.seconds))
    print(f"| mode | requests | p50 ms | p95 ms | p99 ms | max ms | CPU s | load 1 min |  ({args.readers} readers + 1 writer, {args.seconds:g} s each)")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['mode']} | {r['requests']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} "
            f"| {r['cpu_s']} | {r['load_1min']} |"
        )


if __name__ == "__main__":
    main()
