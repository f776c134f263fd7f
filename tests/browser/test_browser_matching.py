"""Matching in the demo, clicked through: the coordinator reviews suggestions for the graphene need of
山东领军科技集团, accepts the graphene expert, and that expert answers the invitation."""

from __future__ import annotations

import re

from browser_helpers import login, shot
from playwright.sync_api import expect


def _graphene_need():
    from kechuang.needs.models import Need

    return Need.objects.get(title__contains="石墨烯", enterprise__name="山东领军科技集团")


def _warm_indexes():
    """Build the in-process indexes once (the live server runs in this process): the first request
    after a change rebuilds BM25 over every profile, which takes seconds on a busy machine."""
    from kechuang.matching import index

    for kind in index.KINDS:
        index.get_index(kind)


def _logout(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/**")


def test_coordinator_accepts_the_graphene_expert_who_answers(page, demo):
    from kechuang.accounts.models import User
    from kechuang.matching.models import Match

    need = _graphene_need()
    demo_expert = User.objects.get(username="expert").expert
    _warm_indexes()

    login(page, "coordinator")
    page.goto(f"/needs/{need.pk}/")
    page.get_by_role("link", name=re.compile("查看匹配推荐")).click()
    expect(page.get_by_role("heading", name=re.compile("匹配推荐"))).to_contain_text(need.title)
    experts = page.get_by_test_id("section-expert")
    rows = experts.locator("li.match-row")
    expect(rows.first).to_be_visible()
    assert rows.count() == 10
    # sensible: the top five work on materials / graphene, with highlighted evidence
    for i in range(5):
        text = rows.nth(i).locator(".match-head").inner_text()
        assert "材料" in text or "石墨" in text, text
        expect(rows.nth(i).locator(".ev-sentence mark").first).to_be_visible()
    expect(rows.first.locator(".terms")).to_contain_text("石墨烯")
    expect(page.get_by_test_id("section-achievement")).to_contain_text("石墨烯")
    expect(page.get_by_test_id("section-society").locator("li.match-row").first).to_contain_text(
        "中国材料研究学会"
    )
    shot(page, "matching-graphene-suggestions")

    # the demo `expert` login is a graphene expert of 中国材料研究学会: it must rank in the top 10
    row = page.get_by_test_id(f"match-expert-{demo_expert.pk}")
    expect(row).to_be_visible()
    expect(row.locator("ul.evidence li").first).to_contain_text(re.compile("论文|专利|科技成果"))
    row.get_by_role("button", name="接受").click()
    expect(page.get_by_role("status").first).to_contain_text("已推送给")
    expect(page.get_by_test_id(f"match-expert-{demo_expert.pk}").get_by_test_id("flag")).to_have_text(
        "已联系"
    )
    shot(page, "matching-graphene-accepted")
    m = Match.objects.get(need=need, kind="expert", expert=demo_expert)
    assert m.status == "accepted" and m.routed_to_user.username == "expert"

    # the expert finds the invitation on their home page and answers it
    _logout(page)
    login(page, "expert")
    invitations = page.get_by_test_id("home-invitations")
    expect(invitations).to_contain_text(need.title)
    expect(invitations).to_contain_text("待回复")
    expect(page.get_by_test_id("home-reverse").locator("li.match-row").first).to_be_visible()
    shot(page, "matching-expert-home")
    invitations.get_by_role("link", name=re.compile("查看全部对接邀请")).click()
    card = page.get_by_test_id(f"invitation-{m.pk}")
    expect(card.locator(".ev-sentence mark").first).to_be_visible()
    card.get_by_label("简要说明或初步方案").fill("可先到中试线诊断层数分布与缺陷，再制定放大工艺方案。")
    card.get_by_role("button", name="有意向对接").click()
    expect(page.get_by_role("status").first).to_contain_text("已回复")
    expect(page.get_by_test_id(f"invitation-{m.pk}").get_by_test_id("response")).to_contain_text("有意向对接")
    shot(page, "matching-expert-responded")
    m.refresh_from_db()
    assert m.response == "interested" and m.responded_by.username == "expert"

    # the enterprise sees what was accepted, and the answer, on its need page
    _logout(page)
    login(page, "enterprise")
    page.goto(f"/needs/{need.pk}/")
    panel = page.get_by_test_id("need-matching")
    expect(panel).to_contain_text(demo_expert.name)
    expect(panel).to_contain_text("有意向对接")
    shot(page, "matching-enterprise-need")


def test_suggestion_filters_and_exclusions_in_the_demo(page, demo):
    from kechuang.matching.models import ConflictOfInterest

    need = _graphene_need()
    from kechuang.accounts.models import User

    expert = User.objects.get(username="expert").expert
    ConflictOfInterest.objects.create(
        expert=expert, organisation=need.enterprise, kind="previous_partnership"
    )
    _warm_indexes()
    login(page, "coordinator")
    page.goto(f"/matching/needs/{need.pk}/")
    excluded = page.get_by_test_id("excluded-expert")
    expect(excluded).to_contain_text(expert.name)
    expect(excluded).to_contain_text("既往合作关系")
    page.get_by_label("成果成熟度").select_option("industrial")
    page.get_by_role("button", name="筛选").click()
    tags = page.get_by_test_id("section-achievement").locator("li.match-row .match-head")
    expect(tags.first).to_be_visible()
    for i in range(tags.count()):
        expect(tags.nth(i)).to_contain_text("产业化阶段")
    shot(page, "matching-filters-excluded")
