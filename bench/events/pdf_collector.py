"""The events' PDFs with the cyclic collector on (as before ADR 0060) and off (as shipped), alternated.

    KECHUANG_SQLITE_PATH=/tmp/demo.sqlite3 .venv/bin/python bench/events/pdf_collector.py [--rounds 3]

On a database with the demo loaded (``manage.py demo``): the all-agendas PDF (one page per participant)
and the master grid of the event with the most participants, as the coordinator. The HTML is rendered
once; each round times WeasyPrint on it with the collector on, then off (process CPU seconds). Prints
a table and writes bench/results/events-pdf-collector.json (or ``--out``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "events-pdf-collector.json"))
    args = ap.parse_args()
    import django

    django.setup()
    from django.db.models import Count
    from weasyprint import HTML

    from kechuang.accounts.models import User
    from kechuang.events import exports
    from kechuang.events.models import Event

    event = Event.objects.annotate(n=Count("participants")).order_by("-n").first()
    if event is None:
        raise SystemExit("no event: load the demo first (manage.py demo)")
    user = User.objects.get(username="coordinator")
    participants = list(event.participants.all())
    pages = {
        "all agendas": exports.agendas_html(user, participants),
        "master grid": exports.grid_html(user, event),
    }
    rows, out = [], []
    for name, html in pages.items():
        HTML(string=html).write_pdf()  # fonts and stylesheets loaded once, outside the timing
        times: dict[str, list[float]] = {"on (before)": [], "off (shipped)": []}
        for _ in range(args.rounds):
            for mode in times:
                if mode.startswith("off"):
                    gc.disable()
                try:
                    t = time.process_time()
                    HTML(string=html).write_pdf()
                    times[mode].append(time.process_time() - t)
                finally:
                    gc.enable()
        before, after = (statistics.median(v) for v in times.values())
        rows.append(f"| {name} | {len(participants)} | {before:.2f} | {after:.2f} | {after / before:.2f} |")
        out.append({"pdf": name, "participants": len(participants), "collector_on_cpu_s": times["on (before)"],
                    "collector_off_cpu_s": times["off (shipped)"], "ratio": round(after / before, 3)})
    table = "| PDF | participants | collector on, CPU s (median) | off | off / on |\n|---|---:|---:|---:|---:|\n"
    print(table + "\n".join(rows))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"event": event.title, "rounds": args.rounds, "results": out,
                                          "loadavg": os.getloadavg()}, ensure_ascii=False, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
