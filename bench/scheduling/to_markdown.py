"""Render bench/results/scheduling.json as the markdown tables used in docs/benchmarks.md."""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _f(v) -> str:
    return "–" if v is None else str(v)


def render(data: dict) -> str:
    out = []
    rows = data.get("b2b", [])
    if rows:
        out.append(
            "| instance | P/M/S/T | status | breaks | bound | wall s | CPU s | load | published | match "
            "| plain CP-SAT (breaks/bound/wall s/CPU s) |"
        )
        out.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            b = r.get("baseline")
            base = (
                f"{b['status']} {_f(b['breaks'])}/{_f(b['bound'])}/{b['seconds']}/{_f(b.get('cpu_seconds'))}"
                if b
                else ""
            )
            match = "" if "published" not in r else ("yes" if r["matches_published"] else "**no**")
            status = r["status"] + (f" ({r['rule']})" if r.get("rule") else "")
            out.append(
                f"| {r['instance']} | {r['size']} | {status} | {_f(r['breaks'])} | {_f(r['bound'])} | "
                f"{r['seconds']} | {_f(r.get('cpu_seconds'))} | {_f(r.get('load_average'))} | "
                f"{_f(r.get('published'))} | {match} | {base} |"
            )
        out.append("")
        out.append("Summary: `" + json.dumps(data.get("b2b_summary", {})) + "`")
        out.append("")
    sel = data.get("selection", [])
    if sel:
        out.append(
            "| selection | rows×cols | K | L | ours (flow) | s | LP optimum (HiGHS) | s | flow, costs/100 | s | ours = LP |"
        )
        out.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in sel:
            lp = "–" if r["lp_optimum"] is None else f"{r['lp_optimum']:.4f}"
            out.append(
                f"| {r['instance']} | {r['shape'][0]}×{r['shape'][1]} | {r['demand']} | {r['capacity']} | "
                f"{r['ours_total']:.4f} | {r['ours_seconds']} | {lp} | {r['lp_seconds']} | "
                f"{r['coarse_flow_total']:.4f} | {r['coarse_flow_seconds']} | {'yes' if r['ours_equals_lp'] else 'no'} |"
            )
    return "\n".join(out)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "bench" / "results" / "scheduling.json"
    print(render(json.loads(path.read_text(encoding="utf-8"))))
