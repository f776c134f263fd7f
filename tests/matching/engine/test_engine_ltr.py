"""Learned fusion (engine/ltr.py): features, model file loading, fallback, training."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kechuang.matching.engine import Engine, FusionConfig, Query, ltr
from kechuang.matching.engine.ltr import (
    FEATURES,
    LinearRanker,
    RawSignals,
    feature_matrix,
    fit_logistic,
    load_model,
)


def _raw(n=4, **over):
    base = {
        "bm25": np.array([0.0, 1.0, 3.0, 2.0]),
        "bm25_fields": {
            "documents": np.array([0.0, 1.0, 2.0, 0.0]),
            "keywords": np.array([0.0, 0.0, 1.0, 2.0]),
        },
        "coverage": np.array([0.0, 0.5, 1.0, 0.25]),
        "keyword_coverage": np.array([0.0, 0.0, 0.5, 0.25]),
        "dense_top1": np.array([0.7, 0.8, 0.9, 0.75]),
        "dense_top2": np.array([0.7, 0.78, 0.85, 0.75]),
        "dense_top5": np.array([0.7, 0.76, 0.8, 0.75]),
        "dense_summary": np.array([0.0, 0.8, 0.9, 0.7]),
        "dense_default": np.array([0.7, 0.79, 0.88, 0.74]),
        "prf": np.array([0.6, 0.7, 0.9, 0.8]),
        "neighbours": np.array([0.5, 0.6, 0.95, 0.7]),
        "has_summary": np.array([False, True, True, True]),
        "has_vectors": np.array([True, True, True, True]),
        "doc_counts": np.array([1, 2, 3, 0]),
    }
    base.update(over)
    return RawSignals(**base)


def col(x, name):
    return x[:, FEATURES.index(name)]


def test_feature_matrix_shape_and_ranges():
    x = feature_matrix(_raw())
    assert x.shape == (4, len(FEATURES))
    assert np.all(np.isfinite(x))
    z = FEATURES.index("dense_z")
    others = np.delete(x, z, axis=1)
    assert others.min() >= 0.0 and others.max() <= 1.0
    assert x[:, z].min() >= -1.0 and x[:, z].max() <= 1.0


def test_lexical_features_ignore_candidates_without_a_match():
    x = feature_matrix(_raw())
    # no BM25 match → 0 in the min-max column and in the rank column, not "the worst of the matched"
    assert col(x, "bm25")[0] == 0.0 and col(x, "bm25_rank")[0] == 0.0
    assert col(x, "bm25")[2] == 1.0  # the best
    assert col(x, "bm25")[1] == 0.0  # the worst matched one is the minimum of the matched
    assert col(x, "bm25_rank")[2] == pytest.approx(10 / 11)
    assert col(x, "bm25_rank")[3] == pytest.approx(10 / 12)


def test_summary_feature_is_zero_without_a_summary_and_profile_size_grows():
    x = feature_matrix(_raw())
    assert col(x, "dense_summary")[0] == 0.0
    ld = col(x, "log_docs")
    assert ld[3] == 0.0 and ld[0] < ld[1] < ld[2]


def test_dense_features_are_zero_when_dense_is_missing():
    raw = _raw(
        dense_top1=None,
        dense_top2=None,
        dense_top5=None,
        dense_summary=None,
        dense_default=None,
        prf=None,
        neighbours=None,
    )
    x = feature_matrix(raw)
    for name in ("dense_top1", "dense_top2", "dense_summary", "dense_rank", "dense_z", "prf", "neighbours"):
        assert not col(x, name).any(), name
    assert col(x, "bm25").any()


def test_empty_pool():
    raw = _raw(
        bm25=np.zeros(0),
        bm25_fields={},
        coverage=np.zeros(0),
        keyword_coverage=np.zeros(0),
        dense_top1=None,
        dense_top2=None,
        dense_top5=None,
        dense_summary=None,
        dense_default=None,
        prf=None,
        neighbours=None,
        has_summary=np.zeros(0, bool),
        has_vectors=np.zeros(0, bool),
        doc_counts=np.zeros(0, int),
    )
    assert feature_matrix(raw).shape == (0, len(FEATURES))


# -------------------------------------------------------------------------------- model file
def _model(weights=None, bias=0.0):
    w = np.zeros(len(FEATURES)) if weights is None else np.asarray(weights, float)
    return LinearRanker(w, bias, FEATURES, {"note": "test"})


def test_model_round_trips_through_json(tmp_path):
    rng = np.random.default_rng(1)
    m = _model(rng.normal(size=len(FEATURES)), 0.25)
    path = tmp_path / "m.json"
    path.write_text(m.to_json(), encoding="utf-8")
    loaded = load_model(path)
    assert loaded is not None
    x = rng.random((5, len(FEATURES)))
    np.testing.assert_allclose(loaded.score(x), m.score(x), atol=1e-5)
    s = loaded.score(x)
    assert np.all((s > 0) & (s < 1))


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"format": "other", "features": list(FEATURES), "weights": [0] * len(FEATURES)}),
        json.dumps(
            {"format": ltr.FORMAT, "features": list(FEATURES)[:-1], "weights": [0] * (len(FEATURES) - 1)}
        ),
        json.dumps({"format": ltr.FORMAT, "features": list(FEATURES), "weights": [0] * (len(FEATURES) - 1)}),
        json.dumps({"format": ltr.FORMAT, "features": list(FEATURES), "weights": ["x"] * len(FEATURES)}),
    ],
)
def test_bad_model_files_are_rejected(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    assert load_model(path) is None


def test_missing_model_file_gives_none(tmp_path):
    assert load_model(tmp_path / "nope.json") is None
    assert ltr.cached_model(tmp_path / "nope.json") is None


def test_shipped_model_loads_and_matches_the_features():
    m = load_model()
    assert m is not None, "kechuang/matching/engine/ltr_model.json must ship with the engine"
    assert m.features == FEATURES
    assert "tune" in m.meta.get("split", "")


# -------------------------------------------------------------------------------- engine
def test_missing_model_falls_back_to_minmax_fusion(tmp_path, fake_embedder, candidates):
    cands = candidates
    learned = Engine(FusionConfig(model_path=str(tmp_path / "missing.json")), embedder=fake_embedder).build(
        cands
    )
    minmax = Engine(FusionConfig(method="minmax"), embedder=fake_embedder).build(cands)
    q = Query(problem="石墨烯薄膜规模化制备", goal="导热膜产业化")
    a = learned.search(q, top_k=None)
    b = minmax.search(q, top_k=None)
    assert [r.id for r in a.results] == [r.id for r in b.results]
    assert [r.score for r in a.results] == pytest.approx([r.score for r in b.results])
    assert a.fusion == b.fusion == "minmax"  # the fallback says so: the page reads scores on its scale


def test_learned_model_drives_the_ranking(tmp_path, fake_embedder, candidates):
    cands = candidates
    # a model that only looks at keyword coverage: the candidate whose keywords hold the query wins
    w = np.zeros(len(FEATURES))
    w[FEATURES.index("keyword_coverage")] = 5.0
    path = tmp_path / "kw.json"
    path.write_text(_model(w).to_json(), encoding="utf-8")
    index = Engine(FusionConfig(model_path=str(path)), embedder=fake_embedder).build(cands)
    res = index.search(Query(text="水稻 育种"), top_k=None)
    assert res.dense_used and res.fusion == "learned"
    assert res.results[0].id == "rice"
    assert all(0.0 < r.score < 1.0 for r in res.results)
    # rank() agrees with search()
    scores = index.rank(Query(text="水稻 育种"))
    assert index.ids[int(np.argmax(scores))] == "rice"


def test_learned_fusion_without_dense_is_lexical(candidates):
    cands = candidates
    index = Engine(FusionConfig(), embedder=None).build(cands)
    res = index.search(Query(text="锂电池 正极材料"), top_k=3)
    assert not res.dense_used and res.fusion == "minmax"
    assert res.results[0].id == "battery"


def test_search_reports_the_median_score_of_the_pool_it_ranked(fake_embedder, candidates):
    """The page's cut-off starts from a typical candidate of the pool: the median over the pool ranked
    (allowed minus excluded), not over the top-k returned."""
    index = Engine(FusionConfig(), embedder=fake_embedder).build(candidates)
    q = Query(text="锂电池 正极材料")
    pool = [c.id for c in candidates][1:]
    res = index.search(q, top_k=1, allowed_ids=pool, exclude={pool[0]: "conflict"})
    everyone = index.search(q, top_k=None, allowed_ids=pool, exclude={pool[0]: "conflict"})
    assert {r.id for r in everyone.results} == set(pool[1:])
    expected = float(np.median([r.score for r in everyone.results]))
    assert len(res.results) == 1 and res.pool_median == pytest.approx(expected)
    assert res.pool_median < res.results[0].score


def test_features_of_an_index(fake_embedder, candidates):
    cands = candidates
    index = Engine(FusionConfig(), embedder=fake_embedder).build(cands)
    sig = index.signals(Query(keywords=("水稻", "育种")))
    rows = np.arange(len(index.ids))
    x = index.features(sig, rows)
    assert x.shape == (len(cands), len(FEATURES))
    rice = index.ids.index("rice")
    assert col(x, "coverage")[rice] == pytest.approx(1.0)
    assert col(x, "keyword_coverage")[rice] == pytest.approx(1.0)
    assert col(x, "coverage")[index.ids.index("battery")] == 0.0
    # a sub-pool: same features computed over the pool only
    sub = np.array([rice, index.ids.index("battery")])
    xs = index.features(sig, sub)
    assert xs.shape == (2, len(FEATURES))
    assert col(xs, "bm25")[0] == 1.0


# -------------------------------------------------------------------------------- training
def test_fit_logistic_learns_the_informative_feature_and_is_deterministic():
    rng = np.random.default_rng(7)
    x = rng.random((400, 3))
    y = (x[:, 1] + 0.1 * rng.normal(size=400) > 0.5).astype(float)
    w1, b1 = fit_logistic(x, y, l2=1e-4)
    w2, b2 = fit_logistic(x, y, l2=1e-4)
    assert np.array_equal(w1, w2) and b1 == b2
    assert w1[1] > 5 * max(abs(w1[0]), abs(w1[2]))
    # a strong penalty shrinks the weights
    w3, _ = fit_logistic(x, y, l2=1.0)
    assert abs(w3[1]) < abs(w1[1])


# -------------------------------------------------------------------------------- cluster (ADR 0053)
def _cluster_by_hand(index, sig, rows):
    """``cluster`` written out the slow way: the first-stage top CLUSTER_K rows with vectors, and
    for each the mean first-stage score of its CLUSTER_M most similar others (ties: earlier in the top)."""
    first = index.fused_scores(sig, rows, FusionConfig(method="minmax"))
    hv = index.dense.has_vectors[rows]
    ranked = sorted(
        (p for p in range(len(rows)) if hv[p]),
        key=lambda p: (-round(float(first[p]), 9), int(index._id_rank[rows[p]])),
    )[: ltr.CLUSTER_K]
    cents = {}
    for p in ranked:
        c = index._centroid(int(rows[p])).astype(np.float64)
        cents[p] = c / (np.linalg.norm(c) or 1.0)
    want = {}
    for p in ranked:
        others = sorted((q for q in ranked if q != p), key=lambda q: (-float(cents[p] @ cents[q]), ranked.index(q)))
        near = others[: ltr.CLUSTER_M]
        want[p] = float(np.mean([first[q] for q in near]))
    return want


@pytest.mark.parametrize("k", [3, 100])
def test_cluster_is_the_first_stage_score_of_the_closest_colleagues(fake_embedder, candidates, monkeypatch, k):
    import kechuang.matching.engine.engine as engine_mod

    monkeypatch.setattr(engine_mod, "CLUSTER_K", k)
    monkeypatch.setattr(ltr, "CLUSTER_K", k)
    index = Engine(FusionConfig(), embedder=fake_embedder).build(candidates)
    for q in (Query(keywords=("水稻", "育种")), Query(text="锂电池正极材料")):
        sig = index.signals(q)
        rows = np.arange(len(index.ids))
        raw = index.raw_signals(sig, rows)
        want = _cluster_by_hand(index, sig, rows)
        assert sorted(np.flatnonzero(raw.cluster_valid)) == sorted(want)
        for p, v in want.items():
            assert raw.cluster[p] == pytest.approx(v, abs=1e-9)
        outside = ~raw.cluster_valid
        assert not raw.cluster[outside].any()
        x = col(feature_matrix(raw), "cluster")
        assert not x[outside].any() and x.min() >= 0.0 and x.max() <= 1.0
        if k == 3:  # only the first-stage top 3 are defined
            assert raw.cluster_valid.sum() == 3


def test_cluster_prefers_a_candidate_whose_colleagues_match(fake_embedder):
    from kechuang.matching.engine import Candidate, Document

    def person(cid, *docs):
        return Candidate(cid, name=cid, documents=[Document("publication", t, t) for t in docs])

    # "a" works among rice breeders; "b" has one rice paper but works among battery chemists
    cands = [
        person("a", "水稻 育种 抗病 基因"),
        person("a1", "水稻 分子 育种 抗病 品种"),
        person("a2", "水稻 抗病 育种 基因 品种"),
        person("b", "水稻 育种 抗病 基因", "锂电池 正极 材料 高镍", "锂电池 正极 电解液 高镍"),
        person("b1", "锂电池 正极 材料 高镍"),
        person("b2", "锂电池 电解液 正极 材料"),
        person("b3", "锂电池 高镍 正极 电解液"),
    ]
    index = Engine(FusionConfig(), embedder=fake_embedder).build(cands)
    sig = index.signals(Query(keywords=("水稻", "育种")))
    raw = index.raw_signals(sig, np.arange(len(cands)))
    a, b = index.ids.index("a"), index.ids.index("b")
    assert raw.cluster_valid[a] and raw.cluster_valid[b]
    assert raw.cluster[a] > raw.cluster[b]


def test_values_equal_up_to_float32_noise_share_a_rank_and_tie_by_id():
    """Twins' scores differ in the last bits by CPU (BLAS kernels); that must not decide a rank feature
    or the final order (session 14: one machine split a prf rank that another did not)."""
    from kechuang.matching.engine.engine import top_order
    from kechuang.matching.engine.ltr import RANK_K, _rank_feature

    x = np.array([0.9864773, 0.9864774, 0.5, 0.9864773 + 3e-8])
    ranks = _rank_feature(x)
    assert ranks[0] == ranks[1] == ranks[3] == RANK_K / (RANK_K + 1)
    assert ranks[2] == RANK_K / (RANK_K + 4)
    scores = np.array([0.99580736093, 0.99580736046, 0.7])
    id_rank = np.array([1, 0, 2])  # the second row's id sorts first
    assert top_order(scores, id_rank, 2).tolist() == [1, 0]
    assert top_order(np.array([0.9958, 0.9959, 0.7]), id_rank, 2).tolist() == [1, 0]  # a real gap still counts
    assert top_order(np.array([0.9960, 0.9959, 0.7]), id_rank, 2).tolist() == [0, 1]
