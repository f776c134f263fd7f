"""The query-time shortcuts of ADR 0039 compute exactly what the longer ways computed.

Each shortcut is compared with the straightforward computation it replaced (kept here, or still in
the engine as the general path): one sort for several top-n document means, ranks from one argsort,
query-term coverage from the query's postings, the approximate index's PRF over the candidate pool,
per-profile centroid norms kept between queries, and the per-query OpenBLAS thread setting.
"""

import numpy as np
import pytest
from engine_fakes import FakeEmbedder, pool
from scipy import sparse

from kechuang.matching.engine import Engine, FusionConfig, Query
from kechuang.matching.engine.ann import AnnDenseIndex
from kechuang.matching.engine.dense import (
    _count_groups,
    _openblas_setters,
    blas_threads,
    grouped_top_n_mean,
    grouped_top_n_means,
    top_n_mean,
    top_n_means,
)
from kechuang.matching.engine.engine import Index
from kechuang.matching.engine.ltr import _min_ranks


def _segments(rng, n_segments: int, max_len: int):
    counts = rng.integers(1, max_len + 1, size=n_segments)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return counts, starts


@pytest.mark.parametrize("rounded", [False, True])
def test_several_top_n_means_in_one_pass_are_bit_identical(rounded):
    rng = np.random.default_rng(7)
    counts, starts = _segments(rng, 400, 24)  # short (grouped) and long (> 16) segments
    values = rng.standard_normal(int(counts.sum())).astype(np.float32)
    if rounded:  # many ties
        values = np.round(values, 1).astype(np.float32)
    groups = _count_groups(counts, starts)
    many = grouped_top_n_means(values, groups, len(counts), [5, 1, 2])
    seg_of = np.repeat(np.arange(len(counts)), counts)
    flat = top_n_means(values, starts, seg_of, [1, 2, 5])
    for n in (1, 2, 5):
        one = grouped_top_n_mean(values, groups, len(counts), n)
        assert many[n].tobytes() == one.tobytes()
        assert flat[n].tobytes() == top_n_mean(values, starts, seg_of, n).tobytes()


def test_min_ranks_equal_the_binary_search_ranks():
    rng = np.random.default_rng(1)
    for trial in range(100):
        x = rng.integers(0, 6, size=int(rng.integers(1, 60))).astype(np.float64)
        if trial % 3 == 0:
            x[rng.random(len(x)) < 0.2] = np.nan
        want = np.searchsorted(np.sort(x), x, side="left") + 1
        assert (_min_ranks(x) == want).all()




N = 900


@pytest.fixture(scope="module")
def pair():
    cfg = FusionConfig(method="minmax")  # the raw signals do not need the model file
    cands = pool(N)
    exact = Engine(cfg, embedder=FakeEmbedder()).build(cands)
    approx = Engine(cfg, embedder=FakeEmbedder()).build(cands)
    d = exact.dense
    approx.dense = AnnDenseIndex.build(
        d.n, d.dim, d.summary, d.has_summary, d.docs, d.doc_counts,
        nlist=16, nprobe=4, k_vectors=150, floor_sample=100,
    )  # fmt: skip
    return exact, approx


def _old_coverage(index: Index, sig, rows):
    """The sparse-matrix coverage the engine computed before (pool rows × known tokens)."""
    tokens = list(sig.token_weights)
    w = np.array([sig.token_weights[t] for t in tokens], dtype=np.float64)
    col = {t: j for j, t in enumerate(tokens)}
    total_w = float(w.sum()) or 1.0
    union, kw = None, np.zeros(len(rows))
    for name, fidx in index.lexical.fields.items():
        _, sub = fidx.weighted_scores(sig.token_weights)
        if sub is None:
            continue
        known = [t for t in sig.token_weights if t in fidx.vocab and t != ""]
        b = (sub[rows] > 0).astype(np.float64)
        sel = sparse.csr_matrix(
            (np.ones(len(known)), (np.arange(len(known)), [col[t] for t in known])),
            shape=(len(known), len(tokens)),
        )
        m = b @ sel
        union = m if union is None else union + m
        if name == "keywords":
            kw = np.asarray(m @ w).ravel() / total_w
    union = sparse.csr_matrix(union)
    union.data[:] = 1.0
    return np.asarray(union @ w).ravel() / total_w, kw


@pytest.mark.parametrize("text", ["石墨烯薄膜 锂电池正极", "桥梁健康监测 疫苗佐剂 机器人"])
def test_coverage_from_postings_equals_the_sparse_products(pair, text):
    exact, _ = pair
    sig = exact.signals(Query(problem=text))
    assert sig.fields is not None
    for rows in (np.arange(N), np.arange(3, N, 7)):
        raw = exact.raw_signals(sig, rows)
        cov, kw = _old_coverage(exact, sig, rows)
        assert cov.any() and kw.any()
        np.testing.assert_array_equal(raw.coverage, cov)
        np.testing.assert_array_equal(raw.keyword_coverage, kw)
    # without the per-field scores kept on the signals (e.g. signals pickled by an older bench)
    sig.fields = None
    raw = exact.raw_signals(sig, np.arange(N))
    np.testing.assert_array_equal(raw.coverage, _old_coverage(exact, sig, np.arange(N))[0])


def test_pool_only_prf_equals_the_whole_index_arrays(pair):
    _, approx = pair
    ann = approx.dense
    rng = np.random.default_rng(5)
    rows = np.sort(rng.choice(N, size=250, replace=False))
    qm = rng.standard_normal((ann.dim, 2)).astype(np.float32)
    qm /= np.linalg.norm(qm, axis=0)
    prf, nb = Index._prf_pool(ann, qm, rows, True, True)
    # the whole-index way: project into (n × k) / (m × k) arrays, aggregate, reduce every segment
    summ_all, docs_all = ann.project(qm, rows)
    want_prf = ann.aggregate(
        np.ascontiguousarray(summ_all[:, 0]), np.ascontiguousarray(docs_all[:, 0]), 2, 0.0
    )[rows]
    dot = np.where(ann.has_summary, 0.5 * summ_all[:, 1], 0.0).astype(np.float64)
    sums = np.add.reduceat(
        np.ascontiguousarray(docs_all[:, 1]).astype(np.float64), ann.doc_offsets[ann.with_docs]
    )
    dot[ann.with_docs] += sums / ann.doc_counts[ann.with_docs]
    cn = ann._centroid_norms(rows).astype(np.float64)
    want_nb = np.where(cn > 0, dot[rows] / np.where(cn > 0, cn, 1.0), 0.0)
    # the same arithmetic on differently shaped products: equal to float32 rounding (BLAS picks its
    # kernel by shape and CPU; bit-identical on one machine, a few ulps apart on another)
    np.testing.assert_allclose(prf, want_prf, rtol=0, atol=1e-6)
    np.testing.assert_allclose(nb, want_nb, rtol=0, atol=1e-6)


def test_centroid_norms_are_kept_and_do_not_depend_on_the_batch(pair):
    _, approx = pair
    a = approx.dense  # a fresh index object on the same faiss index and codes: nothing kept yet
    ann = AnnDenseIndex(
        a.n, a.dim, a.has_summary, a.doc_counts, a.index, a.codes, a.vmin, a.vdiff, floor_sample=100
    )
    assert np.isnan(ann._cnorms).all()
    first = ann.centroid_norms(np.arange(0, N, 2))
    assert np.isnan(ann._cnorms[1::2]).all() and not np.isnan(ann._cnorms[0::2]).any()
    rows = np.array([5, 4, 899, 0, 4])  # unordered, repeated, partly known
    got = ann.centroid_norms(rows)
    assert got.tobytes() == ann._centroid_norms(rows).tobytes()
    assert first.tobytes() == ann._centroid_norms(np.arange(0, N, 2)).tobytes()


def test_search_with_one_blas_thread_restores_the_setting(pair):
    exact, _ = pair
    setters = _openblas_setters()
    if not setters:
        pytest.skip("no OpenBLAS found in this process")
    swap, restore = setters[0]
    before = swap(2)
    try:
        seen = []
        real = exact.dense.similarities

        def spy(q):
            now = swap(2)  # the setting inside the query ...
            seen.append(now)
            swap(now)
            return real(q)

        exact.dense.similarities = spy
        try:
            exact.search("石墨烯薄膜", top_k=3)
            with blas_threads(None):  # None leaves it alone
                assert swap(2) == 2
        finally:
            del exact.dense.similarities
        assert seen == [1]
        assert swap(2) == 2  # ... and after it
    finally:
        restore(before)


def test_dense_z_takes_mean_and_spread_from_the_uniform_sample_of_a_candidate_pool():
    from kechuang.matching.engine.ltr import FEATURES, RawSignals, feature_matrix

    rng = np.random.default_rng(2)
    n = 300
    dense = rng.normal(0.80, 0.02, size=n)
    dense[:40] += 0.08  # the ANN candidates: the best of a much larger pool
    sample = np.zeros(n, dtype=bool)
    sample[40:] = True  # the floor sample, drawn uniformly from that pool
    zero = np.zeros(n)
    raw = RawSignals(
        bm25=zero, bm25_fields={}, coverage=zero, keyword_coverage=zero,
        dense_top1=dense, dense_top2=dense, dense_top5=dense, dense_summary=dense,
        dense_default=dense, prf=None, neighbours=None,
        has_summary=np.ones(n, bool), has_vectors=np.ones(n, bool), doc_counts=np.ones(n, int),
    )  # fmt: skip
    col = FEATURES.index("dense_z")
    plain = feature_matrix(raw)[:, col]
    np.testing.assert_allclose(plain, np.clip((dense - dense.mean()) / dense.std(), -3, 3) / 3)
    raw.sample = sample
    est = feature_matrix(raw)[:, col]
    ref = dense[sample]
    np.testing.assert_allclose(est, np.clip((dense - ref.mean()) / ref.std(), -3, 3) / 3)
    # the pool's own mean and spread understated how far ahead of the whole pool the best are
    assert (est[:40] >= plain[:40]).all() and est[:40].mean() > plain[:40].mean()


def test_floor_sample_rescored_from_kept_codes_equals_the_gathered_codes(pair):
    _, approx = pair
    ann = approx.dense
    assert len(ann.floor_rows) == 100 and ann._floor_codes_t.shape == (ann.dim, len(ann._floor_ids))
    rng = np.random.default_rng(9)
    ids = np.unique(np.concatenate([ann._floor_ids[::3], rng.choice(ann.m + ann.n, size=300)]))
    q = rng.standard_normal(ann.dim).astype(np.float32)
    q /= np.linalg.norm(q)
    want = ann.codes[ids].astype(np.float32) @ (q * ann._step) + float(ann._zero @ q)
    np.testing.assert_allclose(ann._dots(ids, q), want, rtol=0, atol=1e-5)
    qm = np.stack([q, -q], axis=1)
    np.testing.assert_allclose(ann._dots(ids, qm), np.stack([want, -want], axis=1), rtol=0, atol=1e-5)
