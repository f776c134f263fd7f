"""Importer benchmark: needs and experts (with publications) from generated workbooks, with validation.

    .venv/bin/python bench/importer/run.py [--needs 10000] [--experts 50000] [--pubs 250000] [--quick] [--per-row]

Each step runs in its own process (so its peak memory is its own) against a throwaway SQLite file
database (WAL, as ``make run``). The baseline is the floor: streaming the same workbook with
openpyxl's read-only mode and touching every cell, measured in the same run. For each file we
report rows/s, wall and CPU seconds, peak RSS, and the ratio to the baseline; the needs are also
run at a fifth of the size, to show that memory stays flat as the file grows (the sheet is
streamed). Prints a table and writes bench/results/importer.json (importer-per-row.json with
``--per-row``: the per-row path, bulk=False, kept for comparison). Goal: 10k needs checked and
committed ≤ 20 s — one ``import_xlsx --commit`` run (the commit step), on CPU seconds (ADR 0041).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

CHAINS = [
    "新能源新材料",
    "现代农业与农机装备",
    "智能家电",
    "轨道交通装备",
    "海洋装备",
    "生物医药",
    "集成电路",
    "新能源汽车",
    "高端化工",
    "虚拟现实",
    "航空航天",
    "纺织服装",
    "食品饮料",
]
DISTRICTS = [
    "市南区",
    "市北区",
    "李沧区",
    "崂山区",
    "西海岸新区",
    "城阳区",
    "即墨区",
    "胶州市",
    "平度市",
    "莱西市",
]
WORDS = [
    "高镍正极",
    "石墨烯",
    "智能播种",
    "海水淡化",
    "轴承寿命",
    "视觉检测",
    "盐碱地改良",
    "氢燃料",
    "碳纤维",
    "芯片封装",
    "机器人焊接",
    "冷链保鲜",
    "工业互联网",
    "钠离子电池",
    "生物发酵",
    "复合材料",
    "激光熔覆",
]


def setup(db_path: str) -> None:
    """Test settings on a file database, but tasks queued as in production: the test settings run
    each task inline, so a commit's matching reindex (a background job for ``make run``/``make serve``
    and the command line) would be timed as part of the import. ``BENCH_INLINE_TASKS=1`` keeps that."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["KECHUANG_SQLITE_PATH"] = db_path
    os.environ["KECHUANG_DB"] = "sqlite"
    import django
    from django.conf import settings

    if os.environ.get("BENCH_INLINE_TASKS") != "1":
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    django.setup()


def world(n_enterprises: int = 500) -> None:
    from django.core.management import call_command
    from django.db import transaction

    from kechuang.accounts.models import Area, User
    from kechuang.orgs.models import IndustryChain, Organisation

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        city = Area.objects.create(code="qd", name="青岛市", kind="city")
        areas = [
            Area.objects.create(code=f"d{i}", name=n, kind="district", parent=city)
            for i, n in enumerate(DISTRICTS)
        ]
        chains = [IndustryChain.objects.create(code=f"c{i}", name=n) for i, n in enumerate(CHAINS)]
        Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"青岛{WORDS[i % len(WORDS)]}科技{i:04d}有限公司",
                    kind="enterprise",
                    district=areas[i % len(areas)],
                    chain=chains[i % len(chains)],
                )
                for i in range(n_enterprises)
            ]
            + [
                Organisation(name=f"中国{n}学会", kind="society")
                for n in ("材料研究", "农业机械", "机械工程", "化工", "电子", "海洋", "生物工程", "汽车工程")
            ]
        )
        User.objects.create_user("coord", role="coordinator", is_staff=True)  # no password: never logs in


def needs_book(path: Path, rows: int, n_enterprises: int = 500) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("需求")
    ws.append(["需求导入（基准测试生成）"])
    ws.append(
        [
            "需求企业",
            "项目名称",
            "需求类型",
            "行业领域/产业链",
            "地区",
            "需求背景",
            "需解决的主要技术难题",
            "期望实现的技术目标",
            "关键词",
            "预算下限（万元）",
            "预算上限（万元）",
            "期限",
            "保密级别",
        ]
    )
    for i in range(rows):
        e = i % n_enterprises
        w = WORDS[(i * 7) % len(WORDS)]
        ws.append(
            [
                f"青岛{WORDS[e % len(WORDS)]}科技{e:04d}有限公司",
                f"{w}关键技术攻关第{i}项",
                "技术攻关",
                CHAINS[e % len(CHAINS)],
                DISTRICTS[e % len(DISTRICTS)],
                f"企业在{w}方面扩产遇到瓶颈",
                f"需要解决{w}在规模化生产中的一致性、稳定性和成本问题，提升良品率和寿命",
                f"{w}指标达到国内领先",
                f"{w}、规模化",
                50,
                200,
                "2031-06-30",
                "公开",
            ]
        )
    wb.save(path)


def experts_book(path: Path, experts: int, pubs: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("专家")
    ws.append(["专家导入（基准测试生成）"])
    ws.append(["姓名", "性别", "职称", "工作单位", "所属学会", "研究领域", "关键词", "可对接状态", "简介"])
    for i in range(experts):
        w = WORDS[i % len(WORDS)]
        ws.append(
            [
                f"专家{i:06d}",
                "男" if i % 2 else "女",
                "教授",
                f"第{i % 300}研究院",
                "中国材料研究学会",
                f"{w}、材料",
                f"{w}",
                "可对接",
                f"长期从事{w}研究",
            ]
        )
    ws = wb.create_sheet("论文")
    ws.append(["论文（基准测试生成）"])
    ws.append(["专家姓名", "工作单位", "题名", "摘要", "期刊/会议", "年份"])
    for j in range(pubs):
        i = j % experts
        w = WORDS[j % len(WORDS)]
        ws.append(
            [
                f"专家{i:06d}",
                f"第{i % 300}研究院",
                f"{w}的机理与应用研究（{j}）",
                f"本文研究了{w}在工程中的应用，提出了新的制备方法，并验证了其稳定性。",
                "材料学报",
                2000 + j % 25,
            ]
        )
    wb.save(path)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(args) -> dict:
    """One measured step, in this (child) process."""
    setup(args.db)
    path = Path(args.file)
    t0, c0 = time.perf_counter(), time.process_time()
    if args.step == "baseline":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        rows = 0
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                rows += 1
                for _ in row:
                    pass
        wb.close()
        result = {"rows": rows, "ok": True}
    else:
        from django.contrib.auth import get_user_model

        from kechuang.intake.engine import run_import

        user = get_user_model().objects.get(username="coord")
        from kechuang.intake.workbook import DEFAULT_LIMITS

        # as `import_xlsx --max-rows 1000000` (an operator's run on the server): the page's 100,000-row
        # limit would refuse the 250,000-row 论文 sheet (ADR 0019)
        limits = dataclasses.replace(DEFAULT_LIMITS, max_rows=1_000_000)
        report = run_import(
            user, args.kind, path, commit=args.step == "commit", bulk=not args.per_row, limits=limits
        )
        result = {
            "rows": report.rows,
            "ok": report.ok,
            "errors": len(report.errors),
            "created": report.count("create"),
            "first_error": report.lines()[0] if not report.ok else "",
        }
    result |= {
        "wall_s": time.perf_counter() - t0,
        "cpu_s": time.process_time() - c0,
        "peak_rss_mb": rss_mb(),
        "load1": os.getloadavg()[0],
    }
    return result


def child(db: str, file: Path, stepname: str, kind: str, per_row: bool = False) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", stepname, "--db", db, "--file", str(file), "--kind", kind]
        + (["--per-row"] if per_row else []),
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"step {stepname} {kind} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--needs", type=int, default=10_000)
    p.add_argument("--experts", type=int, default=50_000)
    p.add_argument("--pubs", type=int, default=250_000)
    p.add_argument("--quick", action="store_true", help="2k needs, 2k experts, 10k publications")
    p.add_argument("--only", choices=["needs", "experts"], help="run only these files (e.g. experts at full size)")
    p.add_argument("--child")
    p.add_argument("--db")
    p.add_argument("--file")
    p.add_argument("--kind", default="needs")
    p.add_argument(
        "--per-row", action="store_true", help="the per-row path (bulk=False): every row through form and service"
    )
    args = p.parse_args()
    if args.child:
        args.step = args.child
        print(json.dumps(step(args)))
        return
    if args.quick:
        args.needs, args.experts, args.pubs = 2000, 2000, 10_000
    tmp = Path(tempfile.mkdtemp(prefix="kechuang-bench-import-"))
    db = str(tmp / "bench.sqlite3")
    setup(db)
    world()
    files = {}
    if args.only != "experts":
        for label, rows in (("needs-small", args.needs // 5), ("needs", args.needs)):
            files[label] = tmp / f"{label}.xlsx"
            needs_book(files[label], rows)
    if args.only != "needs":
        files["experts"] = tmp / "experts.xlsx"
        experts_book(files["experts"], args.experts, args.pubs)
    results = []
    for label, kind in (("needs-small", "needs"), ("needs", "needs"), ("experts", "experts")):
        if label not in files:
            continue
        base = child(db, files[label], "baseline", kind)
        row = {
            "file": label,
            "rows": base["rows"] - (2 if kind == "needs" else 4),
            "mb": files[label].stat().st_size / 1e6,
            "baseline": base,
        }
        for st in ("check", "commit"):
            row[st] = child(db, files[label], st, kind, args.per_row)
            if not row[st]["ok"]:
                raise SystemExit(f"{label} {st}: {row[st]['first_error']}")
        results.append(row)
    load = os.getloadavg()
    path = "per-row (bulk=False)" if args.per_row else "bulk"
    print(
        f"\nimporter benchmark, {path} path — {platform.node()}, {os.cpu_count()} cores, "
        f"load {load[0]:.1f}/{load[1]:.1f}"
    )
    print(
        f"{'file':12} {'rows':>8} {'MB':>6} {'step':8} {'wall s':>8} {'cpu s':>8} {'rows/s':>8} {'peak MB':>8} "
        f"{'×base':>7} {'load1':>6}"
    )
    for r in results:
        for st in ("baseline", "check", "commit"):
            m = r[st]
            ratio = m["wall_s"] / r["baseline"]["wall_s"]
            print(
                f"{r['file']:12} {r['rows']:>8} {r['mb']:>6.1f} {st:8} {m['wall_s']:>8.1f} {m['cpu_s']:>8.1f} "
                f"{r['rows'] / m['wall_s']:>8.0f} {m['peak_rss_mb']:>8.0f} {ratio:>7.1f} {m.get('load1', 0):>6.1f}"
            )
    needs = next((r for r in results if r["file"] == "needs"), None)
    goal = None
    if needs:
        # The goal is the import a user runs: `import_xlsx needs FILE --commit` checks every row and
        # commits in one run — the "commit" step here. It is judged on CPU seconds (what a quiet
        # machine's wall time would be; this shared 2-core box's wall time depends on the others'
        # load, printed beside it). A preview first (the page's 预览, the "check" step) is a second run.
        one, one_cpu = needs["commit"]["wall_s"], needs["commit"]["cpu_s"]
        both = needs["check"]["wall_s"] + needs["commit"]["wall_s"]
        both_cpu = needs["check"]["cpu_s"] + needs["commit"]["cpu_s"]
        goal = one_cpu <= 20 if args.needs == 10_000 else None
        print(
            f"needs checked and committed in one run (--commit): cpu {one_cpu:.1f} s, wall {one:.1f} s — goal "
            f"(10k ≤ 20 s, on CPU): {'met' if goal else 'NOT met' if goal is False else 'n/a (size differs)'}; "
            f"preview then commit (two runs): cpu {both_cpu:.1f} s, wall {both:.1f} s"
        )
    name = "importer" + ("-per-row" if args.per_row else "") + (f"-{args.only}" if args.only else "")
    out = ROOT / "bench" / "results" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {"path": path, "load": load, "cpus": os.cpu_count(), "results": results, "goal_met": goal},
            ensure_ascii=False,
            indent=1,
        )
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
