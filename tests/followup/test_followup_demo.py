"""The demo scenario's visits, agreements and bases load completely and consistently."""

from __future__ import annotations

import pytest

from kechuang.followup.models import Agreement, Base, BaseService, Milestone, Visit, VisitStop


@pytest.mark.slow
def test_demo_loads_followup_sections(db):
    from kechuang.demo.loader import load_scenario
    from kechuang.demo.scenario import build_scenario

    s = build_scenario()
    ctx = load_scenario(s, fast_passwords=True)
    assert Visit.objects.count() == len(s["visits"])
    assert VisitStop.objects.count() == sum(len(v["stops"]) for v in s["visits"])
    assert Agreement.objects.count() == len(s["agreements"])
    assert Milestone.objects.count() == sum(len(a["milestones"]) for a in s["agreements"])
    assert Base.objects.count() == len(s["bases"])
    assert BaseService.objects.count() == sum(len(b["services"]) for b in s["bases"])
    # every linked need exists and no agreement title quotes a confidential need
    for agr in Agreement.objects.prefetch_related("needs"):
        for need in agr.needs.all():
            if need.is_confidential:
                assert need.title[:18] not in agr.title
    # the graphite visit was planned with its expert team and is linked to the visit event
    first = ctx["visits"]["visit-01"]
    assert first.experts.count() == len(next(v for v in s["visits"] if v["key"] == "visit-01")["experts"])
    assert first.event is not None and first.event.kind == "visit"
    # bases built on a joint-base agreement point to it
    assert Base.objects.filter(agreement__kind="joint_base").count() >= 2
