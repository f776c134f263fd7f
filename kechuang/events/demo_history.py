"""The demo's past 对接会, recorded as they were held: the description says "N位专家与M家企业开展一对一洽谈",
so the event gets those N experts and M enterprises (one representative each), a slot grid inside the
published times, one table per expert, the one-to-one meetings (checked in, outcome recorded), and the
needs whose history says "在…上与专家面对面洽谈" get their meeting with an expert recommended for them.

Deterministic: no random draws except a fixed-seed RNG for invented representative names.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from kechuang.events.models import Event, Meeting, MeetingDay, MeetingSeat, Participant, Table

SLOT_MINUTES = 20
SEED = 20201130
POSITIONS = ("技术总监", "研发中心主任", "总工程师", "副总经理", "技术部经理")
OUTCOMES = (Meeting.Outcome.FOLLOW_UP, Meeting.Outcome.INTERESTED, Meeting.Outcome.NOT_RELEVANT)
NOTES = {
    Meeting.Outcome.INTERESTED: "双方有合作意向，会后交换技术资料。",
    Meeting.Outcome.FOLLOW_UP: "约定会后由专家团队赴企业现场进一步调研。",
    Meeting.Outcome.NOT_RELEVANT: "需求与专家研究方向不完全对口，建议另行匹配。",
}


def record_past_events(s: dict, ctx: dict) -> None:
    events = ctx["events"]
    experts, needs, orgs, users = ctx["experts"], ctx["needs"], ctx["orgs"], ctx["users"]
    recorder = users.get("u-coordinator")
    rng = random.Random(SEED)  # noqa: S311 - a reproducible demo, not a secret
    from kechuang.events.demo_loader import GIVEN, SURNAMES

    # which needs met at which event, and with whom (the experts recommended for them)
    met_at: dict[str, list[tuple[dict, list[str]]]] = {}
    for n in s["needs"]:
        recommended: list[str] = []
        for h in n["history"]:
            if h["status"] == "matched":
                recommended = h.get("experts", [])
            if h.get("event"):
                met_at.setdefault(h["event"], []).append((n, recommended))
    ent_user = {}
    for u in sorted(users.values(), key=lambda u: u.username):
        if u.role == "enterprise" and u.organisation_id:
            ent_user.setdefault(u.organisation_id, u)
    if "u-enterprise" in users:  # the demo's enterprise login represents its own enterprise
        ent_user[users["u-enterprise"].organisation_id] = users["u-enterprise"]
    expert_user = {u.expert_id: u for u in users.values() if u.expert_id}
    expert_socs = {e["key"]: e["societies"] for e in s["experts"]}
    used_names: set[str] = set()
    needs_of: dict[str, list[dict]] = {}
    for n in sorted(s["needs"], key=lambda n: n["key"]):
        needs_of.setdefault(n["enterprise"], []).append(n)

    def person() -> str:
        while True:
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
            if name not in used_names:
                used_names.add(name)
                return name

    for e in s["events"]:
        held = e.get("held")
        if not held or e["key"] not in events:
            continue
        event: Event = events[e["key"]]
        start = datetime.fromisoformat(e["start"])
        end = datetime.fromisoformat(e["end"])
        n_slots = max(1, int((end - start).total_seconds() // 60 // SLOT_MINUTES) - 1)
        morning = start.hour < 12
        day = MeetingDay.objects.create(
            event=event,
            date=start.date(),
            slot_minutes=SLOT_MINUTES,
            morning_start=start.time() if morning else MeetingDay._meta.get_field("morning_start").default,
            morning_slots=n_slots if morning else 0,
            afternoon_start=start.time()
            if not morning
            else MeetingDay._meta.get_field("afternoon_start").default,
            afternoon_slots=0 if morning else n_slots,
        )

        # experts: those who met a need here first, then the society's experts of the event's topic
        socs = e["societies"]
        chosen: list[str] = []
        for _n, rec in met_at.get(e["key"], []):
            for k in rec:
                if any(sk in socs for sk in expert_socs.get(k, ())):
                    if k not in chosen:
                        chosen.append(k)
                    break
        pool = [
            x["key"]
            for x in s["experts"]
            if x.get("availability") != "unavailable" and set(x["societies"]) & set(socs)
        ]
        for k in pool:
            if len(chosen) >= held["experts"]:
                break
            if k not in chosen:
                chosen.append(k)
        chosen = chosen[: held["experts"]]

        # enterprises: those whose need met here first, then enterprises of the event's district and topic
        ent_keys: list[str] = []
        for n, _rec in met_at.get(e["key"], []):
            if n["enterprise"] not in ent_keys:
                ent_keys.append(n["enterprise"])
        ents = {o["key"]: o for o in s["organisations"] if o["kind"] == "enterprise"}
        others = sorted(
            ents,
            key=lambda k: (
                ents[k].get("district") != e.get("district"),
                ents[k].get("chain") != held.get("chain"),
                k,
            ),
        )
        for k in others:
            if len(ent_keys) >= held["enterprises"]:
                break
            if k not in ent_keys:
                ent_keys.append(k)
        ent_keys = ent_keys[: held["enterprises"]]

        arrived = start
        tables = Table.objects.bulk_create(
            [Table(event=event, number=i, name=f"{i}号桌") for i in range(1, len(chosen) + 1)]
        )
        ex_parts = Participant.objects.bulk_create(
            [
                Participant(
                    event=event,
                    kind=Participant.Kind.EXPERT,
                    name=experts[k].name,
                    position=experts[k].title,
                    organisation=orgs[next(sk for sk in expert_socs[k] if sk in socs)],
                    expert=experts[k],
                    user=expert_user.get(experts[k].pk),
                    arrived_at=arrived,
                )
                for k in chosen
            ]
        )
        reps = []
        for i, k in enumerate(ent_keys):
            org = orgs[k]
            u = ent_user.get(org.pk)
            name = (u.display_name.split("（")[0] if u and u.display_name else "") or person()
            reps.append(
                Participant(
                    event=event,
                    kind=Participant.Kind.ENTERPRISE,
                    name=name,
                    position=POSITIONS[i % len(POSITIONS)],
                    organisation=org,
                    user=u,
                    arrived_at=arrived,
                )
            )
        reps = Participant.objects.bulk_create(reps)
        rep_of = {p.organisation_id: p for p in reps}
        ex_of = {p.expert_id: p for p in ex_parts}
        table_of = {p.pk: t for p, t in zip(ex_parts, tables, strict=True)}

        # the meetings: first the needs that met here, then every representative meets two experts
        wanted: list[tuple[Participant, Participant, object, bool]] = []
        brought: dict[int, set[int]] = {}
        for n, rec in met_at.get(e["key"], []):
            rep = rep_of.get(orgs[n["enterprise"]].pk)
            ex = next((ex_of[experts[k].pk] for k in rec if experts[k].pk in ex_of), None)
            if rep is None or ex is None:
                continue
            wanted.append((rep, ex, needs[n["key"]], True))
            brought.setdefault(rep.pk, set()).add(needs[n["key"]].pk)
        for i, rep in enumerate(reps):
            for j in range(2):
                ex = ex_parts[(i + j * 3) % len(ex_parts)]
                wanted.append((rep, ex, None, False))
        busy: set[tuple[int, int]] = set()
        pairs: set[tuple[int, int]] = set()
        meetings: list[Meeting] = []
        for rep, ex, need, from_need in wanted:
            if (rep.pk, ex.pk) in pairs:
                continue
            slot = next(
                (t for t in range(1, n_slots + 1) if (rep.pk, t) not in busy and (ex.pk, t) not in busy), None
            )
            if slot is None:
                continue
            busy |= {(rep.pk, slot), (ex.pk, slot)}
            pairs.add((rep.pk, ex.pk))
            outcome = Meeting.Outcome.INTERESTED if from_need else OUTCOMES[len(meetings) % len(OUTCOMES)]
            at = day.slot_start(slot).replace(tzinfo=start.tzinfo)
            meetings.append(
                Meeting(
                    event=event,
                    enterprise=rep,
                    expert=ex,
                    need=need,
                    slot=slot,
                    table=table_of[ex.pk],
                    checked_in_at=at,
                    outcome=outcome,
                    outcome_note=NOTES[outcome],
                    outcome_at=at + timedelta(minutes=SLOT_MINUTES),
                    outcome_by=recorder,
                )
            )
        meetings = Meeting.objects.bulk_create(meetings)
        MeetingSeat.objects.bulk_create(
            [
                MeetingSeat(meeting=m, participant=p, event=event, slot=m.slot)
                for m in meetings
                for p in (m.enterprise, m.expert)
            ]
        )
        # every representative brings its enterprise's needs that were open then (at most two)
        for rep_key in ent_keys:
            rep = rep_of[orgs[rep_key].pk]
            mine = brought.setdefault(rep.pk, set())
            for n in needs_of.get(rep_key, []):
                if len(mine) >= 2:
                    break
                t0 = datetime.fromisoformat(n["history"][0]["at"])
                ended = any(
                    h["status"] in ("returned", "closed") and datetime.fromisoformat(h["at"]) < start
                    for h in n["history"]
                )
                if t0 < start and not ended:
                    mine.add(needs[n["key"]].pk)
        through = Participant.needs.through
        through.objects.bulk_create(
            [through(participant_id=pk, need_id=nid) for pk, ids in brought.items() for nid in sorted(ids)]
        )
