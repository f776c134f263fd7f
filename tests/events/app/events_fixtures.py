"""Helpers for the events tests (imported by conftest.py and the tests): a small matchmaking meeting on top of the shared hand-countable world (tests/conftest.py):
a day of 4 morning + 2 afternoon slots, 3 tables, three enterprise representatives and three
experts from two societies, with accepted requests in both directions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from race import shared_build_world  # noqa: F401 - re-exported for the events tests

TZ = ZoneInfo("Asia/Shanghai")
# an upcoming meeting (a past one accepts no registrations or requests)
DAY = datetime.now(TZ).date() + timedelta(days=7)


@dataclass
class MM:
    event: object
    day: object
    tables: list
    reps: dict = field(default_factory=dict)
    experts: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)


def build_matchmaking(world, *, morning=4, afternoon=2, tables=3) -> MM:
    from kechuang.events.models import Event, MeetingDay, MeetingRequest, Participant, Table
    from kechuang.experts.models import Expert

    w = world
    ev = Event.objects.create(
        kind="matchmaking",
        title="测试对接会",
        start=datetime.combine(DAY, time(9), tzinfo=TZ),
        end=datetime.combine(DAY, time(16), tzinfo=TZ),
        venue="青岛国际会议中心",
        district=w.areas["laixi"],
    )
    ev.societies.set([w.orgs["soc"], w.orgs["soc2"]])
    day = MeetingDay.objects.create(
        event=ev,
        date=DAY,
        morning_start=time(9),
        morning_slots=morning,
        afternoon_start=time(13, 30),
        afternoon_slots=afternoon,
        slot_minutes=20,
        time_limit=10,
    )
    tbls = [Table.objects.create(event=ev, number=i, name=f"{i}号桌") for i in range(1, tables + 1)]
    third = Expert.objects.create(name="赵腐蚀", title="研究员", fields=["腐蚀防护"], keywords=["石墨烯涂层"])
    third.societies.add(w.orgs["soc"])
    w.experts["third"] = third
    mm = MM(ev, day, tbls)
    P = Participant
    mm.reps["a"] = P.objects.create(event=ev, kind="enterprise", name="钱一", organisation=w.orgs["ent"])
    mm.reps["a"].needs.set([w.needs["pub_laixi"], w.needs["conf_ent"]])
    mm.reps["b"] = P.objects.create(event=ev, kind="enterprise", name="孙二", organisation=w.orgs["ent"])
    mm.reps["b"].needs.set([w.needs["pub_zone"]])
    mm.reps["c"] = P.objects.create(
        event=ev, kind="enterprise", name="李三", organisation=w.orgs["ent2"], unavailable_slots=[1]
    )
    mm.reps["c"].needs.set([w.needs["pub_laoshan"]])
    for key, soc in (("own", "soc"), ("other", "soc2"), ("third", "soc")):
        ex = w.experts[key]
        mm.experts[key] = P.objects.create(
            event=ev, kind="expert", name=ex.name, organisation=w.orgs[soc], expert=ex, position=ex.title
        )
    for rep, ex, direction in (
        ("a", "own", "to_expert"),
        ("a", "third", "to_expert"),
        ("b", "own", "to_expert"),
        ("c", "other", "to_enterprise"),
        ("b", "third", "to_enterprise"),
    ):
        mm.requests.append(
            MeetingRequest.objects.create(
                event=ev,
                enterprise=mm.reps[rep],
                expert=mm.experts[ex],
                direction=direction,
                status="accepted",
                need=mm.reps[rep].needs.order_by("pk").first(),
            )
        )
    return mm


def pairs(event) -> set[tuple[str, str]]:
    from kechuang.events.models import Meeting

    return {
        (m.enterprise.name, m.expert.name)
        for m in Meeting.objects.filter(event=event, status="scheduled").select_related(
            "enterprise", "expert"
        )
    }
