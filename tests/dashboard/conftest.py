"""A hand-countable dashboard world on top of the shared one: every date fixed, every figure countable.

Needs (from tests/conftest.py), re-dated here (Asia/Shanghai, noon):
  pub_laixi   莱西  created 02-10  history submitted 02-10, reviewed 02-12, matched 02-20, met 03-01, agreement 03-20
  conf_ent    莱西  created 03-15  major  submitted 03-15, reviewed 03-16, matched 03-26
  pub_laoshan 崂山  created 04-01  major  submitted 04-01, reviewed 04-05
  secret_ent2 崂山  created 04-20         submitted 04-20, returned 04-21
  pub_zone    莱西开发区 created 05-05 major submitted 05-05, reviewed 05-08, matched 05-09, met 05-20
  new_ent2    崂山  created 06-01         submitted 06-01
Events: E1 对接会 03-10 莱西 [soc]; E2 座谈会 04-15 (no district) [soc2]; E3 学术会议 05-20 (no district)
  [soc] scale 800; E4 对接会 07-01 崂山 [].
Visits: v1 03-05 莱西 [soc] (stop at ent); v2 04-08 崂山 [soc2] (stop at ent2).
Agreements: a1 03-20 (soc, ent@莱西) 260万元 → pub_laixi, conf_ent; a2 05-02 (soc2, ent2@崂山) 80万元 → secret_ent2.
Bases: b1 转化基地 莱西 03-20 (soc); b2 服务中心 崂山 05-02 (soc2).
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")
Y = 2026


def at(m: int, d: int) -> datetime:
    return datetime.combine(date(Y, m, d), time(12), tzinfo=SH)


HISTORY = {
    "pub_laixi": [
        ("submitted", (2, 10)),
        ("reviewed", (2, 12)),
        ("matched", (2, 20)),
        ("met", (3, 1)),
        ("agreement", (3, 20)),
    ],
    "conf_ent": [("submitted", (3, 15)), ("reviewed", (3, 16)), ("matched", (3, 26))],
    "pub_laoshan": [("submitted", (4, 1)), ("reviewed", (4, 5))],
    "secret_ent2": [("submitted", (4, 20)), ("returned", (4, 21))],
    "pub_zone": [("submitted", (5, 5)), ("reviewed", (5, 8)), ("matched", (5, 9)), ("met", (5, 20))],
    "new_ent2": [("submitted", (6, 1))],
}
MAJOR = {"conf_ent", "pub_laoshan", "pub_zone"}


def build_dashboard_world(w) -> dict:
    from kechuang.events.models import Event
    from kechuang.followup.models import Agreement, Base, Visit, VisitStop
    from kechuang.needs.models import Need, NeedStageFact, NeedStatusChange
    from kechuang.orgs.models import Organisation

    NeedStatusChange.objects.all().delete()
    for key, hist in HISTORY.items():
        need = w.needs[key]
        rows, prev = [], ""
        for status, (m, d) in hist:
            rows.append(NeedStatusChange(need=need, from_status=prev, to_status=status, at=at(m, d)))
            prev = status
        NeedStatusChange.objects.bulk_create(rows)
        Need.objects.filter(pk=need.pk).update(
            created_at=at(*hist[0][1]), status=prev, status_changed_at=at(*hist[-1][1]), major=key in MAJOR
        )
        need.refresh_from_db()
    NeedStageFact.rebuild()  # the history above was bulk-created, as the demo loader does
    w.chains["materials"].keywords = ["石墨烯", "新材料"]
    w.chains["materials"].save()
    w.chains["agri"].keywords = ["农机装备", "智慧农业"]
    w.chains["agri"].save()
    w.achievements["own"].chain = w.chains["materials"]
    w.achievements["own"].save()

    def ev(title, kind, m, d, district, socs, scale=None):
        e = Event.objects.create(
            title=title,
            kind=kind,
            start=at(m, d),
            end=at(m, d),
            scale=scale,
            district=w.areas[district] if district else None,
        )
        e.societies.set([w.orgs[k] for k in socs])
        return e

    events = {
        "E1": ev("莱西石墨对接会", "matchmaking", 3, 10, "laixi", ["soc"]),
        "E2": ev("服务青岛座谈会", "symposium", 4, 15, None, ["soc2"]),
        "E3": ev("新材料大会", "conference", 5, 20, None, ["soc"], 800),
        "E4": ev("崂山农机对接会", "matchmaking", 7, 1, "laoshan", []),
    }
    park = Organisation.objects.create(name="莱西开发区园区", kind="park", district=w.areas["laixi"])
    v1 = Visit.objects.create(
        title="走进莱西石墨园区", date=date(Y, 3, 5), district=w.areas["laixi"], park=park
    )
    v1.societies.set([w.orgs["soc"]])
    v1.experts.set([w.experts["own"]])
    VisitStop.objects.create(
        visit=v1,
        enterprise=w.orgs["ent"],
        minutes=90,
        findings="提纯工艺酸耗高、废水多。",
        recommendations="高温纯化",
        urgency="high",
    )
    v2 = Visit.objects.create(title="走进崂山农机企业", date=date(Y, 4, 8), district=w.areas["laoshan"])
    v2.societies.set([w.orgs["soc2"]])
    VisitStop.objects.create(visit=v2, enterprise=w.orgs["ent2"], minutes=60)
    a1 = Agreement.objects.create(
        title="材料学会与领军集团技术服务协议", kind="tech_service", amount=260, signed=date(Y, 3, 20)
    )
    a1.parties.set([w.orgs["soc"], w.orgs["ent"]])
    a1.needs.set([w.needs["pub_laixi"], w.needs["conf_ent"]])
    a2 = Agreement.objects.create(
        title="农机学会与崂山农机技术开发合同", kind="tech_dev", amount=80, signed=date(Y, 5, 2)
    )
    a2.parties.set([w.orgs["soc2"], w.orgs["ent2"]])
    a2.needs.set([w.needs["secret_ent2"]])
    b1 = Base.objects.create(
        kind="transfer_base",
        name="材料学会成果转化基地",
        society=w.orgs["soc"],
        host=park,
        district=w.areas["laixi"],
        unveiled=date(Y, 3, 20),
    )
    b2 = Base.objects.create(
        kind="innovation_centre",
        name="农机产业创新服务中心",
        society=w.orgs["soc2"],
        host=w.orgs["ent2"],
        district=w.areas["laoshan"],
        unveiled=date(Y, 5, 2),
    )
    return {"events": events, "visits": [v1, v2], "agreements": [a1, a2], "bases": [b1, b2]}


@pytest.fixture(autouse=True)
def _fresh_figure_cache():
    """Each test starts without cached figures (the database is rolled back between tests, which
    no signal reports)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dash(world):
    return build_dashboard_world(world)
