"""Load the scenario's ``events`` section (kept here so the core loader need not know events)."""

from __future__ import annotations

from datetime import datetime

from kechuang.events.models import Event


def load(s: dict, ctx: dict) -> None:
    orgs, areas = ctx["orgs"], ctx["areas"]
    ctx["events"] = {}
    for e in s.get("events", []):
        ev = Event.objects.create(
            kind=e["kind"],
            title=e["title"][:255],
            start=datetime.fromisoformat(e["start"]),
            end=datetime.fromisoformat(e["end"]),
            venue=e.get("venue", ""),
            description=e.get("description", ""),
            scale=e.get("scale"),
            district=areas.get(e.get("district")) if e.get("district") else None,
            is_demo=True,
        )
        ev.organisers.set([orgs[k] for k in e.get("organisers", []) if k in orgs])
        ev.societies.set([orgs[k] for k in e.get("societies", []) if k in orgs])
        ctx["events"][e["key"]] = ev
