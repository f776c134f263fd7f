"""Conflicts of interest exclude with a visible reason; contacted/declined experts are flagged, not dropped."""

from __future__ import annotations

from django.urls import reverse

from kechuang.matching import ranking, services


def test_conflicted_experts_are_excluded_with_their_reason(mworld):
    r = ranking.rank_for_need(mworld.needs["pub_laixi"], "expert")
    ranked = [row.obj for row in r.rows]
    assert mworld.experts["own"] in ranked
    reasons = {obj.name: reason for obj, reason in r.excluded}
    assert set(reasons) == {"赵内部", "钱合作"}
    assert "工作单位即需求企业" in reasons["赵内部"] and "山东领军科技集团" in reasons["赵内部"]
    assert "既往合作关系" in reasons["钱合作"] and "2024年合作开发" in reasons["钱合作"]
    assert not {mworld.experts["insider"], mworld.experts["partner"]} & set(ranked)


def test_the_conflicted_experts_achievement_is_excluded_too(mworld):
    r = ranking.rank_for_need(mworld.needs["pub_laixi"], "achievement")
    assert [(o.title, "既往合作关系" in reason) for o, reason in r.excluded] == [
        ("石墨烯分散液制备技术", True)
    ]


def test_a_need_of_another_enterprise_is_not_affected(mworld):
    r = ranking.rank_for_need(mworld.needs["pub_laoshan"], "expert")
    assert r.excluded == []


def test_the_page_lists_excluded_experts_with_reasons(mworld, client_for):
    page = client_for("coordinator").get(reverse("matching:suggestions", args=[mworld.needs["pub_laixi"].pk]))
    html = page.content.decode()
    assert 'data-testid="excluded-expert"' in html and "已排除" in html
    assert "赵内部" in html and "工作单位即需求企业" in html and "既往合作关系" in html


def test_the_reverse_lookup_excludes_the_experts_own_company(mworld):
    from kechuang.matching import selectors

    r = selectors.reverse_needs_for_expert(user=mworld.users["coordinator"], expert=mworld.experts["insider"])
    excluded = {n.enterprise.name for n, _ in r.excluded}
    assert excluded == {"山东领军科技集团"}
    assert all(row.obj.enterprise.name != "山东领军科技集团" for row in r.rows)


def test_contacted_experts_are_flagged_and_declined_ones_set_aside_with_their_flag(mworld):
    need = mworld.needs["pub_laixi"]
    coord = mworld.users["coordinator"]
    services.match_accept(user=coord, need=need, kind="expert", candidate_id=mworld.experts["own"].pk)
    services.match_decline(
        user=coord, need=need, kind="expert", candidate_id=mworld.experts["other"].pk, reason="out_of_scope"
    )
    r = ranking.rank_for_need(need, "expert")
    flags = {row.obj.name: row.flag for row in r.rows}
    assert flags["王石墨"] == ranking.FLAG_CONTACTED == "已联系"
    # declined with unchanged evidence: out of the list, kept apart (with its undo) and still flagged
    assert "李农机" not in flags
    declined = {row.obj.name: row.flag for row in r.declined}
    assert declined["李农机"] == ranking.FLAG_NOT_ADOPTED == "未采纳"  # the coordinator's decision


def test_an_expert_who_declined_is_flagged_as_declined(mworld):
    need = mworld.needs["pub_laixi"]
    m = services.match_accept(
        user=mworld.users["coordinator"], need=need, kind="expert", candidate_id=mworld.experts["own"].pk
    )
    services.match_respond(
        user=mworld.users["expert"], match=m, response="declined_by_expert", text="近期没空"
    )
    flags = {row.obj.name: row.flag for row in ranking.rank_for_need(need, "expert").rows}
    assert flags["王石墨"] == ranking.FLAG_DECLINED == "已婉拒"  # the expert said no


def test_flags_show_on_the_page_and_in_the_reverse_lookup(mworld, client_for):
    need = mworld.needs["pub_laixi"]
    services.match_accept(
        user=mworld.users["coordinator"], need=need, kind="expert", candidate_id=mworld.experts["own"].pk
    )
    client = client_for("coordinator")
    html = client.get(reverse("matching:suggestions", args=[need.pk])).content.decode()
    row = html.split(f'data-testid="match-expert-{mworld.experts["own"].pk}"', 1)[1].split(
        'class="match-row', 1
    )[0]
    assert "已联系" in row and "已接受" in row
    rev = client.get(reverse("matching:expert_needs", args=[mworld.experts["own"].pk])).content.decode()
    assert "已联系" in rev


def test_filters_restrict_the_pool(mworld, client_for):
    need = mworld.needs["pub_laixi"]
    r = ranking.rank_for_need(need, "expert", filters={"society": mworld.orgs["soc2"].pk})
    assert [row.obj.name for row in r.rows] == ["李农机"]
    r = ranking.rank_for_need(need, "achievement", filters={"maturity": "industrial"})
    assert [row.obj.title for row in r.rows] == ["智能播种机"]
    mworld.experts["own"].availability = "unavailable"
    mworld.experts["own"].save()
    r = ranking.rank_for_need(need, "expert", filters={"availability": "available"})
    assert "王石墨" not in [row.obj.name for row in r.rows]
    html = (
        client_for("coordinator")
        .get(reverse("matching:suggestions", args=[need.pk]), {"society": mworld.orgs["soc2"].pk})
        .content.decode()
    )
    assert "李农机" in html and "王石墨" not in html
