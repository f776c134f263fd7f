"""The matching pages as users meet them: highlighted evidence, decisions, invitations, the need page,
and the reverse lookups on the expert and achievement pages."""

from __future__ import annotations

from django.urls import reverse

from kechuang.matching.models import Match


def test_suggestions_show_highlighted_evidence_from_the_publication(mworld, client_for):
    html = (
        client_for("coordinator")
        .get(reverse("matching:suggestions", args=[mworld.needs["pub_laixi"].pk]))
        .content.decode()
    )
    own = html.split(f'data-testid="match-expert-{mworld.experts["own"].pk}"', 1)[1].split(
        'class="match-row', 1
    )[0]
    assert "<mark>" in own and "《石墨烯粉体规模化制备的分散工艺》" in own and "论文" in own
    assert 'data-testid="section-achievement"' in html and 'data-testid="section-society"' in html
    assert "未启用向量模型，当前仅使用关键词匹配" in html  # tests run lexical-only, and say so


def test_evidence_is_escaped(mworld, client_for):
    pub = mworld.experts["own"].publications.first()
    pub.abstract = "石墨烯规模化制备<script>alert(1)</script>的分散问题。"
    pub.save()
    html = (
        client_for("coordinator")
        .get(reverse("matching:suggestions", args=[mworld.needs["pub_laixi"].pk]))
        .content.decode()
    )
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_accept_and_decline_through_the_page(mworld, client_for):
    need = mworld.needs["pub_laixi"]
    client = client_for("coordinator")
    url = reverse("matching:decide", args=[need.pk])
    r = client.post(
        url, {"kind": "expert", "candidate": mworld.experts["own"].pk, "decision": "accept"}, follow=True
    )
    assert "已推送给" in r.content.decode()
    r = client.post(
        url,
        {"kind": "expert", "candidate": mworld.experts["other"].pk, "decision": "decline", "reason": "other"},
        follow=True,
    )
    assert "原因为“其他”时请填写说明" in r.content.decode()
    assert not Match.objects.filter(expert=mworld.experts["other"]).exists()
    client.post(
        url,
        {
            "kind": "expert",
            "candidate": mworld.experts["other"].pk,
            "decision": "decline",
            "reason": "too_early",
        },
    )
    assert Match.objects.get(expert=mworld.experts["other"]).reason == "too_early"
    # the need page lists both decisions for the coordinator, only the accepted one for the enterprise
    coord_page = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert "王石墨" in coord_page and "李农机" in coord_page and "查看匹配推荐" in coord_page
    ent_page = client_for("enterprise").get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert "已对接的专家与资源" in ent_page and "王石墨" in ent_page and "李农机" not in ent_page
    assert "查看匹配推荐" not in ent_page


def test_the_expert_sees_the_invitation_and_responds(mworld, client_for):
    need = mworld.needs["pub_laixi"]
    client_for("coordinator").post(
        reverse("matching:decide", args=[need.pk]),
        {"kind": "expert", "candidate": mworld.experts["own"].pk, "decision": "accept"},
    )
    client = client_for("expert")
    home = client.get(reverse("home:home")).content.decode()
    assert "对接邀请" in home and need.title in home and "待回复" in home
    inbox = client.get(reverse("matching:inbox")).content.decode()
    assert need.title in inbox and "有意向对接" in inbox
    m = Match.objects.get()
    r = client.post(
        reverse("matching:respond", args=[need.pk]),
        {"match": m.pk, "response": "proposal", "text": "短"},
        follow=True,
    )
    assert "请简要写出初步方案" in r.content.decode()
    r = client.post(
        reverse("matching:respond", args=[need.pk]),
        {"match": m.pk, "response": "interested", "text": ""},
        follow=True,
    )
    assert "已回复" in r.content.decode()
    m.refresh_from_db()
    assert m.response == "interested"
    # the enterprise sees the answer on its need page
    ent = client_for("enterprise").get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert "有意向对接" in ent
    assert 'data-testid="need-invitation"' not in ent  # the enterprise is not the one invited


def test_reverse_lookups_on_expert_and_achievement_pages(mworld, client_for):
    client = client_for("coordinator")
    page = client.get(reverse("experts:detail", args=[mworld.experts["own"].pk])).content.decode()
    assert reverse("matching:expert_needs", args=[mworld.experts["own"].pk]) in page
    part = client.get(
        reverse("matching:expert_needs", args=[mworld.experts["own"].pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in part and "石墨烯规模化制备" in part
    page = client.get(reverse("experts:achievement", args=[mworld.achievements["own"].pk])).content.decode()
    assert reverse("matching:achievement_needs", args=[mworld.achievements["own"].pk]) in page
    full = client.get(
        reverse("matching:achievement_needs", args=[mworld.achievements["own"].pk])
    ).content.decode()
    assert "<html" in full and "可能适合的需求" in full and "石墨烯规模化制备" in full


def test_the_expert_home_lazy_loads_needs_for_the_expert(mworld, client_for):
    home = client_for("expert").get(reverse("home:home")).content.decode()
    assert "可能适合您的需求" in home
    assert reverse("matching:expert_needs", args=[mworld.experts["own"].pk]) in home


def test_the_need_page_shows_the_reader_only_the_invitation_for_that_need(mworld, client_for):
    """The invitation card is the reader's routed matches of this need, not of every need."""
    coordinator = client_for("coordinator")
    for key in ("pub_laixi", "pub_zone"):
        coordinator.post(
            reverse("matching:decide", args=[mworld.needs[key].pk]),
            {"kind": "expert", "candidate": mworld.experts["own"].pk, "decision": "accept"},
        )
    assert Match.objects.filter(status="accepted", expert=mworld.experts["own"]).count() == 2
    expert = client_for("expert")
    for key in ("pub_laixi", "pub_zone"):
        html = expert.get(reverse("needs:detail", args=[mworld.needs[key].pk])).content.decode()
        card = html.split('data-testid="need-invitation"', 1)[1].split("</div>", 1)[0]
        assert card.count("<p>") == 1 and "协调员邀请您对接此需求" in card
    other = expert.get(reverse("needs:detail", args=[mworld.needs["pub_laoshan"].pk]))
    assert other.status_code == 404 or 'data-testid="need-invitation"' not in other.content.decode()
