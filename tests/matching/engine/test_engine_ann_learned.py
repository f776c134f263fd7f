"""Learned fusion (ltr.py) on top of the two dense indexes.

Below the threshold the exact ``DenseIndex`` must rank exactly as main's engine did before the
approximate index existed (golden rankings recorded from that code); above it the learned
features are computed over the approximate index's rescored candidate pool (ANN candidates ∪ the
lexical best ∪ the fixed floor sample), and every row outside that pool ranks below it.
"""

import json

import numpy as np
import pytest
from engine_fakes import FakeEmbedder, pool

from kechuang.matching.engine import Engine, FusionConfig, Query
from kechuang.matching.engine.ann import AnnDenseIndex
from kechuang.matching.engine.dense import DenseIndex
from kechuang.matching.engine.engine import LEXICAL_HINT
from kechuang.matching.engine.ltr import FEATURES, FORMAT

# the model shipped when the golden rankings below were recorded, pinned so that retraining
# ltr_model.json does not change what this test compares
WEIGHTS = [
    -0.194905, 0.764529, -0.104416, 0.0, 0.594107, -0.05661, -0.280209, -0.71173, 0.230235,
    1.115654, 1.653126, 0.459169, 0.870947, -1.081041, -0.012353, 1.523916, 1.650684, 1.463725,
    0.0,  # ``cluster`` (ADR 0053), added later: weight 0 keeps the recorded scores
]  # fmt: skip

# top 10 (id, score) of main's engine (commit 3a592b5 + fixes, exact DenseIndex, learned fusion)
# on ``pool(400)`` with FakeEmbedder and the model above; the full rankings (all 400 rows, scores
# to the last bit) were compared with this branch when it was merged and were identical.
# Re-recorded in session 7 (engine unchanged) on an AMD EPYC without AVX-512: on the machine where
# they were first recorded, the float32 dot products differed in the last bits (≤ 1e-9), and for
# "工业机器人" that (most likely) flipped a near-tie in the first stage, which moved one candidate by 5.6e-4
# (c0083, rank 3 → 4). A golden ranking is therefore only exact on one kind of CPU.
GOLDEN = {
    "石墨烯薄膜 规模化制备": [
        ("c0090", 0.9976169689574549),
        ("c0270", 0.9965333585571389),
        ("c0258", 0.9964267231311514),
        ("c0222", 0.9957798659257763),
        ("c0390", 0.9955386974557537),
        ("c0102", 0.9953247172724722),
        ("c0306", 0.9953247172724722),
        ("c0030", 0.994976991672898),
        ("c0126", 0.9947258897689604),
        ("c0150", 0.994708968712822),
    ],
    "水稻育种方法": [
        ("c0265", 0.9976991336383769),
        ("c0055", 0.9965215763462895),
        ("c0115", 0.9965166751208273),
        ("c0295", 0.9949956756602784),
        ("c0205", 0.9946942375693657),
        ("c0175", 0.9946697825355294),
        ("c0235", 0.9942869498418542),
        ("c0325", 0.994048210247215),
        ("c0145", 0.9928480408994517),
        ("c0385", 0.9923408861271147),
    ],
    "桥梁监测应用": [
        ("c0057", 0.9966281228653154),
        ("c0267", 0.9961740299131857),
        ("c0351", 0.9956827097942528),
        ("c0087", 0.9947804935725759),
        ("c0387", 0.994498895650578),
        ("c0117", 0.9939631733315556),
        ("c0081", 0.9935273987890617),
        ("c0261", 0.993104507867082),
        ("c0141", 0.9929319392893994),
        ("c0177", 0.9916195856564932),
    ],
    "疫苗佐剂 锂电池": [
        ("c0166", 0.9977326474693744),
        ("c0082", 0.9969481027894062),
        ("c0298", 0.9966080370832295),
        ("c0334", 0.9960427941546651),
        ("c0214", 0.995618034873232),
        ("c0346", 0.9943891071592927),
        ("c0046", 0.9942667920357161),
        ("c0382", 0.9942667920357161),
        ("c0322", 0.9940365612586171),
        ("c0250", 0.9929338589976905),
    ],
    "工业机器人": [
        ("c0335", 0.9966969594115086),
        ("c0125", 0.9960946905191493),
        # twins (equal lexical and dense scores) that tie to 1e-6; ordered by id. On another CPU in
        # session 13, BLAS's last bits split their prf rank: c0083 scored 0.995252 (rank features and the
        # final order now read scores to 1e-6, ltr.RANK_DECIMALS / top_order)
        ("c0083", 0.9958073609260827),
        ("c0167", 0.9958073604601717),
        ("c0005", 0.9949509931795598),
        ("c0293", 0.9947655001524407),
        ("c0215", 0.9944774886904828),
        ("c0209", 0.9940290740250269),
        ("c0155", 0.9937722778576732),
        ("c0251", 0.993422646013066),
    ],
}
GOLDEN_RESTRICTED = [  # "疫苗佐剂", allowed = every third row, c0003 excluded
    ("c0102", 0.9974421757466408),
    ("c0306", 0.9974421757466408),
    ("c0258", 0.9954873568341709),
    ("c0222", 0.9923974750019132),
    ("c0378", 0.9894246717959742),
    ("c0246", 0.9872129319774527),
    ("c0126", 0.9871288891828712),
    ("c0066", 0.9861603338847834),
    ("c0114", 0.983329880911723),
    ("c0042", 0.9832601768078024),
]




# Scores within float32 noise of another BLAS kernel (up to 1.05e-6 seen between two CPUs); ids exactly.
SCORE_TOL = 1e-5


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> FusionConfig:
    path = tmp_path_factory.mktemp("ltr") / "model.json"
    model = {"format": FORMAT, "features": list(FEATURES), "weights": WEIGHTS, "bias": 0.0, "meta": {}}
    path.write_text(json.dumps(model), encoding="utf-8")
    return FusionConfig(model_path=str(path))


def test_small_index_ranks_exactly_as_mains_engine(config):
    index = Engine(config, embedder=FakeEmbedder()).build(pool(400))
    assert type(index.dense) is DenseIndex  # 400 profiles: far below ANN_MIN_PROFILES
    for text, want in GOLDEN.items():
        res = index.search(Query(problem=text), top_k=10)
        assert [r.id for r in res.results] == [i for i, _ in want]
        assert [r.score for r in res.results] == pytest.approx([s for _, s in want], abs=SCORE_TOL)
    allowed = [f"c{i:04d}" for i in range(0, 400, 3)]
    res = index.search("疫苗佐剂", top_k=10, allowed_ids=allowed, exclude={"c0003": "x"})
    assert [r.id for r in res.results] == [i for i, _ in GOLDEN_RESTRICTED]
    assert [r.score for r in res.results] == pytest.approx([s for _, s in GOLDEN_RESTRICTED], abs=SCORE_TOL)
    # the exact index has no candidate pool: every row is scored by the model
    sig = index.signals("工业机器人")
    assert index.rescored(sig, np.arange(len(index))) is None


N = 1200


@pytest.fixture(scope="module")
def pair(config):
    """The same 1200 profiles with the exact index and with a deliberately small approximate one
    (small floor sample and ANN candidate set, so most rows are not rescored)."""
    cands = pool(N)
    exact = Engine(config, embedder=FakeEmbedder()).build(cands)
    approx = Engine(config, embedder=FakeEmbedder()).build(cands)
    d = exact.dense
    approx.dense = AnnDenseIndex.build(
        d.n, d.dim, d.summary, d.has_summary, d.docs, d.doc_counts,
        nlist=16, nprobe=4, k_vectors=150, floor_sample=100,
    )  # fmt: skip
    return exact, approx


QUERIES = ["石墨烯薄膜 规模化制备", "水稻育种方法", "桥梁监测应用", "疫苗佐剂 锂电池", "一种装置 系统"]


def test_learned_features_are_computed_over_the_rescored_candidate_pool(pair):
    exact, approx = pair
    rows = np.arange(N)
    for text in QUERIES:
        sig = approx.signals(Query(problem=text))
        cand = approx.rescored(sig, rows)
        assert cand is not None and 0 < len(cand) < N  # approximate: a real candidate pool
        # the pool holds the ANN candidates, the lexical best and the floor sample
        assert set(approx.dense._floor_rows.tolist()) <= set(cand.tolist())
        positive = np.flatnonzero(sig.lexical > 0)
        assert len(positive) > LEXICAL_HINT  # else the lexical side alone would cover them all
        kth = np.sort(sig.lexical)[::-1][LEXICAL_HINT - 1]
        assert set(np.flatnonzero(sig.lexical > kth).tolist()) <= set(cand.tolist())
        assert len(np.intersect1d(positive, cand)) >= LEXICAL_HINT
        feats = approx.features(sig, rows[cand])
        assert feats.shape == (len(cand), len(FEATURES)) and np.isfinite(feats).all()
        # outside the pool: below every candidate, ordered by their first-stage fusion
        scores = approx.fused_scores(sig, rows)
        rest = np.setdiff1d(rows, cand)
        assert scores[rest].max() < scores[cand].min()
        res = approx.search(Query(problem=text), top_k=None)
        pos = {r.id: k for k, r in enumerate(res.results)}
        assert max(pos[approx.ids[i]] for i in cand) < min(pos[approx.ids[i]] for i in rest)


def test_learned_top10_with_the_candidate_pool_agrees_with_the_exact_index(pair):
    exact, approx = pair
    overlap = []
    for text in QUERIES:
        a = [r.id for r in exact.search(Query(problem=text), top_k=10).results]
        b = [r.id for r in approx.search(Query(problem=text), top_k=10).results]
        overlap.append(len(set(a) & set(b)) / 10)
    # a deliberately tiny floor sample / ANN set (the real defaults are measured in
    # bench/matching/scale.py); this guards against the pool features going wrong wholesale
    assert np.mean(overlap) >= 0.7


def test_restricted_small_pool_is_rescored_entirely_and_scored_like_the_exact_index(pair):
    exact, approx = pair
    allowed = [f"c{i:04d}" for i in range(0, N, 7)]
    for text in QUERIES[:3]:
        q = Query(problem=text)
        a = exact.search(q, top_k=None, allowed_ids=allowed).results
        b = approx.search(q, top_k=None, allowed_ids=allowed).results
        assert len(a) == len(b) == len(allowed)
        want = {r.id: r.score for r in a}
        # same pool, same features up to the 8-bit codes (rank features may swap near ties)
        got = np.array([r.score for r in b])
        ref = np.array([want[r.id] for r in b])
        assert np.median(np.abs(got - ref)) < 0.01
        assert {r.id for r in a[:5]} & {r.id for r in b[:5]}


def test_pseudo_query_projection_and_centroid_norms_match_the_exact_vectors(pair):
    exact, approx = pair
    d, ann = exact.dense, approx.dense
    rng = np.random.default_rng(3)
    rows = np.sort(rng.choice(N, size=200, replace=False))
    qm = rng.standard_normal((d.dim, 2)).astype(np.float32)
    qm /= np.linalg.norm(qm, axis=0)
    summ, docs = ann.project(qm, rows)
    inside = np.zeros(N, dtype=bool)
    inside[rows] = True
    assert np.isnan(summ[~inside]).all() and not np.isnan(summ[rows]).any()
    with_summary = rows[d.has_summary[rows]]
    np.testing.assert_allclose(summ[with_summary], (d.summary @ qm)[with_summary], atol=0.02)
    ids = np.concatenate([np.arange(d.doc_offsets[i], d.doc_offsets[i + 1]) for i in rows])
    np.testing.assert_allclose(docs[ids], (d.docs @ qm)[ids], atol=0.02)
    outside = np.setdiff1d(np.arange(d.docs.shape[0]), ids)
    assert (docs[outside] == -1).all()
    np.testing.assert_allclose(ann.centroid_norms(rows), exact._centroid_norms()[rows], atol=0.02)
    # the decoded-vector slices Index._centroid reads
    i = int(rows[np.argmax(d.doc_counts[rows])])
    off, c = int(d.doc_offsets[i]), int(d.doc_counts[i])
    np.testing.assert_allclose(ann.docs[off : off + c], d.docs[off : off + c], atol=0.02)


def test_pool_median_with_an_approximate_index_stands_for_the_whole_pool(pair):
    """The page's 匹配度 runs from the pool's median to the best; with most rows not rescored, the
    median over all rows would be a placeholder (~0) and every suggestion would read ~100 %."""
    exact, approx = pair
    rows = np.arange(N)
    for text in QUERIES:
        q = Query(problem=text)
        want = exact.search(q, top_k=10).pool_median
        got = approx.search(q, top_k=10).pool_median
        placeholders = float(np.median(approx.fused_scores(approx.signals(q), rows)))
        assert placeholders < 0.1 < want  # what the median over every row would have been
        assert abs(got - want) < 0.1  # a 100-profile floor sample here; 8192 by default
