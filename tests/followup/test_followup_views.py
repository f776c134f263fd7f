"""Follow-up pages end to end through the test client: plan → diagnose → need → agreement."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kechuang.followup.models import Agreement, Visit


def _stops(**rows):
    data = {
        "stops-TOTAL_FORMS": "5",
        "stops-INITIAL_FORMS": "0",
        "stops-MIN_NUM_FORMS": "0",
        "stops-MAX_NUM_FORMS": "12",
    }
    data.update(rows)
    return data


def test_plan_diagnose_convert_and_sign(world, client_for):
    c = client_for("coordinator")
    resp = c.post(
        reverse("followup:visit_create"),
        {
            "title": "走进莱西石墨企业",
            "date": "2026-12-01",
            "district": world.areas["laixi"].pk,
            "societies": [world.orgs["soc"].pk],
            "experts": [world.experts["own"].pk],
            **_stops(**{"stops-0-enterprise": world.orgs["ent"].pk, "stops-0-minutes": "90"}),
        },
    )
    visit = Visit.objects.get(title="走进莱西石墨企业")
    assert resp.status_code == 302 and resp["Location"] == reverse("followup:visit_detail", args=[visit.pk])
    stop = visit.stops.get()
    resp = c.post(
        reverse("followup:diagnosis", args=[stop.pk]),
        {
            "findings": "石墨提纯酸耗高，废水处理成本占比过高。",
            "recommendations": "引入高温纯化。",
            "urgency": "high",
        },
    )
    assert resp.status_code == 302
    page = c.get(reverse("followup:visit_detail", args=[visit.pk])).content.decode()
    assert "石墨提纯酸耗高" in page and "转为需求" in page
    resp = c.post(reverse("followup:finding_to_need", args=[stop.pk]), {"title": "石墨高温纯化替代酸碱法"})
    need = stop.needs.get()
    assert resp["Location"] == reverse("needs:detail", args=[need.pk])
    assert need.title == "石墨高温纯化替代酸碱法" and need.source == "visit"
    # the coordinator moves it along to "met", then records the agreement that links it
    from kechuang.needs.services import need_transition

    for st in ("reviewed", "matched", "met"):
        need = need_transition(user=world.users["coordinator"], need=need, to_status=st)
    form = c.get(reverse("followup:agreement_create"), {"need": need.pk, "visit": visit.pk})
    assert form.status_code == 200 and form.context["form"].initial["needs"] == [need.pk]
    signed = (timezone.localdate() - timedelta(days=1)).isoformat()
    resp = c.post(
        reverse("followup:agreement_create"),
        {
            "title": "石墨高温纯化技术服务协议",
            "kind": "tech_service",
            "parties": [world.orgs["soc"].pk, world.orgs["ent"].pk],
            "amount": "150",
            "signed": signed,
            "needs": [need.pk],
            "visits": [visit.pk],
            "ms-TOTAL_FORMS": "3",
            "ms-INITIAL_FORMS": "0",
            "ms-MIN_NUM_FORMS": "0",
            "ms-MAX_NUM_FORMS": "20",
            "ms-0-title": "完成中试",
            "ms-0-due": (timezone.localdate() + timedelta(days=60)).isoformat(),
            "attachment": SimpleUploadedFile("协议.pdf", b"%PDF-1.4"),
        },
    )
    agr = Agreement.objects.get(title="石墨高温纯化技术服务协议")
    assert resp.status_code == 302
    need.refresh_from_db()
    assert need.status == "agreement"
    assert agr.attachments.count() == 1 and agr.milestones.count() == 1
    detail = c.get(reverse("followup:agreement_detail", args=[agr.pk])).content.decode()
    assert "石墨高温纯化替代酸碱法" in detail and "完成中试" in detail
    att = agr.attachments.get()
    dl = c.get(reverse("followup:attachment", args=[att.pk]))
    assert dl.status_code == 200 and b"".join(dl.streaming_content) == b"%PDF-1.4"


def test_bad_agreement_form_shows_chinese_errors_and_saves_nothing(world, client_for):
    c = client_for("coordinator")
    resp = c.post(
        reverse("followup:agreement_create"),
        {
            "title": "协议",
            "kind": "",
            "parties": [world.orgs["soc"].pk],
            "amount": "-5",
            "signed": "2099-01-01",
            "ms-TOTAL_FORMS": "3",
            "ms-INITIAL_FORMS": "0",
            "ms-MIN_NUM_FORMS": "0",
            "ms-MAX_NUM_FORMS": "20",
        },
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "保存未成功" in html
    assert Agreement.objects.count() == 0


def test_expert_page_lists_visits_and_agreements(world, fu, client_for):
    html = (
        client_for("coordinator")
        .get(reverse("experts:detail", args=[world.experts["own"].pk]))
        .content.decode()
    )
    assert "走进莱西石墨产业园" in html and "材料学会与领军集团合作协议" in html


def test_stalled_page_shows_owned_stalled_needs(world, client_for, settings):
    from kechuang.needs.models import Need

    Need.objects.filter(pk=world.needs["pub_laixi"].pk).update(
        owner=world.users["district"],
        status_changed_at=timezone.now() - timedelta(days=settings.KECHUANG_STALLED_DAYS + 1),
    )
    html = client_for("district").get(reverse("followup:stalled")).content.decode()
    assert "石墨烯规模化制备" in html
    html = client_for("liaison").get(reverse("followup:stalled")).content.decode()
    assert "石墨烯规模化制备" not in html
