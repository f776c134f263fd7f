"""Load the scenario's ``events`` section (kept here so the core loader need not know events), and
set up the big 对接会 of the source story (``ev-matchmaking-main``): 16 tables, 15-minute slots
filling exactly the published afternoon (13:30–16:00, after the morning's symposium and before the
signing ceremony), 30+ enterprises with 50+ representatives bringing their needs, 4 experts from
each of the 10 societies, and meeting requests in both directions.

Everything is derived deterministically from the scenario (sorted keys, a fixed-seed RNG). The
schedule itself is not generated here: the coordinator does that in one click.
"""

from __future__ import annotations

import random
from datetime import datetime

from kechuang.events.models import Event, MeetingDay, MeetingRequest, Participant, Table
from kechuang.needs.models import NeedStatus

MAIN_EVENT = "ev-matchmaking-main"
SEED = 20201129
N_TABLES = 16
SLOT_MINUTES = 15
# online meetings (experts who cannot travel) get a room here (a fictitious address, like all demo data)
DEMO_VIDEO_ROOM = "https://meeting.kechuang.example/qd-duijiehui"
EXPERTS_PER_SOCIETY = 4
MAX_ENTERPRISES = 36
POSITIONS = ("技术总监", "研发中心主任", "总工程师", "副总经理", "技术部经理", "首席科学家")
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "建国志强海涛丽娟晓明伟红玉兰新华立军文静建平春梅国栋永刚桂芳宏伟秀英振华美玲俊杰慧敏德明雪梅"


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
    main = ctx["events"].get(MAIN_EVENT)
    if main is not None:
        load_matchmaking(s, ctx, main)
    from kechuang.events.demo_history import record_past_events

    record_past_events(s, ctx)  # the past 对接会 as they were held: participants, meetings, outcomes


def published_meeting_day(event: Event) -> MeetingDay:
    """The slot grid that fills the event's published time exactly: one session of
    ``SLOT_MINUTES`` slots from its start to its end (the programme says 13:30–16:00)."""
    tz = event.start.tzinfo
    start, end = event.start.astimezone(tz), event.end.astimezone(tz)
    minutes = int((end - start).total_seconds() // 60)
    n = minutes // SLOT_MINUTES
    if n < 1 or minutes % SLOT_MINUTES:
        raise ValueError(
            f"{event.title}: {minutes} minutes is not a whole number of {SLOT_MINUTES}-minute slots"
        )
    morning = start.hour < 12
    return MeetingDay.objects.create(
        event=event,
        date=start.date(),
        slot_minutes=SLOT_MINUTES,
        morning_start=start.time() if morning else MeetingDay._meta.get_field("morning_start").default,
        morning_slots=n if morning else 0,
        afternoon_start=start.time()
        if not morning
        else MeetingDay._meta.get_field("afternoon_start").default,
        afternoon_slots=0 if morning else n,
        video_link=DEMO_VIDEO_ROOM,
    )


def _person(rng: random.Random, used: set[str]) -> str:
    for _ in range(50):
        given = "".join(rng.sample(GIVEN, 2)) if rng.random() < 0.7 else rng.choice(GIVEN)
        name = rng.choice(SURNAMES) + given
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("name pool exhausted")  # pragma: no cover


def load_matchmaking(s: dict, ctx: dict, event: Event) -> dict:
    """Tables, the slot grid, participants and requests of the main 对接会."""
    from kechuang.events.affinity import AffinityCache, affinity, best_need

    rng = random.Random(SEED)  # noqa: S311 - a reproducible demo, not a secret
    orgs, needs, experts, users = ctx["orgs"], ctx["needs"], ctx["experts"], ctx["users"]
    day = published_meeting_day(event)
    n_slots = day.n_slots
    Table.objects.bulk_create([Table(event=event, number=i, name=f"{i}号桌") for i in range(1, N_TABLES + 1)])

    # enterprises with needs submitted before the meeting, the primary demo enterprise first
    by_ent: dict[str, list[dict]] = {}
    for n in s["needs"]:
        if n["status"] in NeedStatus.EVENT_BRINGABLE:
            by_ent.setdefault(n["enterprise"], []).append(n)
    ent_keys = sorted(by_ent, key=lambda k: (k != "ent-lingjun", -len(by_ent[k]), k))[:MAX_ENTERPRISES]
    user_by_org = {}
    for u in users.values():
        if u.role == "enterprise" and u.organisation_id and u.organisation_id not in user_by_org:
            user_by_org[u.organisation_id] = u
    if "u-enterprise" in users:
        user_by_org[users["u-enterprise"].organisation_id] = users["u-enterprise"]
    used: set[str] = set()
    reps: list[tuple[Participant, list]] = []
    for i, key in enumerate(ent_keys):
        org = orgs[key]
        ns = sorted(by_ent[key], key=lambda n: n["key"])
        n_reps = 2 if (len(ns) >= 2 and (i % 3 != 2 or len(ns) >= 3)) else 1
        for r in range(n_reps):
            mine = ns[r::n_reps]
            user = user_by_org.get(org.pk) if r == 0 else None
            name = (user.display_name.split("（")[0] if user and user.display_name else "") or _person(
                rng, used
            )
            used.add(name)
            unavailable = []
            if (i + r) % 9 == 4:
                unavailable = list(range(n_slots - 3, n_slots + 1))  # leaves an hour early
            elif (i + r) % 11 == 7:
                unavailable = [1, 2]  # arrives late
            p = Participant(
                event=event,
                kind=Participant.Kind.ENTERPRISE,
                name=name,
                position=POSITIONS[(i + r) % len(POSITIONS)],
                organisation=org,
                user=user,
                unavailable_slots=unavailable,
            )
            reps.append((p, [needs[n["key"]] for n in mine]))
    Participant.objects.bulk_create([p for p, _ in reps])
    through = Participant.needs.through
    through.objects.bulk_create(
        [through(participant_id=p.pk, need_id=n.pk) for p, ns in reps for n in ns],
    )

    # experts: the first available ones of each society (the primary demo expert included)
    primary = users["u-expert"].expert_id if "u-expert" in users else None
    expert_users = {u.expert_id: u for u in users.values() if u.expert_id}
    chosen: list[Participant] = []
    taken: set[int] = set()
    for soc_key in [k for k in s["events"] if k["key"] == MAIN_EVENT][0]["societies"]:
        soc = orgs[soc_key]
        pool = sorted(
            (
                e
                for e in s["experts"]
                if soc_key in e["societies"]
                and e.get("availability") != "unavailable"
                and experts[e["key"]].pk not in taken
            ),
            key=lambda e: (experts[e["key"]].pk != primary, e.get("availability") == "limited", e["key"]),
        )[:EXPERTS_PER_SOCIETY]
        for j, e in enumerate(pool):
            ex = experts[e["key"]]
            taken.add(ex.pk)
            chosen.append(
                Participant(
                    event=event,
                    kind=Participant.Kind.EXPERT,
                    name=ex.name,
                    position=ex.title,
                    organisation=soc,
                    expert=ex,
                    user=expert_users.get(ex.pk),
                    unavailable_slots=[n_slots - 1, n_slots]
                    if j == 3
                    else ([1] if j == 2 and len(chosen) % 3 == 0 else []),
                )
            )
    Participant.objects.bulk_create(chosen)
    liaisons = [
        Participant(
            event=event,
            kind=Participant.Kind.LIAISON,
            name=u.display_name.split("（")[0],
            position="学会联络员",
            organisation_id=u.organisation_id,
            user=u,
        )
        for u in sorted(users.values(), key=lambda u: u.username)
        if u.role == "liaison"
        and u.organisation_id in {orgs[k].pk for k in orgs if k.startswith("soc-")}
        and (u.username == "liaison" or u.username.startswith("liaison-"))
    ]
    seen_soc: set[int] = set()
    liaisons = [p for p in liaisons if not (p.organisation_id in seen_soc or seen_soc.add(p.organisation_id))]
    Participant.objects.bulk_create(liaisons)

    # requests: each representative asks its best three experts; each expert invites one enterprise
    rep_objs = list(
        Participant.objects.filter(event=event, kind="enterprise").prefetch_related("needs__chain")
    )
    ex_objs = list(Participant.objects.filter(event=event, kind="expert").select_related("expert"))
    cache = AffinityCache(rep_objs, ex_objs)
    score = {(r.pk, x.pk): affinity(r, x, cache) for r in rep_objs for x in ex_objs}
    coordinator = users.get("u-coordinator")
    reqs: dict[tuple[int, int], MeetingRequest] = {}
    for k, rep in enumerate(rep_objs):
        if k % 7 == 5:
            continue  # a few representatives ask nobody: the matching engine proposes for them
        ranked = sorted(ex_objs, key=lambda x: (-score[rep.pk, x.pk], x.pk))
        for j, ex in enumerate(ranked[:3]):
            if score[rep.pk, ex.pk] <= 0:
                continue
            status = "accepted"
            if (k + j) % 10 == 3:
                status = "pending"
            elif (k + j) % 13 == 6:
                status = "declined"
            reqs[rep.pk, ex.pk] = MeetingRequest(
                event=event,
                enterprise=rep,
                expert=ex,
                need=best_need(rep, ex, cache),
                direction="to_expert",
                status=status,
                priority=3 if j == 0 and k % 4 == 0 else 2,
                message="希望就会前提交的需求当面请教。",
                created_by=rep.user,
                responded_by=coordinator if status != "pending" else None,
            )
    for k, ex in enumerate(ex_objs):
        ranked = sorted(rep_objs, key=lambda r: (-score[r.pk, ex.pk], r.pk))
        for rep in ranked[:3]:
            if (rep.pk, ex.pk) in reqs or score[rep.pk, ex.pk] <= 0:
                continue
            reqs[rep.pk, ex.pk] = MeetingRequest(
                event=event,
                enterprise=rep,
                expert=ex,
                need=best_need(rep, ex, cache),
                direction="to_enterprise",
                status="pending" if k % 6 == 1 else "accepted",
                priority=2,
                message="我们的成果与贵企业需求相关，希望面谈。",
                created_by=ex.user,
            )
            break
    MeetingRequest.objects.bulk_create(reqs.values())
    return {"representatives": len(rep_objs), "experts": len(ex_objs), "requests": len(reqs)}
