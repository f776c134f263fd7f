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
