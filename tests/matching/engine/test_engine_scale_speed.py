"""The query-time shortcuts of ADR 0052 compute exactly what the longer ways computed.

With an approximate index and learned fusion, ``search`` takes its top and pool median from the
candidate pool instead of scoring and ranking every row; the PRF pass reuses the rescoring's
gathered codes; profile-centroid norms are computed when the index is built (and saved with it).
Each is compared with the general computation it replaces, to the last bit.
"""

import copy
import json

import numpy as np
import pytest
from engine_fakes import FakeEmbedder, pool

from kechuang.matching.engine import Engine, FusionConfig, Query
from kechuang.matching.engine import engine as engine_module
from kechuang.matching.engine.ann import AnnDenseIndex
from kechuang.matching.engine.engine import top_order
from kechuang.matching.engine.fusion import fuse
from kechuang.matching.engine.ltr import FEATURES, FORMAT, cached_model

WEIGHTS = [
    -0.194905, 0.764529, -0.104416, 0.0, 0.594107, -0.05661, -0.280209, -0.71173, 0.230235,
    1.115654, 1.653126, 0.459169, 0.870947, -1.081041, -0.012353, 1.523916, 1.650684, 1.463725,
    1.740257,  # ``cluster`` (ADR 0053), the shipped model's weight: the shortcuts hold with it active
]  # fmt: skip
N = 1200
QUERIES = ["石墨烯薄膜 规模化制备", "水稻育种方法", "桥梁监测应用", "疫苗佐剂 锂电池", "一种装置 系统"]


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> FusionConfig:
    path = tmp_path_factory.mktemp("ltr") / "model.json"
    model = {"format": FORMAT, "features": list(FEATURES), "weights": WEIGHTS, "bias": 0.0, "meta": {}}
    path.write_text(json.dumps(model), encoding="utf-8")
    return FusionConfig(model_path=str(path))


def _ann(d, **kw) -> AnnDenseIndex:
    return AnnDenseIndex.build(
        d.n, d.dim, d.summary, d.has_summary, d.docs, d.doc_counts,
        nlist=16, nprobe=4, k_vectors=150, floor_sample=100, **kw,
    )  # fmt: skip


@pytest.fixture(scope="module")
def approx(config):
    """1200 profiles with a deliberately small approximate index (most rows not rescored)."""
    index = Engine(config, embedder=FakeEmbedder()).build(pool(N))
    index.dense = _ann(index.dense)
    return index


def _every_row(index, q, top_k, allowed=None):
    """``search``'s ids, scores and pool median the general way: every row scored and ranked."""
    n = len(index)
    rows = np.arange(n) if allowed is None else np.sort([index.position[i] for i in allowed])
    sig = index.signals(q, None if len(rows) == n else rows)
    fused = index.fused_scores(sig, rows)
    order = top_order(fused, index._id_rank[rows], top_k)
    return [index.ids[i] for i in rows[order]], fused[order].tolist(), index._pool_median(sig, rows, fused)


@pytest.mark.parametrize("top_k", [1, 10, 40])
def test_top_from_the_candidate_pool_equals_ranking_every_row(approx, top_k, monkeypatch):
    taken = []
    real = type(approx)._top_of_candidates

    def spy(self, *a, **k):
        out = real(self, *a, **k)
        taken.append(out is not None)
        return out

    monkeypatch.setattr(type(approx), "_top_of_candidates", spy)
    # a restricted pool larger than this is not rescored entirely (as one of > 20k would not be)
    monkeypatch.setattr(engine_module, "POOL_HINT", 100)
    allowed = [approx.ids[i] for i in range(0, N, 2)]
    for text in QUERIES:
        for pool_ids in (None, allowed):
            q = Query(problem=text)
            res = approx.search(q, top_k=top_k, allowed_ids=pool_ids)
            ids, scores, median = _every_row(approx, q, top_k, pool_ids)
            assert [r.id for r in res.results] == ids
            assert [r.score for r in res.results] == scores  # bit-identical
            assert res.pool_median == median
    assert taken and all(taken)  # the candidate pool's shortcut was the one used


def test_rows_outside_the_pool_that_could_tie_fall_back_to_ranking_every_row(approx, config, monkeypatch):
    """Scores that round to 0 (1e-9 grid) tie with the rows outside the pool: those are then ranked
    too, by id, as before."""
    model = cached_model(config.model_path)
    monkeypatch.setattr(type(model), "score", lambda self, x: np.full(len(x), 1e-12))
    q = Query(problem=QUERIES[0])
    res = approx.search(q, top_k=20)
    ids, scores, median = _every_row(approx, q, 20)
    assert [r.id for r in res.results] == ids and [r.score for r in res.results] == scores
    assert res.pool_median == median
    sig = approx.signals(q)
    cand = approx.rescored(sig, np.arange(N))
    assert any(approx.ids[i] not in {approx.ids[j] for j in cand} for i in map(approx.position.get, ids))


def test_prf_pass_reuses_the_rescorings_gathered_codes_to_the_last_bit(approx):
    d = approx.dense
    rng = np.random.default_rng(5)
    for text in QUERIES:
        sig = approx.signals(Query(problem=text))
        keep = sig.dense_keep
        assert keep is not None and keep["codes"] is not None  # rows outside the floor sample
        rows = np.arange(N)[approx.rescored(sig, np.arange(N))]
        assert np.array_equal(keep["rows"], rows)
        qm = rng.standard_normal((d.dim, 2)).astype(np.float32)
        fresh = d.project_rows(qm, rows)
        reused = d.project_rows(qm, rows, keep)
        for a, b in zip(fresh, reused, strict=True):
            assert a.tobytes() == b.tobytes()
        # other rows: the kept state is not used
        other = rows[::2]
        for a, b in zip(d.project_rows(qm, other), d.project_rows(qm, other, keep), strict=True):
            assert a.tobytes() == b.tobytes()
        # the search uses it once and drops it (a Signals kept by a caller does not hold the codes)
        first = fuse(sig.lexical[rows], approx.dense_scores(sig)[rows], approx.config, d.has_vectors[rows])
        prf = approx._prf(sig, rows, first)
        assert sig.dense_keep is None
        again = approx._prf(sig, rows, first)
        assert prf[1] is not None
        for a, b in zip(prf, again, strict=True):
            assert (a is None and b is None) or a.tobytes() == b.tobytes()


def test_centroid_norms_computed_at_build_equal_the_per_query_ones_and_are_saved(approx, tmp_path):
    d = approx.dense
    built = d._cnorms.copy()
    assert not np.isnan(built).any()
    rows = np.sort(np.random.default_rng(2).choice(N, size=300, replace=False))
    d.save(tmp_path / "new")
    assert AnnDenseIndex.load(tmp_path / "new")._cnorms.tobytes() == built.tobytes()
    # a save without them (older format of ann-meta.npz) loads, and computes them query by query
    d.save(tmp_path / "old")
    meta = dict(np.load(tmp_path / "old" / "ann-meta.npz"))
    del meta["centroid_norms"]
    np.savez(tmp_path / "old" / "ann-meta.npz", **meta)
    old = AnnDenseIndex.load(tmp_path / "old")
    assert np.isnan(old._cnorms).all()
    assert old.centroid_norms(rows).tobytes() == built[rows].tobytes()


def test_floor_sample_products_from_the_transposed_codes_are_the_same_numbers(approx):
    """Several pseudo-queries are projected onto the floor sample through its transposed copy:
    the same numbers (to float32 rounding) as the row-major product it replaced (one column takes another kernel; it is
    checked against the decoded codes in test_engine_query_speed.py)."""
    d = approx.dense
    rng = np.random.default_rng(9)
    ids = np.sort(np.concatenate([d._floor_ids[::3], rng.choice(d.m + d.n, size=200, replace=False)]))
    ids = np.unique(ids)
    for k in (2, 3):
        q = rng.standard_normal((d.dim, k)).astype(np.float32)
        got = d._dots(ids, q)
        qs = q * d._step[:, None]
        want = np.empty_like(got)
        fids = d._floor_ids
        pos = np.minimum(np.searchsorted(fids, ids), len(fids) - 1)
        hit = fids[pos] == ids
        want[hit] = (d.codes[fids].astype(np.float32) @ qs)[pos[hit]] + d._zero @ q
        want[~hit] = d.codes[ids[~hit]].astype(np.float32) @ qs + d._zero @ q
        # equal to float32 rounding: the transposed product takes another BLAS kernel, whose last
        # bits differ by CPU (bit-identical on session 13's machine, not on session 14's)
        np.testing.assert_allclose(got, want, rtol=0, atol=2e-6)


def test_explanations_tokenise_a_sentence_once_and_say_the_same():
    from kechuang.matching.engine.explain import _sentences, explain, normalize, split_sentences
    from kechuang.matching.engine.tokenize import Tokenizer

    tk = Tokenizer(user_words=["石墨烯薄膜"])
    text = "本文提出石墨烯薄膜的规模化制备方法。Graphene films are grown by CVD."
    assert tk.spans(text) == tuple(tk.tokenize_with_spans(text))
    assert tk.spans(text) is tk.spans(text)  # memoised
    assert ("规模化制备", 10, 15) not in tk.spans(text)
    tk.add_words(["规模化制备"])  # a new dictionary word: the memo is dropped
    assert ("规模化制备", 10, 15) in tk.spans(text)
    assert tk.spans(text) == tuple(tk.tokenize_with_spans(text))
    cand = pool(12)[3]
    weights = {"石墨烯": 2.0, "薄膜": 1.0, "制备": 1.0, "水稻": 1.0, "graphene": 1.0}
    _sentences.cache_clear()
    first = explain(tk, cand, sorted(weights), weights, None, 3)
    assert _sentences.cache_info().currsize > 0
    tk._span_memo.clear()
    calls = []
    real = tk.tokenize_with_spans
    tk.tokenize_with_spans = lambda t: calls.append(t) or real(t)
    assert [e.to_dict() for e in explain(tk, cand, sorted(weights), weights, None, 3)] == [e.to_dict() for e in first]
    n = len(calls)
    assert [e.to_dict() for e in explain(tk, cand, sorted(weights), weights, None, 3)] == [e.to_dict() for e in first]
    assert len(calls) == n  # the second explanation of the same profile did not run jieba again
    for d in cand.documents:
        assert _sentences(d.text) == (normalize(d.text), tuple(split_sentences(d.text)))


def test_candidate_aggregates_grouped_by_document_count_equal_the_max_passes(approx):
    """The approximate index's top-n document means (and the PRF's top-2) sort each document-count
    group once instead of max passes over the candidates' documents: the same bits."""
    from kechuang.matching.engine.dense import top_n_means

    d = approx.dense
    specs = [(2, 0.3), (1, 0.0), (2, 0.0), (5, 0.0)]
    for text in QUERIES:
        sig = approx.signals(Query(problem=text))
        got = d.aggregate_many(sig.summary_sims, sig.doc_sims, specs)
        known = np.flatnonzero(~np.isnan(sig.summary_sims))
        with_docs = known[d.doc_counts[known] > 0]
        counts, starts = d.doc_counts[with_docs], d.doc_offsets[with_docs]
        idx = np.concatenate([np.arange(s, s + c) for s, c in zip(starts, counts, strict=True)])
        seg_starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        seg_of = np.repeat(np.arange(len(with_docs)), counts)
        bests = top_n_means(sig.doc_sims[idx], seg_starts, seg_of, [1, 2, 5])
        for (top, w), arr in zip(specs, got, strict=True):
            part = np.where(d.has_summary[known], sig.summary_sims[known], 0.0).astype(np.float32)
            pos = np.searchsorted(known, with_docs)
            both = d.has_summary[with_docs]
            part[pos] = np.where(both, (1.0 - w) * bests[top] + w * sig.summary_sims[with_docs], bests[top])
            assert arr[known].tobytes() == part.tobytes()


def test_posting_lists_matched_with_an_ascending_pool_give_the_position_maps_positions():
    from kechuang.matching.engine.engine import _pool_positions

    rng = np.random.default_rng(4)
    for _ in range(300):
        n = int(rng.integers(1, 400))
        rows = np.sort(rng.choice(n, size=int(rng.integers(0, n + 1)), replace=False))
        col = np.sort(rng.choice(n, size=int(rng.integers(0, n + 1)), replace=False))
        data = rng.choice([0.0, 0.5, 1.0], size=len(col)).astype(np.float32)
        where = np.full(n, -1)
        where[rows] = np.arange(len(rows))
        want = where[col[data > 0]]
        want = want[want >= 0]
        assert sorted(_pool_positions(col, data, rows).tolist()) == sorted(want.tolist())


@pytest.mark.parametrize("text", ["石墨烯薄膜 锂电池正极", "桥梁健康监测 疫苗佐剂 机器人"])
def test_coverage_of_an_ascending_pool_equals_the_position_map(approx, text, monkeypatch):
    monkeypatch.setattr(engine_module, "POSTINGS_SEARCH_RATIO", 0)  # a pool this small: search too
    sig = approx.signals(Query(problem=text))
    rows = np.arange(5, N, 3)
    fast = approx.raw_signals(sig, rows)
    slow = approx.raw_signals(sig, rows[::-1])  # not ascending: the index-sized position map
    assert fast.coverage.any() and fast.keyword_coverage.any()
    assert fast.coverage.tobytes() == slow.coverage[::-1].tobytes()
    assert fast.keyword_coverage.tobytes() == slow.keyword_coverage[::-1].tobytes()


def test_centroids_of_many_equal_one_at_a_time(approx, config):
    """``_centroids`` (the cluster feature's batch, ADR 0053) gives ``_centroid``'s vectors bit for bit,
    on the approximate index (decoded codes) and on the exact one."""
    exact = Engine(config, embedder=FakeEmbedder()).build(pool(N))
    rng = np.random.default_rng(5)
    for index in (approx, exact):
        idx = rng.choice(len(index), size=150, replace=False)
        counts = index.dense.doc_counts[idx]
        assert (counts == 0).any() and (counts > 1).any() and (~index.dense.has_summary[idx]).any()
        want = np.stack([index._centroid(int(i)) for i in idx])
        np.testing.assert_array_equal(index._centroids(idx), want)


def test_cluster_centroids_come_from_the_float16_copy(config):
    """With the float16 copy (as the platform builds it), the cluster feature's centroids are read from
    it, not from the 8-bit codes: at 100k profiles the codes' error moved the final top 10 (recall 0.970
    against the exact index; 0.984 with the copy)."""
    exact = Engine(config, embedder=FakeEmbedder()).build(pool(N))
    fine, coarse = copy.copy(exact), copy.copy(exact)
    fine.dense, coarse.dense = _ann(exact.dense, fine=True), _ann(exact.dense)
    idx = np.random.default_rng(3).choice(N, size=200, replace=False)
    want = exact._centroids(idx)
    err_fine = np.abs(fine._centroids(idx) - want).max()
    err_coarse = np.abs(coarse._centroids(idx) - want).max()
    assert err_fine <= 1e-3 < err_coarse
    np.testing.assert_array_equal(fine.dense.precise(np.arange(5)), fine.dense.fine[:5].astype(np.float32))
