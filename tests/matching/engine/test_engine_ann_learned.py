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
# Re-recorded in session 14 after two deliberate changes to the engine: rank features and the final
# order read scores to 1e-6 (twins tie on every CPU; this machine split c0083's prf rank again), and
# min-max ranges start at the pool's 2 % quantile, not its minimum (ADR 0055).
GOLDEN = {
    "石墨烯薄膜 规模化制备": [
        ("c0090", 0.997588027579096),
        ("c0270", 0.9964845889550654),
        ("c0258", 0.9963863821979235),
        ("c0222", 0.9957283802960145),
        ("c0390", 0.9954689077646779),
        ("c0102", 0.9953247172724722),
        ("c0306", 0.9953247172724722),
        ("c0030", 0.9948914629354163),
        ("c0126", 0.9946591611373914),
        ("c0150", 0.9946223773132886),
    ],
    "水稻育种方法": [
        ("c0265", 0.9976991336383769),
        ("c0055", 0.9965176805189616),
        ("c0115", 0.9965089410419578),
        ("c0295", 0.994983478707756),
        ("c0205", 0.9946808953923247),
        ("c0175", 0.994647749991524),
        ("c0235", 0.9942689987683444),
        ("c0325", 0.994029046958061),
        ("c0145", 0.9928229516644386),
        ("c0385", 0.9923076810620501),
    ],
    "桥梁监测应用": [
        ("c0057", 0.9966237524896219),
        ("c0267", 0.9961694193336478),
        ("c0351", 0.9956766892154683),
        ("c0087", 0.9947681634650736),
        ("c0387", 0.9944868923602492),
        ("c0117", 0.9939512417835082),
        ("c0081", 0.9935089201633881),
        ("c0261", 0.9930813978364023),
        ("c0141", 0.9929097183449453),
        ("c0177", 0.9915894980868755),
    ],
    "疫苗佐剂 锂电池": [
        ("c0166", 0.9977326474693744),
        ("c0082", 0.996945070491834),
        ("c0298", 0.9966046047452859),
        ("c0334", 0.9960356037667364),
        ("c0214", 0.995607557713728),
        ("c0346", 0.9943722532940477),
        ("c0046", 0.9942505361429896),
        ("c0382", 0.9942505361429896),
        ("c0322", 0.9940190799646083),
        ("c0250", 0.9928825200074141),
    ],
    "工业机器人": [
        ("c0335", 0.9980831763789844),
        ("c0125", 0.9976567043084208),
        ("c0005", 0.9972390094612432),
        ("c0215", 0.996675130126631),
        ("c0155", 0.9966624956404582),
        ("c0065", 0.9958851655030053),
        ("c0275", 0.9958226734071057),
        ("c0035", 0.9951501285794404),
        ("c0095", 0.9951501285794404),
        ("c0185", 0.9951211212137374),
    ],
}
GOLDEN_RESTRICTED = [  # "疫苗佐剂", allowed = every third row, c0003 excluded
    ("c0102", 0.9974421757466408),
    ("c0306", 0.9974421757466408),
    ("c0258", 0.994954607619138),
    ("c0222", 0.9913998609726544),
    ("c0378", 0.9878567134319449),
    ("c0126", 0.9854133220000624),
    ("c0246", 0.9852346759193591),
    ("c0066", 0.9839087216719861),
    ("c0042", 0.9808140204241674),
    ("c0114", 0.9803584280324348),
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


def test_pool_median_with_an_approximate_index_stands_for_the_whole_pool(pair, config):
    """The page's 匹配度 runs from the pool's median to the best; with most rows not rescored, the
    median over all rows would be a placeholder (~0) and every suggestion would read ~100 %."""
    exact, _ = pair
    # a quarter of the pool as floor sample (4096 by default): with the 100 rows of ``pair`` the
    # sample's 2 % quantile is its second-lowest value, too coarse for the features' range (ADR 0055)
    approx = Engine(config, embedder=FakeEmbedder()).build(pool(N))
    d = exact.dense
    approx.dense = AnnDenseIndex.build(
        d.n, d.dim, d.summary, d.has_summary, d.docs, d.doc_counts,
        nlist=16, nprobe=4, k_vectors=150, floor_sample=300,
    )  # fmt: skip
    rows = np.arange(N)
    for text in QUERIES:
        q = Query(problem=text)
        want = exact.search(q, top_k=10).pool_median
        got = approx.search(q, top_k=10).pool_median
        placeholders = float(np.median(approx.fused_scores(approx.signals(q), rows)))
        assert placeholders < 0.1 < want  # what the median over every row would have been
        assert abs(got - want) < 0.1
