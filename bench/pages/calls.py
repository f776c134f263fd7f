"""Per page: Python function calls per request (a noise-free proxy for CPU on a shared machine), CPU ms
(median) and queries, through Django's test client on a database with the demo loaded.

    KECHUANG_SQLITE_PATH=/tmp/demo.sqlite3 .venv/bin/python bench/pages/calls.py [needs detail ...]

Pages: needs, detail, experts, dashboard, home (the landing page ``/`` redirects a signed-in user to),
login (where ``/`` sends an anonymous visitor; not signed in), api_needs, api_experts, bare (the load
bench's baseline view). As BENCH_USER (default ``coordinator``; e.g. ``ent-1``, ``expert``, ``district``),
in BENCH_LANG (``zh-hans`` default, or ``en``). A page the user may not open is listed with its status.
BENCH_PROFILE=cumulative|tottime prints a cProfile of one request per page (top BENCH_PROFILE_N rows).
The page cache (ADR 0059) serves the measured requests of its pages as it would a reader's repeated
visits; BENCH_PAGE_CACHE=miss makes every measured request a miss (every table's token bumped before
it, outside the measure); KECHUANG_PAGE_CACHE_SECONDS=0 turns the cache off.

Compare two code trees by running it from each (same database file): calls are deterministic, CPU
milliseconds are not (report both; bench/pages/compare.py alternates two trees). Writes
bench/results/pages-calls.json (or BENCH_OUT). ADRs 0048, 0051.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("KECHUANG_BENCH_BARE", "1")  # mounts /bench/bare/ (ops/urls.py)


def main(only: list[str]) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kechuang.accounts.models import User
    from kechuang.needs.models import Need
    from kechuang.needs.selectors import need_list

    if not Need.objects.exists():
        sys.exit("no demo data: point KECHUANG_SQLITE_PATH at a database where `manage.py demo` ran")
    lang = os.environ.get("BENCH_LANG", "zh-hans")
    user = User.objects.get(username=os.environ.get("BENCH_USER", "coordinator"))
    signed_in = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE=lang)
    signed_in.force_login(user)
    anonymous = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE=lang)
    need = need_list(user=user).order_by("pk").values_list("pk", flat=True).first()  # the first the user may open
    pages = {
        "needs": "/needs/", "detail": f"/needs/{need}/", "experts": "/experts/", "dashboard": "/dashboard/",
        "home": "/home/", "login": "/accounts/login/", "api_needs": "/api/needs/", "api_experts": "/api/experts/",
        "bare": "/bench/bare/",
    }
    profile = os.environ.get("BENCH_PROFILE", "")
    miss = os.environ.get("BENCH_PAGE_CACHE", "") == "miss"

    def before() -> None:
        if miss:
            from kechuang.core import pagecache

            pagecache.bump(pagecache._known_tables())

    rows = []
    for name, url in pages.items():
        if only and name not in only:
            continue
        client = anonymous if name == "login" else signed_in
        status = client.get(url).status_code
        if status != 200:
            print(f"{name:12s} HTTP {status} as {user.username}")
            rows.append({"page": name, "url": url, "status": status})
            continue
        client.get(url), client.get(url)  # warm: templates, caches
        n = [0]

        def count(frame, event, arg, n=n):
            if event in ("call", "c_call"):
                n[0] += 1

        before()
        sys.setprofile(count)
        client.get(url)
        sys.setprofile(None)
        if profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.runcall(client.get, url)
            print(f"--- {name} ({url}) as {user.username}, {lang}")
            pstats.Stats(prof).sort_stats(profile).print_stats(int(os.environ.get("BENCH_PROFILE_N", "40")))
        cpu, wall = [], []
        for _ in range(int(os.environ.get("BENCH_REPEAT", "8"))):
            before()
            t, w = time.process_time(), time.perf_counter()
            client.get(url)
            cpu.append((time.process_time() - t) * 1000)
            wall.append((time.perf_counter() - w) * 1000)
        before()
        with CaptureQueriesContext(connection) as q:
            client.get(url)
        rows.append({"page": name, "url": url, "calls": n[0], "cpu_ms_median": round(statistics.median(cpu), 1),
                     "wall_ms_median": round(statistics.median(wall), 1), "queries": len(q.captured_queries)})
        print(f"{name:12s} {n[0]:8d} calls  {statistics.median(cpu):7.1f} ms CPU  {statistics.median(wall):7.1f} ms wall"
              f"  {len(q.captured_queries):3d} queries")
    out = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "results" / "pages-calls.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"user": user.username, "role": user.role, "language": lang, "load_average": os.getloadavg()[0],
            "page_cache": os.environ.get("BENCH_PAGE_CACHE", "") or "as configured",
            "page_cache_seconds": os.environ.get("KECHUANG_PAGE_CACHE_SECONDS", "default")}
    out.write_text(json.dumps(meta | {"pages": rows}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
