"""The submission form: field-level messages in Chinese, nothing saved on a bad submission."""

from __future__ import annotations

from kechuang.needs.models import Need


def test_bad_submission_shows_field_messages_and_saves_nothing(world, client_for):
    client = client_for("enterprise")
    before = Need.objects.count()
    resp = client.post(
        "/needs/new/",
        {
            "title": "短",
            "problem": "太简单",
            "budget_min": "100",
            "budget_max": "5",
            "budget_max_extra": "x",
            "deadline": "2001-01-01",
        },
    )
    html = resp.content.decode()
    assert resp.status_code == 200
    for msg in (
        "项目名称太短",
        "请具体描述技术难题",
        "请选择行业领域/产业链",
        "请填写需求背景",
        "请填写期望实现的技术目标",
        "预算上限应不低于下限",
        "期限不能早于今天",
    ):
        assert msg in html, msg
    assert Need.objects.count() == before


def test_good_submission_redirects_to_detail_with_history(world, client_for):
    client = client_for("enterprise")
    resp = client.post(
        "/needs/new/",
        {
            "title": "石墨烯防腐涂料中试",
            "kind": "tech",
            "chain": world.chains["materials"].pk,
            "district": world.areas["laixi"].pk,
            "background": "已有实验室配方",
            "confidentiality": "public",
            "problem": "石墨烯在环氧树脂中分散不均，涂层耐盐雾时间不足一千小时，需要分散工艺",
            "goal": "耐盐雾三千小时",
            "keywords_text": "石墨烯，防腐涂料 分散",
        },
    )
    need = Need.objects.get(title="石墨烯防腐涂料中试")
    assert resp.status_code == 302 and resp["Location"] == f"/needs/{need.pk}/"
    assert need.keywords == ["石墨烯", "防腐涂料", "分散"] and need.enterprise == world.orgs["ent"]
    page = client.get(resp["Location"]).content.decode()
    assert "已提交" in page and "石墨烯在环氧树脂中分散不均" in page


def test_transition_button_moves_status(world, client_for):
    client = client_for("coordinator")
    need = world.needs["new_ent2"]
    resp = client.post(f"/needs/{need.pk}/transition/", {"to_status": "reviewed", "note": "需求清晰"})
    assert resp.status_code == 302
    need.refresh_from_db()
    assert need.status == "reviewed"


def test_leadership_post_changes_nothing(world, client_for):
    client = client_for("leadership")
    need = world.needs["pub_laixi"]
    client.post(f"/needs/{need.pk}/transition/", {"to_status": "closed"})
    need.refresh_from_db()
    assert need.status == "reviewed"


def test_enterprise_edits_a_returned_need_and_resubmits(world, client_for):
    from kechuang.core.models import AuditEntry
    from kechuang.needs import services

    need = services.need_submit(
        user=world.users["enterprise"],
        data={
            "title": "导热膜量产",
            "kind": "tech",
            "chain": world.chains["materials"],
            "district": world.areas["laixi"],
            "background": "背景",
            "problem": "导热膜量产时厚度一致性差良品率低需要工艺改进方案",
            "goal": "良品率九成",
            "confidentiality": "public",
        },
    )
    services.need_transition(
        user=world.users["coordinator"], need=need, to_status="returned", note="请补充预算"
    )
    client = client_for("enterprise")
    page = client.get(f"/needs/{need.pk}/edit/").content.decode()
    assert "修改需求" in page and "导热膜量产" in page
    resp = client.post(
        f"/needs/{need.pk}/edit/",
        {
            "title": "导热膜量产",
            "kind": "tech",
            "chain": world.chains["materials"].pk,
            "district": world.areas["laixi"].pk,
            "background": "背景",
            "problem": "导热膜量产时厚度一致性差良品率低需要工艺改进方案",
            "goal": "良品率九成",
            "confidentiality": "public",
            "budget_min": "50",
            "budget_max": "120",
            "version": need.version,
        },
    )
    assert resp.status_code == 302
    need.refresh_from_db()
    assert (need.budget_min, need.budget_max, need.status) == (50, 120, "returned")
    entry = AuditEntry.objects.get(action="need.update", object_id=str(need.pk))
    assert entry.changes["budget_max"] == {"from": None, "to": 120}
    client.post(f"/needs/{need.pk}/transition/", {"to_status": "submitted"})
    need.refresh_from_db()
    assert need.status == "submitted"
    # once reviewed, the enterprise can no longer edit
    services.need_transition(user=world.users["coordinator"], need=need, to_status="reviewed")
    resp = client.post(f"/needs/{need.pk}/edit/", {"title": "改名"})
    assert resp.status_code == 302
    need.refresh_from_db()
    assert need.title == "导热膜量产"


def test_detail_page_offers_edit_only_to_who_may_edit(world, client_for):
    need = world.needs["new_ent2"]
    assert f"/needs/{need.pk}/edit/" in client_for("coordinator").get(f"/needs/{need.pk}/").content.decode()
    assert (
        f"/needs/{need.pk}/edit/" not in client_for("leadership").get(f"/needs/{need.pk}/").content.decode()
    )
