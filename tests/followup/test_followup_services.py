"""visit_plan / diagnosis_record / finding_to_need / agreement_record / base_record: rules, audit, atomicity."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry
from kechuang.followup import services
from kechuang.followup.models import Agreement, Base, BaseService, Milestone, Visit, VisitStop
from kechuang.needs.models import Need, NeedStatusChange


def _visit_data(world, **over):
    d = {
        "title": "走进莱西经济开发区",
        "date": date(2026, 12, 1),
        "district": world.areas["laixi"],
        "park": None,
        "experts": [world.experts["own"]],
        "societies": [world.orgs["soc"]],
        "stops": [{"enterprise": world.orgs["ent"], "order": 1, "minutes": 90}],
    }
    d.update(over)
    return d


def _counts():
    return (
        Visit.objects.count(),
        VisitStop.objects.count(),
        Agreement.objects.count(),
        Need.objects.count(),
        NeedStatusChange.objects.count(),
        Milestone.objects.count(),
        AuditEntry.objects.count(),
    )


def test_coordinator_plans_a_visit_with_stops_and_audit(world):
    user = world.users["coordinator"]
    visit = services.visit_plan(user=user, data=_visit_data(world))
    assert list(visit.stops.values_list("enterprise__name", "minutes")) == [("山东领军科技集团", 90)]
    assert list(visit.experts.all()) == [world.experts["own"]]
    entry = AuditEntry.objects.get(action="visit.plan", object_id=str(visit.pk))
    assert entry.actor == user and entry.changes["stops"] == [[world.orgs["ent"].pk, 90]]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"title": "走访"}, "title"),
        ({"stops": []}, "stops"),
        ({"stops": [{"enterprise": None, "minutes": 60}]}, "stops"),
        ({"stops": [{"enterprise": "ent", "minutes": 5}]}, "stops"),
        ({"stops": [{"enterprise": "ent", "minutes": 60}, {"enterprise": "ent", "minutes": 60}]}, "stops"),
        ({"stops": [{"enterprise": "ent", "minutes": 400}, {"enterprise": "ent2", "minutes": 400}]}, "stops"),
        ({"societies": ["uni"]}, "societies"),
        ({"district": None}, "district"),
    ],
)
def test_bad_visit_plans_change_nothing(world, over, field):
    for s in over.get("stops", []):
        if isinstance(s.get("enterprise"), str):
            s["enterprise"] = world.orgs[s["enterprise"]]
    if "societies" in over:
        over["societies"] = [world.orgs[k] for k in over["societies"]]
    before = _counts()
    with pytest.raises(ApplicationError) as e:
        services.visit_plan(user=world.users["coordinator"], data=_visit_data(world, **over))
    assert field in e.value.field_errors
    assert _counts() == before


def test_district_plans_only_in_own_area_and_others_cannot(world):
    with pytest.raises(ApplicationError):
        services.visit_plan(
            user=world.users["district"],
            data=_visit_data(
                world,
                district=world.areas["laoshan"],
                stops=[{"enterprise": world.orgs["ent2"], "minutes": 60}],
            ),
        )
    v = services.visit_plan(user=world.users["district"], data=_visit_data(world))
    assert v.district == world.areas["laixi"]
    for role in ("enterprise", "liaison", "expert", "leadership"):
        with pytest.raises(ApplicationError):
            services.visit_plan(user=world.users[role], data=_visit_data(world))


def test_expert_on_the_visit_records_a_diagnosis_others_may_not(world, fu):
    stop = fu["stop"]["other"]  # the 崂山 visit, expert "other" on it
    with pytest.raises(ApplicationError):
        services.diagnosis_record(
            user=world.users["expert"], stop=stop, findings="x" * 20, recommendations="建议", urgency="high"
        )
    stop = fu["stop"]["own"]
    services.diagnosis_record(
        user=world.users["expert"],
        stop=stop,
        findings="烧结炉温场不均导致批次差异大。",
        recommendations="加装多点测温。",
        urgency="medium",
    )
    stop.refresh_from_db()
    assert stop.urgency == "medium" and stop.diagnosed_by == world.users["expert"]
    assert AuditEntry.objects.filter(action="visit.diagnosis", object_id=str(stop.pk)).count() == 1


def test_bad_diagnosis_is_refused(world, fu):
    stop = fu["stop"]["other"]
    before = _counts()
    with pytest.raises(ApplicationError) as e:
        services.diagnosis_record(
            user=world.users["coordinator"], stop=stop, findings="短", recommendations="", urgency="urgent"
        )
    assert set(e.value.field_errors) == {"findings", "recommendations", "urgency"}
    assert _counts() == before
    stop.refresh_from_db()
    assert stop.findings == ""


def test_finding_becomes_a_need_with_source_visit_linked_back(world, fu):
    stop = fu["stop"]["own"]
    user = world.users["coordinator"]
    need = services.finding_to_need(user=user, stop=stop)
    assert need.source == "visit" and need.enterprise == world.orgs["ent"]
    assert need.chain == world.orgs["ent"].chain and need.problem == stop.findings
    assert need.major is True  # urgency high
    assert need.status == "submitted" and need.history.count() == 1
    assert list(stop.needs.all()) == [need]
    assert AuditEntry.objects.filter(action="need.submit", object_id=str(need.pk)).exists()
    assert AuditEntry.objects.filter(action="visit.finding_to_need", object_id=str(stop.pk)).exists()
    with pytest.raises(ApplicationError, match="已经生成过需求"):
        services.finding_to_need(user=user, stop=stop)


def test_finding_to_need_requires_a_diagnosis_and_a_submitter_role(world, fu):
    before = _counts()
    with pytest.raises(ApplicationError, match="先记录诊断"):
        services.finding_to_need(user=world.users["coordinator"], stop=fu["stop"]["other"])
    with pytest.raises(ApplicationError):  # experts do not submit needs
        services.finding_to_need(user=world.users["expert"], stop=fu["stop"]["own"])
    with pytest.raises(ApplicationError):  # district staff of 莱西 cannot see the 崂山 visit
        services.finding_to_need(user=world.users["district"], stop=fu["stop"]["other"])
    assert _counts() == before


def _agreement_data(world, **over):
    d = {
        "title": "材料学会技术服务协议",
        "kind": "tech_service",
        "parties": [world.orgs["soc"], world.orgs["ent"]],
        "amount": "120.5",
        "signed": timezone.localdate() - timedelta(days=1),
        "needs": [world.needs["pub_laixi"]],
        "milestones": [{"title": "中试验证", "due": timezone.localdate() + timedelta(days=90)}],
    }
    d.update(over)
    return d


def test_agreement_moves_a_met_need_through_the_service(world):
    need = world.needs["pub_laixi"]
    need.status = "met"
    need.save()
    user = world.users["coordinator"]
    agr = services.agreement_record(user=user, data=_agreement_data(world))
    need.refresh_from_db()
    assert need.status == "agreement"
    change = need.history.last()
    assert change.to_status == "agreement" and change.by == user and "材料学会技术服务协议" in change.note
    assert AuditEntry.objects.filter(action="need.transition", object_id=str(need.pk)).exists()
    assert [n.pk for n in agr.moved_needs] == [need.pk] and agr.unmoved_needs == []
    assert agr.amount == Decimal("120.5") and agr.milestones.count() == 1
    assert AuditEntry.objects.get(action="agreement.record").changes["moved_needs"] == [need.pk]


def test_agreement_leaves_a_need_that_may_not_move_yet(world):
    need = world.needs["pub_laixi"]  # "reviewed": reviewed → agreement is not a step
    agr = services.agreement_record(user=world.users["coordinator"], data=_agreement_data(world))
    need.refresh_from_db()
    assert need.status == "reviewed" and [n.pk for n in agr.unmoved_needs] == [need.pk]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"parties": []}, "parties"),
        ({"kind": "gift"}, "kind"),
        ({"amount": "-3"}, "amount"),
        ({"amount": "很多"}, "amount"),
        ({"signed": date(2099, 1, 1)}, "signed"),
        ({"milestones": [{"title": "早于签约", "due": date(2000, 1, 1)}]}, "milestones"),
        ({"milestones": [{"title": "", "due": date(2030, 1, 1)}]}, "milestones"),
    ],
)
def test_bad_agreements_change_nothing(world, over, field):
    need = world.needs["pub_laixi"]
    need.status = "met"
    need.save()
    before = _counts()
    with pytest.raises(ApplicationError) as e:
        services.agreement_record(user=world.users["coordinator"], data=_agreement_data(world, **over))
    assert field in e.value.field_errors
    assert _counts() == before
    need.refresh_from_db()
    assert need.status == "met"


def test_district_cannot_link_needs_it_may_not_see(world):
    before = _counts()
    with pytest.raises(ApplicationError) as e:
        services.agreement_record(
            user=world.users["district"], data=_agreement_data(world, needs=[world.needs["conf_ent"]])
        )
    assert "needs" in e.value.field_errors
    assert _counts() == before
    for role in ("enterprise", "liaison", "expert", "leadership"):
        with pytest.raises(ApplicationError):
            services.agreement_record(user=world.users[role], data=_agreement_data(world))


def test_milestone_and_attachment(world, fu):
    agr = fu["agreement"]["own"]
    m = agr.milestones.get()
    services.milestone_set_done(user=world.users["coordinator"], milestone=m, done=True, on=date(2026, 5, 30))
    m.refresh_from_db()
    assert m.done_on == date(2026, 5, 30)
    f = SimpleUploadedFile("协议扫描件.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    att = services.attachment_add(user=world.users["coordinator"], agreement=agr, file=f)
    assert att.name == "协议扫描件.pdf" and att.file.read() == b"%PDF-1.4 test"
    with pytest.raises(ApplicationError):
        services.attachment_add(
            user=world.users["coordinator"], agreement=agr, file=SimpleUploadedFile("x.exe", b"MZ")
        )
    with pytest.raises(ApplicationError):  # 崂山 agreement is outside 莱西 staff's scope
        services.milestone_set_done(
            user=world.users["district"], milestone=fu["agreement"]["other"].milestones.get(), done=True
        )


def test_base_and_services(world, fu):
    user = world.users["coordinator"]
    data = {
        "kind": "innovation_centre",
        "name": "新材料产业创新服务中心",
        "society": world.orgs["soc"],
        "host": world.orgs["uni"],
        "district": world.areas["laixi"],
        "unveiled": date(2026, 6, 1),
    }
    base = services.base_record(user=user, data=data)
    assert AuditEntry.objects.filter(action="base.record", object_id=str(base.pk)).exists()
    with pytest.raises(ApplicationError) as e:
        services.base_record(user=user, data=data)
    assert "name" in e.value.field_errors
    with pytest.raises(ApplicationError) as e:
        services.base_service_record(
            user=user, base=base, data={"date": date(2026, 5, 1), "kind": "event", "title": "揭牌前的活动"}
        )
    assert "date" in e.value.field_errors
    services.base_service_record(
        user=user,
        base=base,
        data={"date": date(2026, 6, 2), "kind": "project", "title": "石墨烯联合攻关项目"},
    )
    assert BaseService.objects.filter(base=base).count() == 1
    with pytest.raises(ApplicationError):
        services.base_record(user=world.users["district"], data=data | {"name": "另一个中心名称"})
    assert Base.objects.count() == 3


def test_a_need_from_a_diagnosis_gets_a_whole_title_offered_on_the_visit_page(world, fu, client):
    stop = fu["stop"]["own"]
    stop.findings = (
        "石墨提纯环节能耗偏高且纯度波动较大，缺少在线检测手段，影响高端负极材料订单交付。后续需引入新工艺。"
    )
    stop.save()
    offered = services.need_title_from_finding(stop)
    name = world.orgs["ent"].short_name or world.orgs["ent"].name
    assert offered == f"{name}：石墨提纯环节能耗偏高且纯度波动较大"
    client.force_login(world.users["coordinator"])
    html = client.get(f"/followup/visits/{stop.visit_id}/").content.decode()
    assert f'value="{offered}"' in html and not offered.endswith(("...", "…"))
    need = services.finding_to_need(user=world.users["coordinator"], stop=stop)
    assert need.title == offered
