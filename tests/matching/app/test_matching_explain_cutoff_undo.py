"""Issue 14, the suggestions page: matched terms are the need's words (context labelled), the relevance
cut-off and bands, 暂不可对接 experts not first without a reason, undo with history, declines that stay
out until their evidence changes, and the reverse lookup's statistics over visible needs only."""

from __future__ import annotations

import math

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse

from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry
from kechuang.experts.models import Expert, Publication
from kechuang.matching import docs, ranking, selectors, services
from kechuang.matching.engine.explain import displayable
from kechuang.matching.engine.tokenize import STOPWORDS
from kechuang.matching.models import Match, MatchDecision
from kechuang.needs.models import Need


# --------------------------------------------------------------------------- matched terms
def test_displayable_terms_are_never_single_characters_or_stopwords():
    assert displayable("石墨烯") and displayable("graphene")
    assert not displayable("化") and not displayable("高")
    assert all(not displayable(w) for w in list(STOPWORDS)[:50])


@pytest.fixture
def battery(mworld):
    """A need whose company profile (需求背景) speaks of 储能 and 农业机械, words the need itself never uses."""
    need = mworld.needs["pub_laixi"]
    need.background = "企业成立于2003年，主导产品为储能电站和农业机械，计划向高端市场拓展。"
    need.save()
    Expert.objects.filter(pk=mworld.experts["other"].pk).update(keywords=["农业机械", "储能"])
    return mworld


def _need_words(need) -> str:
    return "".join([need.title, need.problem, need.goal, "".join(need.keywords or [])])


def test_matched_terms_are_words_of_the_need_and_profile_words_are_labelled(battery):
    need = battery.needs["pub_laixi"]
    r = ranking.rank_for_need(need, "expert")
    rows = {row.obj.pk: row for row in r.rows}
    assert rows, "the need has suggestions"
    for row in r.rows:
        for t in row.explanation["matched_terms"]:
            assert len(t) >= 2 and t not in STOPWORDS and t in _need_words(need), t
    other = rows[battery.experts["other"].pk]
    ctx = {c["term"]: c["source"] for c in other.explanation["context_terms"]}
    assert ctx.get("储能") == "background" and ctx.get("农业机械") == "background"
    assert "储能" not in other.explanation["matched_terms"]
    # evidence highlights only the need's own words too
    for row in r.rows:
        for ev in row.explanation["evidence"]:
            for a, b in ev["spans"]:
                span = ev["sentence"][a:b]
                assert any(span[k : k + 2] in _need_words(need) for k in range(len(span) - 1)), (span, ev)
            assert "储能" not in ev["terms"]
    # and the page says where those words come from
    assert ranking.Row  # (rendering below)


def test_the_page_labels_profile_words_and_shows_the_legend_and_the_benchmark_line(battery, client_for):
    need = battery.needs["pub_laixi"]
    html = client_for("coordinator").get(reverse("matching:suggestions", args=[need.pk])).content.decode()
    assert "来自企业简介" in html and "储能" in html
    assert "相对本需求最佳候选的匹配度" in html
    summary = docs.benchmark_summary()
    assert summary is not None
    assert 'data-testid="benchmark-line"' in html
    for s in summary["sets"]:  # as the template prints it (floatformat rounds 0.485 up, f"{:.2f}" down)
        assert f"{s['label']} {floatformat(s['value'], 2)}" in html
    assert reverse("matching:benchmarks") in html


def test_the_benchmark_line_follows_the_file_and_disappears_without_it(tmp_path):
    f = tmp_path / "b.json"
    f.write_text('{"metric": "nDCG@10", "sets": [{"label": "X 集", "value": 0.777}]}', encoding="utf-8")
    assert docs.benchmark_summary(f)["sets"][0]["value"] == 0.777
    assert docs.benchmark_summary(tmp_path / "missing.json") is None
    f.write_text('{"sets": []}', encoding="utf-8")
    assert docs.benchmark_summary(f) is None


def test_the_benchmark_line_names_the_known_sets_in_the_reader_s_language(tmp_path):
    from django.utils import translation

    f = tmp_path / "b.json"
    f.write_text('{"sets": [{"key": "csl_title", "label": "CSL 标题", "value": 0.4}]}', encoding="utf-8")
    label = docs.benchmark_summary(f)["sets"][0]["label"]
    with translation.override("zh-hans"):
        assert str(label) == "CSL 标题"
    with translation.override("en"):
        assert str(label) == "CSL title"


def test_the_benchmarks_page_renders_the_doc_escaped(world, client_for):
    html = client_for("coordinator").get(reverse("matching:benchmarks")).content.decode()
    assert "<table>" in html and "nDCG@10" in html and 'id="matching"' in html
    out = str(
        docs.render_markdown("# T\n\n<script>alert(1)</script> **b**\n\n| a | b |\n|---|---|\n| <i> | 2 |")
    )
    assert "<script>" not in out and "&lt;script&gt;" in out and "<strong>b</strong>" in out
    assert "<td>&lt;i&gt;</td>" in out


# --------------------------------------------------------------------------- cut-off and bands
class _Obj:
    def __init__(self, pk, availability="available"):
        self.pk = pk
        self.availability = availability


def _rows(specs, kind="expert"):
    return [
        ranking.Row(kind, _Obj(i + 1, av), score, i + 1, {"matched_terms": terms})
        for i, (score, terms, av) in enumerate(specs)
    ]


def test_the_cut_off_is_relative_to_the_best_and_needs_evidence_of_the_need():
    rows = _rows(
        [
            (0.9, ["石墨烯"], "available"),
            (0.8, ["石墨烯"], "available"),  # 0.89 of the best: high
            (0.6, ["分散"], "available"),  # 0.67: medium
            (0.5, ["分散"], "available"),  # 0.56: below the cut-off
            (0.85, [], "available"),  # close to the best but no word of the need (keyword-only)
        ]
    )
    ranking.apply_cutoff(rows, dense_used=False)
    bands = {r.pk: r.band for r in rows}
    assert bands == {1: "high", 2: "high", 3: "medium", 4: "low", 5: "low"}
    assert [r.pk for r in rows] == [1, 2, 3, 4, 5] or [r.pk for r in rows][:3] == [1, 2, 3]
    assert [r.rank for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].relative == 1.0 and round(rows[2].relative, 3) == round(0.6 / 0.9, 3)
    # with the semantic signal, a candidate without shared words may stay above the fold
    rows = _rows([(0.9, ["石墨烯"], "available"), (0.85, [], "available")])
    ranking.apply_cutoff(rows, dense_used=True)
    assert [r.band for r in rows] == ["high", "high"]


def test_the_cut_off_reads_learned_scores_on_their_log_odds_scale():
    """The learned fusion's sigmoid saturates: 0.999 / 0.99 / 0.95 are all ≥ 95 % of the best, yet the
    last is far weaker. Measured from the pool's median (a typical candidate) on the log-odds scale."""
    specs = [
        (0.999, ["正极"], "available"),
        (0.998, ["正极"], "available"),
        (0.99, ["正极"], "available"),
        (0.95, ["正极"], "available"),
    ]
    rows = _rows(specs)
    ranking.apply_cutoff(rows, dense_used=True, fusion="learned", baseline=0.5)
    logit = [math.log(p / (1 - p)) for p, _, _ in specs]
    assert [r.relative for r in rows] == pytest.approx([x / logit[0] for x in logit])
    assert [r.band for r in rows] == ["high", "high", "medium", "low"]
    # the same scores read as min-max scores would all be 高
    rows = _rows(specs)
    ranking.apply_cutoff(rows, dense_used=True)
    assert {r.band for r in rows} == {"high"}


def test_relative_scores_start_from_the_pool_median_and_stay_in_0_1():
    assert ranking.relative_scores([0.9, 0.6, 0.3, 0.1], "minmax", baseline=0.3) == pytest.approx(
        [1.0, 0.5, 0.0, 0.0]
    )
    assert ranking.relative_scores([0.9, 0.6], "minmax") == pytest.approx([1.0, 0.6 / 0.9])  # score / best
    assert ranking.relative_scores([0.7, 0.7], "learned", baseline=0.7) == [1.0, 1.0]  # a pool of equals
    assert ranking.relative_scores([0.0, 0.0], "minmax") == [0.0, 0.0]
    assert ranking.relative_scores([], "learned") == []


def test_nothing_is_above_the_fold_when_nothing_matches_the_need():
    rows = _rows([(0.4, [], "available"), (0.3, [], "available")])
    ranking.apply_cutoff(rows, dense_used=False)
    assert all(r.band == "low" for r in rows)


def test_an_unavailable_expert_is_not_first_and_says_why():
    rows = _rows(
        [(1.0, ["石墨烯"], "unavailable"), (0.95, ["石墨烯"], "available"), (0.2, ["a1"], "available")]
    )
    ranking.apply_cutoff(rows, dense_used=False)
    assert [r.pk for r in rows] == [2, 1, 3]
    first, second = rows[0], rows[1]
    assert first.rank == 1 and not first.note
    assert second.rank == 2 and "暂不可对接" in second.note and "第 1 名" in second.note


def test_the_page_folds_weak_suggestions_and_badges_unavailable_experts(mworld, client_for):
    from kechuang.matching import index

    need = mworld.needs["pub_laixi"]
    Expert.objects.filter(pk=mworld.experts["own"].pk).update(availability="unavailable")
    own_e = Expert.objects.get(pk=mworld.experts["own"].pk)
    peer = Expert.objects.create(
        name="孙同行", title=own_e.title, fields=own_e.fields, keywords=own_e.keywords
    )
    for p in own_e.publications.all():  # the same evidence: about the same score
        Publication.objects.create(expert=peer, title=p.title, abstract=p.abstract)
    index.clear_cache()
    r = ranking.rank_for_need(need, "expert")
    own = next(row for row in r.rows if row.obj.pk == mworld.experts["own"].pk)
    assert own.strong and "暂不可对接" in own.note
    # an unavailable expert is first only when no available one is above the fold, and then says why
    available_strong = [x for x in r.strong_rows if x.obj.availability == "available"]
    first = r.rows[0]
    assert (first.obj.availability == "available") if available_strong else ("暂不可对接" in first.note)
    assert peer.pk in {x.pk for x in r.rows}
    weak = r.weak_rows
    html = client_for("coordinator").get(reverse("matching:suggestions", args=[need.pk])).content.decode()
    assert "暂不可对接" in html
    if weak:
        assert "更多（相关度较低）" in html
        fold = html.split('data-testid="weak-expert"', 1)[1].split('data-testid="section-achievement"', 1)[0]
        for row in weak:
            assert f'data-testid="match-expert-{row.pk}"' in fold


# --------------------------------------------------------------------------- undo and declines
def _decline(world, expert="own", need="pub_laixi"):
    return services.match_decline(
        user=world.users["coordinator"],
        need=world.needs[need],
        kind="expert",
        candidate_id=world.experts[expert].pk,
        reason="out_of_scope",
    )


def test_a_decline_can_be_undone_with_history_and_audit(mworld):
    m = _decline(mworld)
    assert m.declined_fingerprint
    u = services.match_undo(user=mworld.users["coordinator"], need=mworld.needs["pub_laixi"], match_id=m.pk)
    assert u.status == Match.Status.SUGGESTED and not u.reason and u.decided_by is None
    steps = list(MatchDecision.objects.filter(match=m).values_list("action", "from_status", "to_status"))
    assert steps == [("decline", "suggested", "declined"), ("undo", "declined", "suggested")]
    entry = AuditEntry.objects.get(action="match.undo", object_id=str(m.pk))
    assert "out_of_scope" in str(entry.changes)
    # back in the list, and may be decided anew
    r = ranking.rank_for_need(mworld.needs["pub_laixi"], "expert")
    assert mworld.experts["own"].pk in {row.pk for row in r.rows}
    services.match_accept(
        user=mworld.users["coordinator"],
        need=mworld.needs["pub_laixi"],
        kind="expert",
        candidate_id=mworld.experts["own"].pk,
    )


def test_an_accept_can_be_undone_until_the_expert_answers(mworld):
    coord, need = mworld.users["coordinator"], mworld.needs["pub_laixi"]
    m = services.match_accept(user=coord, need=need, kind="expert", candidate_id=mworld.experts["own"].pk)
    assert m.routed_to_user_id
    u = services.match_undo(user=coord, need=need, match_id=m.pk)
    assert u.status == "suggested" and u.routed_to_user_id is None and u.routed_to_org_id is None
    m = services.match_accept(user=coord, need=need, kind="expert", candidate_id=mworld.experts["own"].pk)
    services.match_respond(user=mworld.users["expert"], match=m, response="interested")
    with pytest.raises(ApplicationError, match="已回复"):
        services.match_undo(user=coord, need=need, match_id=m.pk)
    m.refresh_from_db()
    assert m.status == "accepted" and m.response == "interested"
    assert [a for (a,) in MatchDecision.objects.filter(match=m).values_list("action")] == [
        "accept",
        "undo",
        "accept",
    ]


def test_undo_refuses_what_it_must(mworld):
    need = mworld.needs["pub_laixi"]
    m = _decline(mworld)
    with pytest.raises(ApplicationError):
        services.match_undo(user=mworld.users["enterprise"], need=need, match_id=m.pk)
    with pytest.raises(ApplicationError, match="不存在"):
        services.match_undo(user=mworld.users["coordinator"], need=mworld.needs["pub_laoshan"], match_id=m.pk)
    with pytest.raises(ApplicationError, match="无效"):
        services.match_undo(user=mworld.users["coordinator"], need=need, match_id="x")
    services.match_undo(user=mworld.users["coordinator"], need=need, match_id=m.pk)
    with pytest.raises(ApplicationError, match="无需撤销"):
        services.match_undo(user=mworld.users["coordinator"], need=need, match_id=m.pk)
    assert MatchDecision.objects.filter(match=m).count() == 2  # refusals wrote nothing


def test_a_declined_suggestion_does_not_come_back_on_re_suggest(mworld):
    coord, need = mworld.users["coordinator"], mworld.needs["pub_laixi"]
    m = _decline(mworld)
    services.match_suggest(user=coord, need=need)
    m.refresh_from_db()
    assert m.status == "declined"
    r = ranking.rank_for_need(need, "expert")
    assert m.expert_id not in {row.pk for row in r.rows}
    assert m.expert_id in {row.pk for row in r.declined}


def test_a_declined_suggestion_comes_back_when_its_evidence_changed(mworld):
    from kechuang.matching import index

    need = mworld.needs["pub_laixi"]
    m = _decline(mworld)
    Publication.objects.create(
        expert=mworld.experts["own"],
        title="石墨烯分散与一致性控制的新工艺",
        abstract="吨级稳定生产中石墨烯分散一致性问题的系统解决方案。",
    )
    index.clear_cache()
    r = ranking.rank_for_need(need, "expert")
    back = {row.pk: row for row in r.rows}
    assert m.expert_id in back and back[m.expert_id].flag == ranking.FLAG_DECLINED_CHANGED
    assert m.expert_id not in {row.pk for row in r.declined}


def test_the_undo_view_restores_and_says_so(mworld, client_for):
    m = _decline(mworld)
    need = mworld.needs["pub_laixi"]
    client = client_for("coordinator")
    html = client.get(reverse("matching:suggestions", args=[need.pk])).content.decode()
    assert 'data-testid="declined-expert"' in html and reverse("matching:undo", args=[need.pk]) in html
    resp = client.post(reverse("matching:undo", args=[need.pk]), {"match": m.pk}, follow=True)
    assert "已撤销" in resp.content.decode()
    m.refresh_from_db()
    assert m.status == "suggested"


# --------------------------------------------------------------------------- reverse lookup statistics
def _reverse_scores(world, user_key="expert"):
    r = selectors.reverse_needs_for_expert(user=world.users[user_key], expert=world.experts["own"])
    return [
        (row.obj.pk, round(row.score, 9), row.explanation["lexical"], tuple(row.explanation["matched_terms"]))
        for row in r.rows
    ]


def test_an_invisible_confidential_need_changes_nothing_the_reader_sees(mworld):
    from kechuang.matching import index
    from kechuang.needs.selectors import need_list

    user = mworld.users["expert"]
    secret = mworld.needs["secret_ent2"]
    assert not need_list(user=user).filter(pk=secret.pk).exists()
    before = _reverse_scores(mworld)
    assert before
    # the confidential need now speaks of nothing but the expert's own words, many times over
    Need.objects.filter(pk=secret.pk).update(
        problem="石墨烯 规模化制备 石墨烯 分散 一致性 " * 20, keywords=["石墨烯", "规模化制备", "一致性"]
    )
    index.mark_stale("need", enqueue=False)
    index.clear_cache()
    assert _reverse_scores(mworld) == before
    Need.objects.filter(pk=secret.pk).delete()
    index.mark_stale("need", enqueue=False)
    index.clear_cache()
    assert _reverse_scores(mworld) == before


def test_a_recorded_suggestion_declined_later_stays_out(mworld):
    coord, need = mworld.users["coordinator"], mworld.needs["pub_laixi"]
    services.match_suggest(user=coord, need=need)
    m = Match.objects.get(need=need, kind="expert", expert=mworld.experts["own"])
    Match.objects.filter(pk=m.pk).update(
        explanation={"matched_terms": ["过时"], "evidence": []}
    )  # recorded long ago
    _decline(mworld)
    r = ranking.rank_for_need(need, "expert")
    assert m.expert_id in {row.pk for row in r.declined}
    assert m.expert_id not in {row.pk for row in r.rows}


def test_with_vectors_too_an_invisible_need_changes_nothing_and_nothing_is_embedded(mworld):
    from django.test import override_settings
    from matching_fakes import FakeEmbedder

    from kechuang.matching import index

    class Counting(FakeEmbedder):
        passages = 0

        def embed_passages(self, texts):
            Counting.passages += len(texts)
            return super().embed_passages(texts)

    with override_settings(KECHUANG_EMBEDDER=Counting()):
        index.reindex("need")
        index.clear_cache()
        assert index.get_index("need").dense
        embedded = Counting.passages
        r = selectors.reverse_needs_for_expert(user=mworld.users["expert"], expert=mworld.experts["own"])
        assert r.dense_used and r.rows
        before = _reverse_scores(mworld)
        assert Counting.passages == embedded  # the visible-needs index reuses the stored vectors
        Need.objects.filter(pk=mworld.needs["secret_ent2"].pk).update(
            problem="石墨烯 规模化制备 分散 一致性 " * 20, keywords=["石墨烯", "规模化制备"]
        )
        index.reindex("need")
        index.clear_cache()
        assert _reverse_scores(mworld) == before


def test_with_vectors_the_page_reads_learned_scores_from_the_pool_median(mworld, monkeypatch):
    """With the dense signal the learned fusion ranks; the page's 匹配度 is measured on its log-odds
    scale from the median of the pool the search ranked (not score / best, which saturates)."""
    from django.test import override_settings
    from matching_fakes import FakeEmbedder

    from kechuang.matching import index
    from kechuang.matching.engine import engine as engine_mod

    seen = []
    real_search = engine_mod.Index.search

    def spy(self, *args, **kwargs):
        res = real_search(self, *args, **kwargs)
        seen.append(res)
        return res

    monkeypatch.setattr(engine_mod.Index, "search", spy)
    with override_settings(KECHUANG_EMBEDDER=FakeEmbedder()):
        index.reindex("expert")
        index.clear_cache()
        r = ranking.rank_for_need(mworld.needs["pub_laixi"], "expert")
    assert r.dense_used and r.fusion == "learned" and len(r.rows) >= 2
    res = seen[-1]
    assert res.fusion == "learned" and 0.0 < res.pool_median < 1.0
    by_pk = {row.pk: row for row in r.rows}
    expected = ranking.relative_scores([s.score for s in res.results], "learned", res.pool_median)
    for s, rel in zip(res.results, expected, strict=True):
        if int(s.id) in by_pk:
            assert by_pk[int(s.id)].relative == pytest.approx(rel)
    assert max(row.relative for row in r.rows) == 1.0
