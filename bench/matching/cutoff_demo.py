"""The relevance cut-off of the suggestions page, measured on the demo database.

For every demo need with scenario labels (``kechuang.demo.scenario``: which experts are relevant),
rank experts, achievements and societies as the page does (``ranking.rank_for_need``) and report how
many suggestions the cut-off keeps in the main list and how many it folds under "更多（相关度较低）",
and — for experts, which have labels — the share of labelled-relevant experts above and below the fold.

    .venv/bin/python bench/matching/cutoff_demo.py [--json bench/results/matching-cutoff.json]

Needs the demo loaded in the dev database (``make run`` or ``manage.py demo``) and, for the dense and
learned signals, its vectors stored (``manage.py reindex``: the shipped demo vectors, nothing embedded).
Builds the indexes in this process (no background build). ``--lexical`` measures the keyword-only
fallback (min-max fusion). The table says which fusion ran.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "matching-cutoff.json")
    ap.add_argument("--cutoff", type=float, default=None, help="try another CUTOFF_RELATIVE")
    ap.add_argument("--lexical", action="store_true", help="keyword-only (no embedder): the min-max fallback")
    ap.add_argument("--seed", type=int, default=20201129, help="the demo's scenario seed")
    args = ap.parse_args()

    import django

    django.setup()
    from django.conf import settings

    settings.KECHUANG_INDEX_BUILD_IN_BACKGROUND = False
    if args.lexical:
        settings.KECHUANG_EMBEDDER = "lexical"
    from kechuang.demo.scenario import build_scenario
    from kechuang.experts.models import Expert
    from kechuang.matching import ranking
    from kechuang.needs.models import Need

    if args.cutoff is not None:
        ranking.CUTOFF_RELATIVE = args.cutoff
    s = build_scenario(args.seed)
    labels = s.get("labels") or {}
    names = {e["key"]: e.get("name", "") for e in s["experts"]}
    by_title = {n.title: n for n in Need.objects.select_related("enterprise", "chain")}
    expert_names = dict(Expert.objects.values_list("pk", "name"))
    per_kind: dict[str, dict[str, list]] = {k: {"strong": [], "weak": []} for k in ranking.TOP_K}
    hits = {"strong": [0, 0], "weak": [0, 0]}  # [labelled relevant, total] among experts
    dense_used = set()
    needs = 0
    for n in s["needs"]:
        need = by_title.get(n.get("title", ""))
        if need is None or not labels.get(n["key"]):
            continue
        needs += 1
        relevant = {names[k] for k in labels[n["key"]] if k in names}
        for kind in ranking.TOP_K:
            r = ranking.rank_for_need(need, kind)
            dense_used.add(f"{r.fusion}{'' if r.dense_used else ' (keyword-only)'}")
            per_kind[kind].setdefault("high", []).append(sum(1 for row in r.rows if row.band == "high"))
            per_kind[kind]["strong"].append(len(r.strong_rows))
            per_kind[kind]["weak"].append(len(r.weak_rows))
            if kind == "expert":
                for part, rows in (("strong", r.strong_rows), ("weak", r.weak_rows)):
                    hits[part][0] += sum(1 for row in rows if expert_names.get(row.obj.pk) in relevant)
                    hits[part][1] += len(rows)
    out = {
        "needs": needs,
        "cutoff_relative": ranking.CUTOFF_RELATIVE,
        "band_high": ranking.BAND_HIGH,
        "fusion": sorted(dense_used),
        "kinds": {},
        "expert_precision": {p: (h[0] / h[1] if h[1] else None) for p, h in hits.items()},
        "expert_counts": dict(hits),
    }
    print(f"demo needs with labels: {needs}; fusion: {sorted(dense_used)}; cut-off {ranking.CUTOFF_RELATIVE}")
    print(f"{'kind':<12}{'shown (median / min / max)':<30}{'folded (median)':<16}{'高 (median)'}")
    for kind, d in per_kind.items():
        if not d["strong"]:
            continue
        st, wk = d["strong"], d["weak"]
        out["kinds"][kind] = {
            "shown_median": statistics.median(st),
            "shown_min": min(st),
            "shown_max": max(st),
            "folded_median": statistics.median(wk),
            "no_strong": sum(1 for x in st if x == 0),
            "high_median": statistics.median(d["high"]),
        }
        print(
            f"{kind:<12}{f'{statistics.median(st)} / {min(st)} / {max(st)}':<30}{statistics.median(wk):<16}"
            f"{statistics.median(d['high'])}"
        )
    for p, (a, b) in hits.items():
        print(f"experts {p:<6}: {a}/{b} labelled relevant ({a / b:.0%})" if b else f"experts {p}: none")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
