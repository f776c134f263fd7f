"""Load bench: a bounded headless locust run against ``make serve`` (scripts/serve.sh) on 127.0.0.1.

    .venv/bin/python bench/load/run.py [--users 20,50] [--seconds 150] [--warmup 10] [--spawn-rate 5]
    .venv/bin/python bench/load/run.py --variant before:KECHUANG_CACHE_BATCHED=0 --variant after:
    scripts/with-postgres.sh env KECHUANG_DB=postgres .venv/bin/python bench/load/run.py  # PostgreSQL

Loads the demo data into a throwaway database (or uses KECHUANG_SQLITE_PATH's, when it has data),
starts the production server (gunicorn, task worker) with the bench-only bare view (/bench/bare/,
KECHUANG_BENCH_BARE=1), and per number of users runs locust (bench/load/locustfile.py): users arrive
at ``--spawn-rate`` per second, log in as demo users (coordinator, leadership, district staff) and
read the main pages and API lists with 0.5–1.5 s of think time between requests. Two phases, each
from locust's own statistics:

- **ramp-up**: from the first user to ``--warmup`` seconds after the last login — the logins
  (PBKDF2, ~0.5 s CPU each), each server process's first requests (~2.5 s CPU: imports, templates);
- **steady state**: the statistics reset, then ``--seconds`` measured (≥ 200 requests per page at
  20 users: the pages asked least often get 1/10 of the ~15 requests/s served at load 8, ~135 s; the
  think time is kept; default 150 s).

Per phase and page: requests, requests/s, errors, p50/p95 and (steady state) p95 ÷ the bare view's
p95 of the same phase; per phase the 1-minute load average at its start and end, the CPU seconds the
server's processes used (gunicorn and the task worker; not PostgreSQL's own processes) and locust's
own (it shares the machine), and from the server's request log (JSON lines) per path: CPU ms
p50/p95, the wait for the write lock and the figure-cache writes. ``--variant NAME:K=V,…`` serves
once per variant with those environment variables (the cache emptied before each), so before and
after run back to back. Prints the tables and writes bench/results/load-<db>.json.
KECHUANG_SQLITE_CONN_MAX_AGE=0 serves with a connection per request (before ADR 0043);
KECHUANG_CACHE_BATCHED=0 with Django's database cache (before ADR 0045).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
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
    server spent on that step's requests (logins included). A process's reaped children count too
    (``cutime``/``cstime``): a worker gunicorn recycles (``max_requests``) moves its CPU into the
    master's, and the sum never goes back (it did: −30 s for a step with a recycle)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # field 6 of stat: the session id
            total += sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime
    return total


def _exceptions(prefix: str) -> int:
    """Exceptions raised inside locust tasks (a broken task never reaches the request stats)."""
    path = f"{prefix}_exceptions.csv"
    if not os.path.exists(path):
        return 0
    with open(path, newline="") as f:
        return sum(int(r.get("Count") or 0) for r in csv.DictReader(f))


def _stats(path: str) -> list[dict]:
    """Rows of a locust ``_stats.csv`` (both phases are written by locust's own CSV writer)."""
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["Name"] == "Aggregated" or r["Request Count"] == "0":
                continue  # (the steady state's login rows: reset to nothing)
            rows.append(
                {
                    "page": r["Name"],
                    "requests": int(r["Request Count"]),
                    "rps": float(r["Requests/s"]),
                    "errors": int(r["Failure Count"]),
                    "p50_ms": float(r["50%"]),
                    "p95_ms": float(r["95%"]),
                }
            )
    return rows


_ID = re.compile(r"/\d+(?=/|$)")


def _request_log(path: str, start: int, end: int) -> dict:
    """The server's request lines (KECHUANG_LOG_REQUESTS, JSON) between two byte offsets of its log,
    per path: requests, CPU ms p50/p95 (the web process's thread), write-lock wait p95/max
    (``db_lock_ms``: BEGIN and write statements) and how many wrote the figure cache."""
    by: dict[str, list[dict]] = {}
    with open(path, "rb") as f:
        f.seek(start)
        chunk = f.read(max(0, end - start)).decode("utf-8", "replace")
    for line in chunk.splitlines():
        if not line.startswith("{"):
            continue
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if "cpu_ms" not in r:
            continue
        by.setdefault(f"{r.get('method')} {_ID.sub('/<id>', r.get('path', '?'))}", []).append(r)

    def pct(xs, q):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0.0

    out = {}
    for k, rs in sorted(by.items()):
        cpu = [r["cpu_ms"] for r in rs]
        lock = [r.get("db_lock_ms", 0.0) for r in rs]
        out[k] = {
            "requests": len(rs),
            "cpu_ms_p50": pct(cpu, 0.5),
            "cpu_ms_p95": pct(cpu, 0.95),
            "cpu_ms_sum": round(sum(cpu), 1),
            "lock_ms_p95": pct(lock, 0.95),
            "lock_ms_max": max(lock),
            "cache_writes": sum(1 for r in rs if "kechuang_cache" in (r.get("db_writes") or [])),
            "cache_write_statements": sum((r.get("db_writes") or []).count("kechuang_cache") for r in rs),
        }
    return out


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _step(args, env, server, tmp, n, need_ids, log_path) -> tuple[list[dict], dict]:
    """One locust run of ``n`` users: the ramp-up (logins, warm-up) and the steady state, each with
    its own rows, load averages and server CPU seconds."""
    prefix = os.path.join(tmp, f"locust-{n}")
    ramp_csv = f"{prefix}_ramp_stats.csv"
    spawn = args.spawn_rate or n
    cap = (
        int(n / spawn) + 180 + args.warmup + args.seconds
    )  # locust's -t: only if the steady state never comes
    marks = {
        "ramp": {
            "load": os.getloadavg(),
            "cpu": _server_cpu_seconds(server.pid),
            "t": time.time(),
            "log": os.path.getsize(log_path),
            "locust_cpu": _children_cpu(),
        }
    }
    log = open(f"{prefix}.log", "w")  # noqa: SIM115 - closed by the child's exit
    proc = subprocess.Popen(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "load" / "locustfile.py"),
            "--headless",
            "-u",
            str(n),
            "-r",
            str(spawn),
            "-t",
            f"{cap}s",
            "--host",
            f"http://127.0.0.1:{args.port}",
            "--csv",
            prefix,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env
        | {
            "BENCH_NEED_IDS": need_ids,
            "BENCH_WARMUP": str(args.warmup),
            "BENCH_STEADY": str(args.seconds),
            "BENCH_RAMP_CSV": ramp_csv,
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    while proc.poll() is None:
        if "steady" not in marks and os.path.exists(ramp_csv):
            marks["steady"] = {
                "load": os.getloadavg(),
                "cpu": _server_cpu_seconds(server.pid),
                "t": time.time(),
                "log": os.path.getsize(log_path),
            }
        time.sleep(0.2)
    marks["end"] = {
        "load": os.getloadavg(),
        "cpu": _server_cpu_seconds(server.pid),
        "t": time.time(),
        "log": os.path.getsize(log_path),
        "locust_cpu": _children_cpu(),
    }
    locust_total = marks["end"]["locust_cpu"] - marks["ramp"]["locust_cpu"]
    rows: list[dict] = []
    summary: dict = {}
    phases = [("ramp-up", "ramp", "steady" if "steady" in marks else "end")]
    if "steady" in marks:
        phases.append(("steady", "steady", "end"))
        with open(f"{ramp_csv}.json") as f:
            locust_ramp = json.load(f)["locust_cpu_s"]
    else:
        locust_ramp = locust_total
    for phase, a, b in phases:
        path = ramp_csv if phase == "ramp-up" and "steady" in marks else f"{prefix}_stats.csv"
        prow = _stats(path)
        if phase == "steady" or "steady" not in marks:
            crashed = _exceptions(prefix)
            if crashed:
                prow.append(
                    {
                        "page": "locust task exceptions",
                        "requests": 0,
                        "rps": 0.0,
                        "errors": crashed,
                        "p50_ms": 0.0,
                        "p95_ms": 0.0,
                    }
                )
        bare = next((r["p95_ms"] for r in prow if r["page"] == "bare view"), None)
        cpu = round(marks[b]["cpu"] - marks[a]["cpu"], 1)
        served = sum(r["requests"] for r in prow)
        info = {
            "wall_s": round(marks[b]["t"] - marks[a]["t"], 1),
            "loadavg_1min": [round(marks[a]["load"][0], 2), round(marks[b]["load"][0], 2)],
            "server_cpu_s": cpu,
            "server_cpu_ms_per_request": round(1000 * cpu / served, 1) if served else None,
            "locust_cpu_s": round(locust_ramp if phase == "ramp-up" else locust_total - locust_ramp, 1),
            "requests": served,
            "request_log": _request_log(log_path, marks[a]["log"], marks[b]["log"]),
        }
        summary[phase] = info
        for r in prow:
            r |= {
                "phase": phase,
                "users": n,
                # the ratio is the steady state's (the ramp-up's bare view waits behind logins)
                "x_bare_p95": round(r["p95_ms"] / bare, 1) if bare and phase == "steady" else None,
                "loadavg_1min": info["loadavg_1min"],
                "server_cpu_s": cpu,
            }
            rows.append(r)
    if "steady" not in marks:
        print(f"  {n} users: the steady state never began (not every user logged in?)", flush=True)
    return rows, summary


def _serve(env: dict, tmp: str, name: str) -> tuple[subprocess.Popen, str]:
    log_path = os.path.join(tmp, f"serve{'-' + name if name else ''}.log")
    server = subprocess.Popen(
        ["scripts/serve.sh"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=open(log_path, "w"),  # noqa: SIM115 - lives as long as the server
        stderr=subprocess.STDOUT,
    )
    return server, log_path


def _stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)  # the server's own process group (started above)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def _variants(specs: list[str]) -> list[tuple[str, dict]]:
    """``--variant NAME:KEY=VALUE,KEY=VALUE``: the server runs once per variant, in this order."""
    out = []
    for spec in specs or [""]:
        name, _, kv = spec.partition(":")
        out.append((name, dict(x.split("=", 1) for x in kv.split(",") if x)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", default="20,50")
    ap.add_argument("--seconds", type=int, default=150, help="the measured steady-state window")
    ap.add_argument("--warmup", type=int, default=10, help="seconds after the last login before measuring")
    ap.add_argument(
        "--spawn-rate", type=float, default=5.0, help="users arriving per second (0: all at once)"
    )
    ap.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME:K=V,…",
        help="serve once per variant with these environment variables (e.g. before:X=0)",
    )
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
    results = []
    phases = []
    for name, extra in _variants(args.variant):
        venv = env | extra
        _manage(venv, "createcachetable")
        _manage(
            venv, "shell", "-c", "from django.core.cache import cache; cache.clear()"
        )  # every variant starts cold
        server, log_path = _serve(venv, tmp, name)
        try:
            _wait(args.port)
            for n in [int(x) for x in args.users.split(",")]:
                rows, summary = _step(
                    args, venv, server, tmp if not name else _sub(tmp, name), n, need_ids, log_path
                )
                for r in rows:
                    r |= {"db": db, "variant": name}
                results.extend(rows)
                for phase, info in summary.items():
                    phases.append({"db": db, "variant": name, "users": n, "phase": phase} | info)
                    print(
                        f"[{db}{' ' + name if name else ''}] {n} users {phase}: {info['requests']} requests in "
                        f"{info['wall_s']} s, load {info['loadavg_1min'][0]}→{info['loadavg_1min'][1]}, server CPU "
                        f"{info['server_cpu_s']} s ({info['server_cpu_ms_per_request']} ms/request), locust CPU "
                        f"{info['locust_cpu_s']} s",
                        flush=True,
                    )
        finally:
            _stop(server)
    head = (
        "| db | variant | users | phase | page | requests | req/s | errors | p50 ms | p95 ms | × bare p95 "
        "| load 1 min (start→end) | server CPU s (phase) |\n"
        "|---|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    table = "\n".join(
        [head]
        + [
            f"| {r['db']} | {r['variant'] or '—'} | {r['users']} | {r['phase']} | {r['page']} | {r['requests']} "
            f"| {r['rps']:.1f} | {r['errors']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} "
            f"| {r['x_bare_p95'] if r['x_bare_p95'] is not None else '—'} "
            f"| {r['loadavg_1min'][0]}→{r['loadavg_1min'][1]} | {r['server_cpu_s']} |"
            for r in results
        ]
    )
    print("\n" + table)
    srv = [
        "| variant | users | path (steady state) | requests | CPU ms p50 | CPU ms p95 | lock wait ms p95 | max "
        "| requests writing the cache | cache write statements |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in phases:
        if p["phase"] != "steady":
            continue
        for path, v in p["request_log"].items():
            srv.append(
                f"| {p['variant'] or '—'} | {p['users']} | {path} | {v['requests']} | {v['cpu_ms_p50']} "
                f"| {v['cpu_ms_p95']} | {v['lock_ms_p95']} | {v['lock_ms_max']} | {v['cache_writes']} "
                f"| {v['cache_write_statements']} |"
            )
    print("\n" + "\n".join(srv))
    out = Path(args.out_dir) / f"load-{db}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": args.seconds,
        "warmup": args.warmup,
        "spawn_rate": args.spawn_rate,
        "cpus": os.cpu_count(),
        "command": " ".join(["bench/load/run.py", *sys.argv[1:]]),
        "db": db,
        "env": {
            k: os.environ[k]
            for k in sorted(os.environ)
            if k.startswith(("KECHUANG_SQLITE_CONN", "KECHUANG_CACHE"))
        },
    }
    out.write_text(
        json.dumps(
            {
                "meta": meta,
                "phases": phases,
                "results": results,
                "table": table,
                "server_table": "\n".join(srv),
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"wrote {out}")


def _sub(tmp: str, name: str) -> str:
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    return d


if __name__ == "__main__":
    main()
