"""BM25 built from term counts (the scale bench's way) equals the bm25s-built index."""

import numpy as np
import pytest
from scipy import sparse

from kechuang.matching.engine.lexical import FieldBM25, LexicalIndex

CORPUS = [
    ["石墨烯", "薄膜", "的", "规模化制备", "与", "石墨烯", "导热"],
    ["水稻", "高产", "栽培", "技术", "水稻", "品种"],
    ["锂离子", "电池", "正极", "材料", "石墨烯", "导电剂"],
    ["5G", "antenna", "arrays", "for", "base", "stations", "antenna"],
    [],
    ["石墨烯", "石墨烯", "石墨烯"],
]


def counts(corpus):
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, doc in enumerate(corpus):
        for t in doc:
            rows.append(i)
            cols.append(vocab.setdefault(t, len(vocab)))
    m = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(corpus), len(vocab)))
    return m, vocab


@pytest.mark.parametrize("k1,b", [(1.2, 0.75), (1.5, 0.5), (0.9, 1.0)])
def test_from_counts_equals_bm25s_index(k1, b):
    ref = FieldBM25(CORPUS, k1=k1, b=b)
    m, vocab = counts(CORPUS)
    got = FieldBM25.from_counts(m, vocab, k1=k1, b=b)
    assert got.num_docs == ref.num_docs
    for tok in vocab:
        assert got.doc_freq(tok) == ref.doc_freq(tok)
        np.testing.assert_allclose(got.get_scores([tok]), ref.get_scores([tok]), rtol=1e-5, atol=1e-7)
    weights = {"石墨烯": 2.0, "水稻": 1.0, "antenna": 0.5, "没有": 3.0}
    a, _ = got.weighted_scores(weights)
    r, _ = ref.weighted_scores(weights)
    np.testing.assert_allclose(a, r, rtol=1e-5)


def test_lexical_index_from_fields_scores_like_the_token_built_one():
    fields = {"documents": CORPUS, "title": [d[:1] for d in CORPUS]}
    weights = {"documents": 1.0, "title": 1.5}
    ref = LexicalIndex(fields, weights)
    built = {}
    for name, corpus in fields.items():
        m, vocab = counts(corpus)
        built[name] = FieldBM25.from_counts(m, vocab)
    got = LexicalIndex.from_fields(built, weights)
    q = {"石墨烯": 1.0, "水稻": 2.0}
    np.testing.assert_allclose(got.score(q)[0], ref.score(q)[0], rtol=1e-5)
    rows = np.array([0, 1, 5])
    assert LexicalIndex.matched_terms(rows, got.score(q)[2]) == LexicalIndex.matched_terms(
        rows, ref.score(q)[2]
    )
    assert got.idf("石墨烯") == pytest.approx(ref.idf("石墨烯"))
