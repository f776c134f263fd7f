"""The suggestions page as a new coordinator reads it (issue 14): a cathode need whose company profile
talks of other products; matched terms are the need's own words, weak suggestions are folded behind
"更多（相关度较低）", a decline can be undone. Screenshots at 1366 and 390 px."""

from __future__ import annotations

import re

from browser_helpers import login, shot
from playwright.sync_api import expect

TITLE = "锂电池正极材料高镍化稳定性提升"


def _cathode_need():
    """The need a coordinator tries first, on the demo's battery-materials company."""
    from kechuang.matching import index
    from kechuang.needs.models import Need

    base = Need.objects.filter(chain__name__contains="新能源", background__contains="主导产品").first()
    need = Need.objects.get(pk=base.pk)
    need.pk = need.id = None
    need.title = TITLE
    need.problem = "高镍三元正极材料在循环过程中容量衰减快，热稳定性差，产气严重。"
    need.goal = "提升高镍正极材料的循环寿命和热稳定性，满足动力电池要求。"
    need.keywords = ["高镍三元", "正极材料", "稳定性"]
    need.confidentiality = "public"
    need.save()
    for kind in index.KINDS:  # build the in-process indexes once (the live server shares this process)
        index.get_index(kind)
    return need


def _need_text(need) -> str:
    return need.title + need.problem + need.goal + "".join(need.keywords)


def test_coordinator_reads_terms_expands_weak_ones_declines_and_undoes(page, demo):
    need = _cathode_need()
    login(page, "coordinator")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/matching/needs/{need.pk}/")
    expect(page.get_by_role("heading", name=re.compile("匹配推荐"))).to_contain_text(TITLE)
    expect(page.get_by_test_id("benchmark-line")).to_contain_text("nDCG@10")
    expect(page.get_by_test_id("score-legend")).to_contain_text("相对本需求最佳候选的匹配度")

    experts = page.get_by_test_id("section-expert")
    first = experts.locator("li.match-row").first
    expect(first).to_be_visible()
    # every matched term shown is a word of the need (≥ 2 characters); profile words are labelled apart
    text = _need_text(need)
    terms = page.locator("[data-testid=terms] .term").all_text_contents()
    assert terms, "matched terms are shown"
    for t in terms:
        assert len(t) >= 2 and t in text, t
    for label in page.locator("[data-testid=context-terms]").all_text_contents():
        assert label.startswith(("来自企业简介", "来自所属产业链")), label
    shot(page, "matching-explain-1366")

    # the weak suggestions are folded; expanding shows them
    fold = page.get_by_test_id("weak-society")
    expect(fold).to_be_visible()
    weak_row = fold.locator("li.match-row").first
    expect(weak_row).to_be_hidden()
    fold.locator("summary").first.click()
    expect(weak_row).to_be_visible()
    expect(weak_row.locator(".band")).to_have_text("低")
    shot(page, "matching-explain-weak-open-1366")

    # decline the first expert, then undo it
    row = experts.locator("li.match-row").first
    testid = row.get_attribute("data-testid")
    name = row.locator(".cand-name").inner_text()
    row.locator("details.decline summary").click()
    row.locator("select[name=reason]").select_option("out_of_scope")
    row.get_by_role("button", name="确认不采纳").click()
    expect(page.get_by_role("status").first).to_contain_text("未采纳")
    declined = page.get_by_test_id("declined-expert")
    expect(declined).to_contain_text(name)
    expect(experts.locator("ol.match-list").first.get_by_test_id(testid)).to_have_count(0)
    declined.locator("summary").first.click()
    declined.get_by_test_id(testid).get_by_role("button", name="撤销").click()
    expect(page.get_by_role("status").first).to_contain_text("已撤销")
    expect(page.get_by_test_id("declined-expert")).to_have_count(0)
    expect(experts.get_by_test_id(testid)).to_be_visible()

    from kechuang.matching.models import Match, MatchDecision

    m = Match.objects.get(need=need, kind="expert", expert_id=int(testid.rsplit("-", 1)[1]))
    assert m.status == "suggested"
    assert list(MatchDecision.objects.filter(match=m).values_list("action", flat=True)) == ["decline", "undo"]

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_test_id("section-expert").locator("li.match-row").first).to_be_visible()
    shot(page, "matching-explain-390")

    # the benchmark report the line links to
    page.get_by_role("link", name="基准报告").click()
    expect(page.get_by_test_id("benchmarks-doc")).to_contain_text("nDCG@10")
    shot(page, "matching-benchmarks-390")
