"""Load the scenario's ``visits``, ``agreements`` and ``bases`` sections (runs after the events loader).

Demo rows are inserted directly (like the core loader), not through the services: the scenario's needs
already carry their full history, so replaying transitions would duplicate it.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from kechuang.followup.models import Agreement, Base, BaseService, Milestone, Visit, VisitStop


def _d(s: str) -> date:
    return date.fromisoformat(s)


def load(s: dict, ctx: dict) -> None:
    orgs, areas, experts, needs = ctx["orgs"], ctx["areas"], ctx["experts"], ctx["needs"]
    events = ctx.get("events", {})
    users = ctx.get("users", {})
    coord = users.get("u-coordinator") or next((u for u in users.values() if u.role == "coordinator"), None)
    today = _d(s["meta"]["today"]) if s.get("meta", {}).get("today") else timezone.localdate()
    visit_events = {e.start.date(): e for e in events.values() if e.kind == "visit"}

    visits: dict[str, Visit] = {}
    stops_by_ent: dict[int, list[VisitStop]] = {}
    for v in s.get("visits", []):
        day = _d(v["date"])
        visit = Visit.objects.create(
            title=v["title"][:200],
            date=day,
            park=orgs.get(v["park"]) if v.get("park") else None,
            district=areas[v["district"]],
            event=visit_events.get(day),
            planned_by=coord,
            is_demo=True,
        )
        visit.experts.set([experts[k] for k in v.get("experts", []) if k in experts])
        visit.societies.set([orgs[k] for k in v.get("societies", []) if k in orgs])
        at = timezone.make_aware(datetime.combine(day, time(17, 0)))
        stops = VisitStop.objects.bulk_create(
            [
                VisitStop(
                    visit=visit,
                    enterprise=orgs[st["enterprise"]],
                    order=st["order"],
                    minutes=st["minutes"],
                    findings=st.get("findings", ""),
                    recommendations=st.get("recommendations", ""),
                    urgency=st.get("urgency", ""),
                    diagnosed_by=coord if st.get("findings") else None,
                    diagnosed_at=at if st.get("findings") else None,
                )
                for st in v.get("stops", [])
            ]
        )
        for st in stops:
            stops_by_ent.setdefault(st.enterprise_id, []).append(st)
        visits[v["key"]] = visit
    # needs "found on a visit": link each to the latest earlier visit stop at the same enterprise
    for need in needs.values():
        if need.source != "visit":
            continue
        earlier = [
            st for st in stops_by_ent.get(need.enterprise_id, []) if st.visit.date <= need.created_at.date()
        ]
        if earlier:
            max(earlier, key=lambda st: st.visit.date).needs.add(need)

    agreements: dict[str, Agreement] = {}
    for a in s.get("agreements", []):
        linked = [needs[k] for k in a.get("needs", []) if k in needs]
        title = a["title"]
        for n in linked:  # a demo title quotes the need; never quote a confidential one
            if n.is_confidential:
                title = title.replace(f"“{n.title[:18]}”", "（保密项目）")
        signed = _d(a["signed"])
        agr = Agreement.objects.create(
            title=title[:255],
            kind=a["kind"],
            amount=Decimal(a["amount"]) if a.get("amount") is not None else None,
            signed=signed,
            event=events.get(a["event"]) if a.get("event") else None,
            recorded_by=coord,
            is_demo=True,
        )
        parties = [orgs[k] for k in a["parties"] if k in orgs]
        agr.parties.set(parties)
        agr.needs.set(linked)
        party_ids = {p.pk for p in parties}
        agr_visits = [
            st.visit for pid in party_ids for st in stops_by_ent.get(pid, []) if st.visit.date <= signed
        ]
        agr.visits.set(set(agr_visits))
        # experts: those who visited a party enterprise and belong to a party society
        soc_ids = {p.pk for p in parties if p.kind == "society"}
        team = {
            e.pk
            for v in agr_visits
            for e in v.experts.all()
            if soc_ids & set(e.societies.values_list("pk", flat=True))
        }
        agr.experts.set(team)
        Milestone.objects.bulk_create(
            [
                Milestone(
                    agreement=agr,
                    title=m["title"][:200],
                    due=_d(m["due"]),
                    done_on=min(_d(m["due"]), today) if m.get("done") else None,
                )
                for m in a.get("milestones", [])
            ]
        )
        agreements[a["key"]] = agr

    bases: dict[str, Base] = {}
    for b in s.get("bases", []):
        society, host = orgs[b["society"]], orgs[b["host"]]
        agr = next(
            (
                x
                for x in agreements.values()
                if x.kind == "joint_base"
                and {society.pk, host.pk} <= set(x.parties.values_list("pk", flat=True))
            ),
            None,
        )
        base = Base.objects.create(
            kind=b["kind"],
            name=b["name"][:200],
            society=society,
            host=host,
            district=areas[b["district"]],
            unveiled=_d(b["unveiled"]),
            agreement=agr,
            recorded_by=coord,
            is_demo=True,
        )
        BaseService.objects.bulk_create(
            [
                BaseService(base=base, date=_d(x["date"]), kind=x["kind"], title=x["title"][:255])
                for x in b.get("services", [])
            ]
        )
        bases[b["key"]] = base
    ctx.update(visits=visits, agreements=agreements, bases=bases)
