"""Scopes: enterprises see their own participation and meetings, liaisons their society's,
experts their own; district staff their area; leadership reads everything."""

from __future__ import annotations

import pytest

from kechuang.events import selectors, services


@pytest.fixture
def scheduled(world, mm):
    services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    return mm


def _names(qs):
    return {(m.enterprise.name, m.expert.name) for m in qs}


def test_meeting_scopes(world, scheduled):
    mm = scheduled
    u = world.users
    everything = _names(selectors.meeting_list(user=u["coordinator"], event=mm.event))
    assert _names(selectors.meeting_list(user=u["leadership"], event=mm.event)) == everything
    ent = _names(selectors.meeting_list(user=u["enterprise"], event=mm.event))
    assert ent and all(e in ("钱一", "孙二") for e, _x in ent)
    liaison = _names(selectors.meeting_list(user=u["liaison"], event=mm.event))
    assert liaison and all(x in ("王石墨", "赵腐蚀") for _e, x in liaison)  # 材料学会's experts
    expert = _names(selectors.meeting_list(user=u["expert"], event=mm.event))
    assert expert and all(x == "王石墨" for _e, x in expert)
    # the event is in 莱西: district staff of 莱西 see its meetings
    assert _names(selectors.meeting_list(user=u["district"], event=mm.event)) == everything


def test_participant_scopes(world, scheduled):
    mm = scheduled
    u = world.users
    see = lambda role: {p.name for p in selectors.participant_list(user=u[role], event=mm.event)}  # noqa: E731
    assert see("enterprise") == {"钱一", "孙二", "王石墨", "李农机", "赵腐蚀"}  # its reps + the experts
    assert see("liaison") == {"王石墨", "赵腐蚀", "钱一", "孙二", "李三"}  # its experts + the enterprises
    assert see("expert") == {"王石墨", "钱一", "孙二", "李三"}
    mm.event.district = world.areas["laoshan"]
    mm.event.save()
    assert see("district") == {"钱一", "孙二"}  # not its area's event: only its area's enterprises


def test_schedule_page_for_roles(world, scheduled, client_for):
    mm = scheduled
    page = client_for("enterprise").get(f"/events/{mm.event.pk}/schedule/").content.decode()
    assert "钱一" in page and "李三" not in page and "一键生成排期" not in page
    page = client_for("coordinator").get(f"/events/{mm.event.pk}/schedule/").content.decode()
    assert "一键生成排期" in page and "最优" in page and "通过全部规则检查" in page


def test_who_may_register_and_act_for_whom(world, mm):
    """The predicates the pages show buttons by (views never test roles themselves)."""
    u = world.users
    ent = {r for r in u if services.can_register_enterprise(u[r])}
    exp = {r for r in u if services.can_register_expert(u[r])}
    assert {"coordinator", "district", "enterprise"} <= ent and not {"liaison", "expert", "leadership"} & ent
    assert {"coordinator", "liaison"} <= exp and not {"district", "enterprise", "expert", "leadership"} & exp
    rep, own = mm.reps["a"], mm.experts["own"]
    assert services.speaks_for(u["enterprise"], rep) and not services.speaks_for(u["enterprise"], own)
    assert not services.speaks_for(u["coordinator"], rep) and services.can_act_for(u["coordinator"], rep)
    assert not services.can_act_for(u["leadership"], rep) and not services.can_act_for(u["district"], own)
