"""Load bench: a bounded headless locust run against ``make serve`` (scripts/serve.sh) on 127.0.0.1.

    .venv/bin/python bench/load/run.py [--users 20,50] [--seconds 30]                 # SQLite
    scripts/with-postgres.sh env KECHUANG_DB=postgres .venv/bin/python bench/load/run.py  # PostgreSQL

Loads the demo data into a throwaway database, starts the production server (gunicorn, task worker)
with the bench-only bare view (/bench/bare/, KECHUANG_BENCH_BARE=1), logs in demo users (coordinator,
leadership, district staff) and reads the main pages and API lists. Per page: requests, errors,
p50/p95 and p95 ÷ the bare view's p95 measured in the same run. Prints a table (with the load
average and the CPU seconds the server's processes used in each step — gunicorn and the task
worker; not PostgreSQL's own processes) and writes bench/results/load-<db>.json.
KECHUANG_SQLITE_CONN_MAX_AGE=0 serves with a connection per request (before ADR 0043).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1].parent
BIN = ROOT / ".venv" / "bin"


def _env(tmp: str, port: int) -> dict:
    env = dict(os.environ)
    env.update(
        KECHUANG_SECRET_KEY=secrets.token_urlsafe(50),
        KECHUANG_ALLOWED_HOSTS="127.0.0.1",
        KECHUANG_REQUIRE_2FA="0",
        KECHUANG_BEHIND_PROXY="1",
        KECHUANG_BENCH_BARE="1",
        KECHUANG_VAR_DIR=tmp,
        PORT=str(port),
        BIND="127.0.0.1",
        WORKERS="1",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        KECHUANG_ENV="production",
    )
    env.setdefault("KECHUANG_SQLITE_PATH", os.path.join(tmp, "kechuang.sqlite3"))
    return env


def _manage(env: dict, *args: str, capture: bool = False) -> str:
    out = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


NEEDS_FOR_ALL = """
from kechuang.accounts.models import User
from kechuang.core.access import restrict
from kechuang.needs.models import Need
ids = None
for name in ("coordinator", "leadership", "district"):
    mine = set(restrict(Need.objects.all(), User.objects.get(username=name)).values_list("pk", flat=True))
    ids = mine if ids is None else ids & mine
print(",".join(str(i) for i in sorted(ids)[:20]))
"""


def _wait(port: int, seconds: float = 420) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}/accounts/login/", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(req, timeout=5) as r:  # noqa: S310 - local bench server
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit("the server did not answer in time")


def _server_cpu_seconds(sid: int) -> float:
    """User + system CPU seconds of every live process of the server's session (gunicorn's master
    and workers, the task worker): read before and after each step, the difference is what the
    server spent on that step's requests (logins included)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # field 6 of stat: the session id
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _exceptions(prefix: str) -> int:
    """Exceptions raised inside locust tasks (a broken task never reaches the request stats)."""
    path = f"{prefix}_exceptions.csv"
    if not os.path.exists(path):
        return 0
    with open(path, newline="") as f:
        return sum(int(r.get("Count") or 0) for r in csv.DictReader(f))


def _stats(prefix: str) -> list[dict]:
    rows = []
    with open(f"{prefix}_stats.csv", newline="") as f:
        for r in csv.DictReader(f):
            if r["Name"] in ("Aggregated", "login", "login form"):
                continue
            rows.append(
                {
                    "page": r["Name"],
                    "requests": int(r["Request Count"]),
                    "errors": int(r["Failure Count"]),
                    "p50_ms": float(r["50%"]),
                    "p95_ms": float(r["95%"]),
                }
            )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", default="20,50")
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--out-dir", default=str(ROOT / "bench" / "results"))
    args = ap.parse_args()
    db = os.environ.get("KECHUANG_DB", "sqlite")
    tmp = tempfile.mkdtemp(prefix="kechuang-load-")
    env = _env(tmp, args.port)
    print(f"[{db}] migrate + demo data into {tmp} …", flush=True)
    _manage(env, "migrate", "--noinput")
    _manage(env, "demo", "--allow-production", "--if-empty")
    need_ids = (_manage(env, "shell", "-c", NEEDS_FOR_ALL).strip().splitlines() or ["1"])[-1]
    server = subprocess.Popen(
        ["scripts/serve.sh"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=open(os.path.join(tmp, "serve.log"), "w"),  # noqa: SIM115 - lives as long as the server
        stderr=subprocess.STDOUT,
    )
    results = []
    try:
        _wait(args.port)
        for n in [int(x) for x in args.users.split(",")]:
            prefix = os.path.join(tmp, f"locust-{n}")
            load_before = os.getloadavg()
            cpu_before = _server_cpu_seconds(server.pid)
            log = open(f"{prefix}.log", "w")  # noqa: SIM115 - closed by the child's exit
            subprocess.run(
                [
                    str(BIN / "locust"),
                    "-f",
                    str(ROOT / "bench" / "load" / "locustfile.py"),
                    "--headless",
                    "-u",
                    str(n),
                    "-r",
                    str(n),
                    "-t",
                    f"{args.seconds}s",
                    "--host",
                    f"http://127.0.0.1:{args.port}",
                    "--csv",
                    prefix,
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env | {"BENCH_NEED_IDS": need_ids},
                check=False,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            server_cpu = round(_server_cpu_seconds(server.pid) - cpu_before, 1)
            rows = _stats(prefix)
            crashed = _exceptions(prefix)
            if crashed:
                rows.append(
                    {
                        "page": "locust task exceptions",
                        "requests": 0,
                        "errors": crashed,
                        "p50_ms": 0.0,
                        "p95_ms": 0.0,
                    }
                )
            bare = next((r["p95_ms"] for r in rows if r["page"] == "bare view"), None)
            for r in rows:
                r |= {
                    "db": db,
                    "users": n,
                    "x_bare_p95": round(r["p95_ms"] / bare, 1) if bare else None,
                    "loadavg_1min": round(load_before[0], 2),
                    "server_cpu_s": server_cpu,
                }
                results.append(r)
            print(f"[{db}] {n} users done (load {load_before[0]:.1f}, server CPU {server_cpu} s)", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server's own process group (started above)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    head = (
        "| db | users | page | requests | errors | p50 ms | p95 ms | × bare p95 | load 1 min | server CPU s (step) |\n"
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    table = "\n".join(
        [head]
        + [
            f"| {r['db']} | {r['users']} | {r['page']} | {r['requests']} | {r['errors']} | {r['p50_ms']:.0f} "
            f"| {r['p95_ms']:.0f} | {r['x_bare_p95']} | {r['loadavg_1min']} | {r['server_cpu_s']} |"
            for r in results
        ]
    )
    print("\n" + table)
    out = Path(args.out_dir) / f"load-{db}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
        "command": " ".join(["bench/load/run.py", *sys.argv[1:]]),
        "db": db,
        "env": {k: os.environ[k] for k in sorted(os.environ) if k.startswith("KECHUANG_SQLITE_CONN")},
    }
    out.write_text(
        json.dumps({"meta": meta, "results": results, "table": table}, ensure_ascii=False, indent=2)
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
