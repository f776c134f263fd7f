"""Permission-matrix fragment for the events app (matchmaking meetings: participants, requests,
schedule, meetings, agendas and files).

own = the 领军集团 representative / the 材料学会 expert "own" / their meeting and request;
other = the 崂山 enterprise's representative / the 农机学会 expert / their meeting and request.
The event itself is a public programme item (everyone signed in sees it); coordinator-only actions
are 404 for everyone else; a visible object whose action the user may not take answers 302 with a
message; an invisible one is 404.
"""

from __future__ import annotations

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")
ALL = dict.fromkeys(ROLES[1:], 200) | {"anonymous": 302}
ALL_POST = dict.fromkeys(ROLES, 302)
COORD = dict.fromkeys(ROLES[1:], 404) | {"coordinator": 200, "anonymous": 302}
COORD_POST = dict.fromkeys(ROLES[1:], 404) | {"coordinator": 302, "anonymous": 302}

# participants: own visible to everyone (district: ent in 莱西), other only to coordinator/leadership
SCOPED = dict.fromkeys(("district", "enterprise", "liaison", "expert"), (200, 404)) | {
    "coordinator": (200, 200),
    "leadership": (200, 200),
    "anonymous": (302, 302),
}
SCOPED_POST = dict.fromkeys(("district", "enterprise", "liaison", "expert"), (302, 404)) | {
    "coordinator": (302, 302),
    "leadership": (302, 302),
    "anonymous": (302, 302),
}
EVENT = dict.fromkeys(ROLES, ("mm", "mm"))
OWN_OTHER = dict.fromkeys(ROLES, ("own", "other"))
PARTICIPANT = {
    "coordinator": ("rep_own", "rep_other"),
    "district": ("rep_own", "rep_other"),
    "enterprise": ("rep_own", "rep_other"),
    "liaison": ("exp_own", "exp_other"),
    "expert": ("exp_own", "exp_other"),
    "leadership": ("rep_own", "exp_other"),
    "anonymous": ("rep_own", "rep_other"),
}
OBJECTS = {
    "mm_event": EVENT,
    "mm_participant": PARTICIPANT,
    "mm_meeting": OWN_OTHER,
    "mm_request": OWN_OTHER,
    "mm_table": dict.fromkeys(ROLES, ("t1", "t1")),
    "mm_proposal": OWN_OTHER,
}

ENTRIES = {
    "events:list": ("get", None, ALL),
    "events:detail": ("get", "mm_event", ALL),
    "events:setup": ("get", "mm_event", COORD),
    "events:register_enterprise": ("post", "mm_event", ALL_POST),
    "events:register_expert": ("post", "mm_event", ALL_POST),
    "events:request_create": ("post", "mm_event", ALL_POST),
    "events:pair_rule": ("post", "mm_event", ALL_POST),
    "events:schedule": ("get", "mm_event", ALL),
    "events:generate": ("post", "mm_event", COORD_POST),
    "events:replan": ("post", "mm_event", COORD_POST),
    "events:walk_in": ("post", "mm_event", COORD_POST),
    "events:grid_pdf": ("get", "mm_event", ALL),
    "events:grid_xlsx": ("get", "mm_event", ALL),
    "events:agendas_pdf": ("get", "mm_event", ALL),
    "events:table_cards_pdf": ("get", "mm_event", COORD),
    "events:request_respond": ("post", "mm_request", SCOPED_POST),
    "events:request_priority": ("post", "mm_request", SCOPED_POST),
    "events:table_lose": ("post", "mm_table", COORD_POST),
    "events:meeting": ("get", "mm_meeting", SCOPED),
    "events:meeting_cancel": ("post", "mm_meeting", SCOPED_POST),
    "events:meeting_check_in": ("post", "mm_meeting", SCOPED_POST),
    "events:meeting_outcome": ("post", "mm_meeting", SCOPED_POST),
    "events:meeting_later": ("post", "mm_meeting", SCOPED_POST),
    "events:agenda": ("get", "mm_participant", SCOPED),
    "events:participant_check_in": ("post", "mm_participant", SCOPED_POST),
    "events:participant_cancel": ("post", "mm_participant", SCOPED_POST),
    "events:participant_unavailable": ("post", "mm_participant", SCOPED_POST),
    "events:participant_online": ("post", "mm_participant", SCOPED_POST),
    "events:met_proposals": ("get", None, COORD),
    "events:met_proposal_confirm": ("post", "mm_proposal", COORD_POST),
    "events:met_proposal_dismiss": ("post", "mm_proposal", COORD_POST),
    "events:agenda_pdf": ("get", "mm_participant", SCOPED),
    "events:agenda_live": ("get", "mm_participant", SCOPED),
    "events:agenda_xlsx": ("get", "mm_participant", SCOPED),
}
POST_DATA = {
    "events:meeting_outcome": {"outcome": "interested", "note": "双方约定下周到企业现场"},
    "events:meeting_later": {"later_outcome": "negotiating"},
    "events:request_priority": {"priority": "3"},
    "events:request_respond": {"accept": "1"},
    "events:participant_unavailable": {"slots": ["2"]},
    "events:participant_online": {"online_only": "1"},
    # destructive actions run only when confirmed (kechuang.core.confirm); unconfirmed they show a page
    "events:meeting_cancel": {"confirmed": "yes"},
    "events:participant_cancel": {"confirmed": "yes"},
    "events:table_lose": {"confirmed": "yes"},
}


def build(world) -> None:
    from datetime import date, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from kechuang.events.models import (
        Event,
        Meeting,
        MeetingDay,
        MeetingRequest,
        MeetingSeat,
        MetProposal,
        Participant,
        Table,
    )

    w = world
    tz = ZoneInfo("Asia/Shanghai")
    DAY = date.today() + timedelta(days=7)  # noqa: N806 - an upcoming meeting: past ones refuse requests
    ev = Event.objects.create(
        kind="matchmaking",
        title="矩阵对接会",
        start=datetime.combine(DAY, time(9), tzinfo=tz),
        end=datetime.combine(DAY, time(16), tzinfo=tz),
    )
    ev.societies.set([w.orgs["soc"], w.orgs["soc2"]])
    MeetingDay.objects.create(
        event=ev,
        date=DAY,
        morning_slots=2,
        afternoon_slots=1,
        afternoon_start=time(13),
        time_limit=5,
    )
    t1 = Table.objects.create(event=ev, number=1)
    t2 = Table.objects.create(event=ev, number=2)
    P = Participant.objects.create
    rep_own = P(event=ev, kind="enterprise", name="钱一", organisation=w.orgs["ent"])
    rep_own.needs.set([w.needs["pub_laixi"]])
    rep_other = P(event=ev, kind="enterprise", name="李三", organisation=w.orgs["ent2"])
    rep_other.needs.set([w.needs["pub_laoshan"]])
    exp_own = P(event=ev, kind="expert", name="王石墨", organisation=w.orgs["soc"], expert=w.experts["own"])
    exp_other = P(
        event=ev, kind="expert", name="李农机", organisation=w.orgs["soc2"], expert=w.experts["other"]
    )
    x = w.extra
    x["mm_event"] = {"mm": ev}
    x["mm_table"] = {"t1": t1}
    x["mm_participant"] = {
        "rep_own": rep_own,
        "rep_other": rep_other,
        "exp_own": exp_own,
        "exp_other": exp_other,
    }
    x["mm_meeting"], x["mm_request"], x["mm_proposal"] = {}, {}, {}
    for key, rep, exp, table in (("own", rep_own, exp_own, t1), ("other", rep_other, exp_other, t2)):
        m = Meeting.objects.create(
            event=ev, enterprise=rep, expert=exp, slot=1, table=table, need=rep.needs.first()
        )
        MeetingSeat.objects.bulk_create(
            [MeetingSeat(meeting=m, participant=p, event=ev, slot=1) for p in (rep, exp)]
        )
        x["mm_meeting"][key] = m
        x["mm_proposal"][key] = MetProposal.objects.create(
            event=ev, meeting=m, need=m.need, outcome="interested", proposed_by=w.users["expert"]
        )
        x["mm_request"][key] = MeetingRequest.objects.create(
            event=ev, enterprise=rep, expert=exp, direction="to_expert", status="pending"
        )
