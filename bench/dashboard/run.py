"""Dashboard benchmark: p95 of each dashboard view on a large bulk-generated city, next to a bare view.

    .venv/bin/python bench/dashboard/run.py [--needs 100000] [--agreements 10000] [--runs 30]

Generates the data into a throwaway SQLite *file* database (WAL, as in production on a laptop),
then drives the full Django stack (middleware, sessions, auth) with the test client. The bare
view is ``login_required`` + ``HttpResponse`` through the same stack, so the ratio shows what the
dashboard itself costs. Prints a table and writes bench/results/dashboard.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[max(0, math.ceil(0.95 * len(xs)) - 1)]


def setup(db_path: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["KECHUANG_SQLITE_PATH"] = db_path
    os.environ.setdefault("KECHUANG_DB", "sqlite")
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = __name__ if __name__ != "__main__" else "__main__"
    settings.ALLOWED_HOSTS = ["*"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(n_needs: int, n_agreements: int, seed: int = 7) -> dict:
    """Bulk rows shaped like the demo's, scaled up: 13 chains, 10 districts with zones, 10 societies."""
    from django.db import transaction

    from kechuang.accounts.models import Area, User
    from kechuang.events.models import Event
    from kechuang.experts.models import Achievement, Expert
    from kechuang.followup.models import Agreement, Base, Milestone, Visit, VisitStop
    from kechuang.needs.models import Need, NeedStatusChange
    from kechuang.orgs.models import IndustryChain, Organisation

    rng = random.Random(seed)
    t0 = time.perf_counter()
    with transaction.atomic():
        city = Area.objects.create(code="qd", name="青岛市", kind="city")
        districts = [
            Area.objects.create(code=f"d{i}", name=f"第{i}区", kind="district", parent=city)
            for i in range(10)
        ]
        zones = [
            Area.objects.create(code=f"d{i}-z", name=f"第{i}区开发区", kind="zone", parent=d)
            for i, d in enumerate(districts)
        ]
        areas = districts + zones
        kw = [
            ["人工智能", "5G"],
            ["海洋装备", "海洋牧场"],
            ["石墨烯", "新材料"],
            ["智能家电", "物联网"],
            ["机器人", "伺服"],
            ["动力电池", "轻量化"],
            ["医疗器械", "康复"],
            ["农机装备", "种业"],
            ["橡胶", "催化"],
            ["冷链", "饮料"],
            ["转向架", "特殊钢"],
            ["车路协同", "桥梁监测"],
            ["节能", "碳减排"],
        ]
        IndustryChain.objects.bulk_create(
            [
                IndustryChain(code=f"c{i}", name=f"产业链{i}", task_force=f"专班{i}", keywords=k, order=i)
                for i, k in enumerate(kw)
            ]
        )
        chains = list(IndustryChain.objects.all())
        socs = Organisation.objects.bulk_create(
            [Organisation(name=f"中国第{i}学会", kind="society") for i in range(10)]
        )
        ents = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"企业{i:05d}",
                    kind="enterprise",
                    district=rng.choice(areas),
                    chain=rng.choice(chains),
                )
                for i in range(5000)
            ]
        )
        unis = Organisation.objects.bulk_create(
            [
                Organisation(name=f"大学{i}", kind="university", district=rng.choice(districts))
                for i in range(30)
            ]
        )
        experts = Expert.objects.bulk_create(
            [
                Expert(
                    name=f"专家{i}",
                    title="教授",
                    fields=[rng.choice(rng.choice(kw))],
                    keywords=[rng.choice(rng.choice(kw)) + "技术"],
                )
                for i in range(2000)
            ]
        )
        Expert.societies.through.objects.bulk_create(
            [Expert.societies.through(expert_id=e.pk, organisation_id=rng.choice(socs).pk) for e in experts]
        )
        Achievement.objects.bulk_create(
            [
                Achievement(
                    title=f"成果{i}",
                    owner_society=rng.choice(socs),
                    description="d",
                    maturity="pilot",
                    transfer_mode="license",
                    chain=rng.choice(chains),
                )
                for i in range(1500)
            ]
        )
        start = datetime(2024, 1, 1, tzinfo=UTC)
        pipeline = ["submitted", "reviewed", "matched", "met", "agreement", "delivered"]
        needs, hist = [], []
        for i in range(n_needs):
            ent = rng.choice(ents)
            created = start + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
            depth = rng.choices(range(6), weights=[20, 25, 25, 15, 10, 5])[0]
            times = [created]
            for _ in range(depth):
                times.append(times[-1] + timedelta(hours=rng.randrange(6, 24 * 60)))
            status = pipeline[depth]
            needs.append(
                Need(
                    enterprise=ent,
                    title=f"需求{i}",
                    chain_id=ent.chain_id,
                    district_id=ent.district_id,
                    background="b",
                    problem="p",
                    goal="g",
                    confidentiality=rng.choice(["public"] * 8 + ["matched", "coordinators"]),
                    major=rng.random() < 0.25,
                    status=status,
                    status_changed_at=times[-1],
                    created_at=created,
                )
            )
            hist.append(times)
        Need.objects.bulk_create(needs, batch_size=5000)
        rows = []
        for need, times in zip(needs, hist):
            prev = ""
            for st, at in zip(pipeline, times):
                rows.append(NeedStatusChange(need_id=need.pk, from_status=prev, to_status=st, at=at))
                prev = st
        NeedStatusChange.objects.bulk_create(rows, batch_size=10000)
        n_history = len(rows)
        try:  # bulk-created history skips NeedStatusChange.save(): build the funnel's stage facts
            from kechuang.needs.models import NeedStageFact
        except ImportError:  # code from before the stage facts (for a before/after run)
            pass
        else:
            NeedStageFact.rebuild()
        day0 = date(2024, 1, 1)
        Event.objects.bulk_create(
            [
                Event(
                    kind=rng.choice(
                        ["matchmaking", "symposium", "conference", "competition", "visit", "signing"]
                    ),
                    title=f"活动{i}",
                    start=start + timedelta(days=rng.randrange(1000)),
                    end=start + timedelta(days=1000),
                    district=rng.choice(districts + [None]),
                    scale=rng.randrange(50, 5000),
                )
                for i in range(1000)
            ]
        )
        Event.societies.through.objects.bulk_create(
            [
                Event.societies.through(event_id=pk, organisation_id=rng.choice(socs).pk)
                for pk in Event.objects.values_list("pk", flat=True)
            ]
        )
        visits = Visit.objects.bulk_create(
            [
                Visit(
                    title=f"走访{i}",
                    date=day0 + timedelta(days=rng.randrange(1000)),
                    district=rng.choice(areas),
                )
                for i in range(3000)
            ]
        )
        Visit.societies.through.objects.bulk_create(
            [Visit.societies.through(visit_id=v.pk, organisation_id=rng.choice(socs).pk) for v in visits]
        )
        VisitStop.objects.bulk_create(
            [VisitStop(visit=v, enterprise=e, findings="发现") for v in visits for e in rng.sample(ents, 3)]
        )
        agrs = Agreement.objects.bulk_create(
            [
                Agreement(
                    title=f"协议{i}",
                    kind=rng.choice(["tech_dev", "tech_service", "joint_base", "strategic"]),
                    amount=rng.randrange(10, 1000),
                    signed=day0 + timedelta(days=rng.randrange(1000)),
                )
                for i in range(n_agreements)
            ]
        )
        through = Agreement.parties.through
        Agreement.parties.through.objects.bulk_create(
            [
                through(agreement_id=a.pk, organisation_id=o.pk)
                for a in agrs
                for o in (rng.choice(socs), rng.choice(ents), rng.choice(unis))
            ]
        )
        Agreement.needs.through.objects.bulk_create(
            [Agreement.needs.through(agreement_id=a.pk, need_id=rng.choice(needs).pk) for a in agrs]
        )
        Milestone.objects.bulk_create(
            [Milestone(agreement=a, title="里程碑", due=a.signed + timedelta(days=90)) for a in agrs]
        )
        Base.objects.bulk_create(
            [
                Base(
                    kind=rng.choice(["transfer_base", "innovation_centre"]),
                    name=f"基地{i}",
                    society=rng.choice(socs),
                    host=rng.choice(unis),
                    district=rng.choice(districts),
                    unveiled=day0 + timedelta(days=rng.randrange(1000)),
                )
                for i in range(60)
            ]
        )
        mk = User.objects.create_user
        users = {
            "coordinator": mk("coordinator", password="x" * 12, role="coordinator"),
            "leadership": mk("leadership", password="x" * 12, role="leadership"),
            "district": mk("district", password="x" * 12, role="district", area=districts[0]),
        }
    return {"users": users, "seconds": time.perf_counter() - t0, "history": n_history}


def reuse(db: str) -> dict | None:
    """The users and sizes of an already generated database, or None when it is empty."""
    from kechuang.accounts.models import User
    from kechuang.needs.models import NeedStatusChange

    users = {
        u.username: u for u in User.objects.filter(username__in=["coordinator", "leadership", "district"])
    }
    if len(users) < 3:
        return None
    return {"users": users, "seconds": 0.0, "history": NeedStatusChange.objects.count()}


# --------------------------------------------------------------------------- the bare view
def _bare(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


def _urlpatterns():
    from django.contrib.auth.decorators import login_required
    from django.urls import include, path

    return [path("bench/bare/", login_required(_bare), name="bench-bare"), path("", include("config.urls"))]


def __getattr__(name):  # ROOT_URLCONF points at this module; build the patterns lazily after setup
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


def _invalidate(app: str | None = None):
    """Forget cached dashboard figures (as a write does); a no-op for code without the cache.
    ``app``: as a write to that app does (only the parts depending on it are recomputed)."""
    try:
        from kechuang.dashboard.cache import invalidate
    except ImportError:
        return
    if app is None:
        invalidate()
    else:
        invalidate(app)


# cache modes: what happened before each timed request
MODES = {
    "cold": None,  # every figure and part forgotten (as after a deploy / cache flush)
    "after agreement write": "followup",  # as recording an agreement does
    "after need write": "needs",  # as submitting or moving a need does
}


def measure(client, url: str, runs: int, *, cold: bool, app: str | None = None) -> dict:
    """Wall and CPU (of this process: the test client, Django and SQLite all run in it) per request.
    ``cold``: the figure cache is invalidated before every request (outside the timing); ``app``:
    only as a write to that app invalidates it."""
    client.get(url)  # warm-up (template compile, first connection; fills the cache for warm runs)
    walls, cpus = [], []
    for _ in range(runs):
        if cold:
            _invalidate(app)
        t, c = time.perf_counter(), time.process_time()
        resp = client.get(url)
        walls.append((time.perf_counter() - t) * 1000)
        cpus.append((time.process_time() - c) * 1000)
        assert resp.status_code == 200, (url, resp.status_code)
    return {
        "p50_ms": round(statistics.median(walls), 1),
        "p95_ms": round(p95(walls), 1),
        "cpu_p50_ms": round(statistics.median(cpus), 1),
        "cpu_p95_ms": round(p95(cpus), 1),
        "runs": runs,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--needs", type=int, default=100_000)
    ap.add_argument("--agreements", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--export-runs", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "dashboard.json"))
    ap.add_argument("--db", help="keep the generated SQLite file here and reuse it when it already has data")
    ap.add_argument("--only", default="", help="only the views whose label contains this text (and the bare view)")
    args = ap.parse_args()
    db = args.db or os.path.join(tempfile.mkdtemp(prefix="kechuang-bench-"), "bench.sqlite3")
    setup(db)
    from django.test import Client

    data = reuse(db) if args.db else None
    if data is None:
        print(f"generating {args.needs} needs, {args.agreements} agreements into {db} …", flush=True)
        data = generate(args.needs, args.agreements)
        print(f"generated in {data['seconds']:.1f} s ({data['history']} status-history rows)", flush=True)
    else:
        print(f"reusing {db} ({data['history']} status-history rows)", flush=True)
    cases = [
        ("bare view (login_required)", "coordinator", "/bench/bare/", args.runs),
        ("dashboard · city, all time (coordinator)", "coordinator", "/dashboard/", args.runs),
        ("dashboard · city, all time (leadership)", "leadership", "/dashboard/", args.runs),
        (
            "dashboard · one district, one year",
            "leadership",
            "/dashboard/?district=d3&start=2025-01-01&end=2025-12-31",
            args.runs,
        ),
        ("dashboard · district staff (own area)", "district", "/dashboard/", args.runs),
        ("briefing · Excel", "leadership", "/dashboard/briefing.xlsx", args.export_runs),
        ("briefing · PDF", "leadership", "/dashboard/briefing.pdf", args.export_runs),
    ]
    cases = [c for c in cases if c[2] == "/bench/bare/" or args.only in c[0]]
    try:
        import kechuang.dashboard.cache as dc

        parts = hasattr(dc, "_app_versions")  # per-app parts (ADR 0029-dashboard-aggregation)
        modes = ("cold", "after agreement write", "after need write", "warm") if parts else ("cold", "warm")
    except ImportError:
        modes = ("uncached",)
    load_before = os.getloadavg()
    results = []
    bare = None
    for label, role, url, runs in cases:
        c = Client()
        c.force_login(data["users"][role])
        for mode in ("-",) if url == "/bench/bare/" else modes:
            r = measure(c, url, runs, cold=mode != "warm", app=MODES.get(mode)) | {
                "view": label,
                "url": url,
                "role": role,
                "cache": mode,
            }
            if bare is None:
                bare = r["p95_ms"]
            r["x_bare"] = round(r["p95_ms"] / bare, 1) if bare else None
            results.append(r)
            print(f"  {label} [{mode}]: p95 {r['p95_ms']} ms (cpu {r['cpu_p95_ms']} ms)", flush=True)
    load_after = os.getloadavg()
    head = (
        "| view | cache | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms | × bare p95 | runs |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head] + [
        f"| {r['view']} | {r['cache']} | {r['p50_ms']} | {r['p95_ms']} | {r['cpu_p50_ms']} | {r['cpu_p95_ms']} "
        f"| {r['x_bare']} | {r['runs']} |"
        for r in results
    ]
    table = "\n".join(lines)
    print()
    print(table)
    meta = {
        "needs": args.needs,
        "agreements": args.agreements,
        "history_rows": data["history"],
        "database": "SQLite file (WAL)",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "generated_s": round(data["seconds"], 1),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
        "command": " ".join(["bench/dashboard/run.py", *sys.argv[1:]]),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        json.dumps({"meta": meta, "results": results, "table": table}, ensure_ascii=False, indent=2)
    )
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
