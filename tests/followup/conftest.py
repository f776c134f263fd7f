"""Follow-up fixtures on top of the shared world: one visit in 莱西 and one in 崂山, an agreement each."""

from __future__ import annotations

from datetime import date

import pytest


def build_followup(world) -> dict:
    from kechuang.followup.models import Agreement, Base, BaseService, Milestone, Visit, VisitStop

    w = world
    park = w.orgs.get("park")
    if park is None:
        from kechuang.orgs.models import Organisation

        park = Organisation.objects.create(name="莱西经济开发区园区", kind="park", district=w.areas["laixi"])
        w.orgs["park"] = park
    v1 = Visit.objects.create(
        title="走进莱西石墨产业园", date=date(2026, 3, 5), district=w.areas["laixi"], park=park
    )
    v1.experts.set([w.experts["own"]])
    v1.societies.set([w.orgs["soc"]])
    s1 = VisitStop.objects.create(
        visit=v1,
        enterprise=w.orgs["ent"],
        order=1,
        minutes=90,
        findings="高纯石墨提纯仍用酸碱法，废水处理成本高。",
        recommendations="引入高温纯化技术。",
        urgency="high",
    )
    v2 = Visit.objects.create(title="走进崂山农机企业", date=date(2026, 4, 8), district=w.areas["laoshan"])
    v2.experts.set([w.experts["other"]])
    v2.societies.set([w.orgs["soc2"]])
    s2 = VisitStop.objects.create(visit=v2, enterprise=w.orgs["ent2"], order=1, minutes=60)
    a1 = Agreement.objects.create(
        title="材料学会与领军集团合作协议", kind="tech_service", amount=260, signed=date(2026, 3, 20)
    )
    a1.parties.set([w.orgs["soc"], w.orgs["ent"]])
    a1.needs.set([w.needs["pub_laixi"], w.needs["conf_ent"]])
    a1.experts.set([w.experts["own"]])
    Milestone.objects.create(agreement=a1, title="工艺诊断报告", due=date(2026, 6, 1))
    a2 = Agreement.objects.create(
        title="农机学会与崂山农机合作协议", kind="tech_dev", amount=80, signed=date(2026, 5, 2)
    )
    a2.parties.set([w.orgs["soc2"], w.orgs["ent2"]])
    a2.needs.set([w.needs["secret_ent2"]])
    Milestone.objects.create(agreement=a2, title="样机验证", due=date(2026, 9, 1))
    b1 = Base.objects.create(
        kind="transfer_base",
        name="材料学会成果转化基地",
        society=w.orgs["soc"],
        host=park,
        district=w.areas["laixi"],
        unveiled=date(2026, 3, 20),
    )
    BaseService.objects.create(base=b1, date=date(2026, 4, 1), kind="consultation", title="石墨企业技术问诊")
    b2 = Base.objects.create(
        kind="innovation_centre",
        name="农机产业创新服务中心",
        society=w.orgs["soc2"],
        host=w.orgs["ent2"],
        district=w.areas["laoshan"],
        unveiled=date(2026, 5, 2),
    )
    objs = {
        "visit": {"own": v1, "other": v2},
        "stop": {"own": s1, "other": s2},
        "agreement": {"own": a1, "other": a2},
        "base": {"own": b1, "other": b2},
    }
    for kind, d in objs.items():
        w.extra.setdefault(kind, {}).update(d)
    return objs


@pytest.fixture
def fu(world):
    return build_followup(world)
