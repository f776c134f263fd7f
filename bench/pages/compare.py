"""Two code trees side by side: bench/pages/calls.py run from each, alternately, for several users.

    KECHUANG_SQLITE_PATH=/tmp/demo.sqlite3 .venv/bin/python bench/pages/compare.py BEFORE_TREE AFTER_TREE \\
        [--users coordinator,ent-1,expert] [--rounds 3] [--repeat 10] [--lang zh-hans]

BEFORE_TREE and AFTER_TREE are checkouts with a ``.venv`` (e.g. ``git archive <commit> | tar -x -C /tmp/before``
and a symlink to this tree's ``.venv``). Both read the same database. Per user and page: function calls per
request (deterministic), and the median over the rounds of each round's CPU and wall ms medians (the
rounds alternate before/after, so a change of load on a shared machine hits both). Prints a Markdown table
and writes bench/results/pages-compare.json with the load average before and after. ADR 0051.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(tree: Path, user: str, repeat: int, lang: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        env = os.environ | {"BENCH_USER": user, "BENCH_REPEAT": str(repeat), "BENCH_LANG": lang, "BENCH_OUT": out.name}
        subprocess.run([str(tree / ".venv/bin/python"), str(tree / "bench/pages/calls.py")], env=env, check=True,
                       stdout=subprocess.DEVNULL, cwd=tree)
        return {p["page"]: p for p in json.loads(Path(out.name).read_text())["pages"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--users", default="coordinator,ent-1,expert")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--lang", default="zh-hans")
    a = ap.parse_args()
    load_before = os.getloadavg()
    results = []
    for user in a.users.split(","):
        runs = {"before": [], "after": []}
        for _ in range(a.rounds):
            for side, tree in (("before", a.before), ("after", a.after)):
                runs[side].append(run(tree, user, a.repeat, a.lang))
        for page, first in runs["before"][0].items():
            if "calls" not in first:  # a page this user may not open
                continue
            row = {"user": user, "page": page}
            for side in ("before", "after"):
                r = [x[page] for x in runs[side]]
                row[side] = {"calls": r[0]["calls"], "queries": r[0]["queries"],
                             "cpu_ms": round(statistics.median(x["cpu_ms_median"] for x in r), 1),
                             "wall_ms": round(statistics.median(x["wall_ms_median"] for x in r), 1)}
            results.append(row)
    print(f"| user | page | calls before | calls after | × | CPU ms before | CPU ms after | × | wall ms before | "
          f"wall ms after | queries before → after |\n|{'---|' * 11}")
    for r in results:
        b, f = r["before"], r["after"]
        print(f"| {r['user']} | {r['page']} | {b['calls']:,} | {f['calls']:,} | {f['calls'] / b['calls']:.2f} | "
              f"{b['cpu_ms']} | {f['cpu_ms']} | {f['cpu_ms'] / b['cpu_ms']:.2f} | {b['wall_ms']} | {f['wall_ms']} | "
              f"{b['queries']} → {f['queries']} |")
    load_after = os.getloadavg()
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
    out = ROOT / "bench" / "results" / "pages-compare.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"before": str(a.before), "after": str(a.after), "rounds": a.rounds, "repeat": a.repeat,
                               "language": a.lang, "load_average_before": load_before, "load_average_after": load_after,
                               "rows": results}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
