"""BM25 scores compared with a plain reference implementation (like bm25s's tests/comparison)."""

import math

import numpy as np
import pytest

from kechuang.matching.engine import Candidate, Document, Engine, FusionConfig, Tokenizer
from kechuang.matching.engine.lexical import FieldBM25

CORPUS = [
    "石墨烯 薄膜 的 规模化制备 与 石墨烯 导热",
    "水稻 高产 栽培 技术 水稻 品种",
    "锂离子 电池 正极 材料 石墨烯 导电剂",
    "5G antenna arrays for base stations antenna",
    "",
]


def reference_bm25(corpus_tokens, query_tokens, k1, b):
    """Lucene BM25, written out plainly."""
    n = len(corpus_tokens)
    avgdl = sum(len(d) for d in corpus_tokens) / n
    out = []
    for doc in corpus_tokens:
        s = 0.0
        for t in set(query_tokens):
            df = sum(1 for d in corpus_tokens if t in d)
            if df == 0:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = doc.count(t)
            if tf == 0:
                continue
            s += idf * tf / (tf + k1 * (1 - b + b * len(doc) / avgdl))
        out.append(s)
    return np.array(out)


@pytest.mark.parametrize("k1,b", [(1.2, 0.75), (1.5, 0.5), (0.9, 1.0)])
@pytest.mark.parametrize(
    "query", [["石墨烯"], ["石墨烯", "导热", "未知词"], ["antenna", "5g"], ["水稻", "石墨烯", "材料"]]
)
def test_field_bm25_matches_reference(k1, b, query):
    tokens = [d.split() for d in CORPUS]
    idx = FieldBM25(tokens, k1=k1, b=b)
    np.testing.assert_allclose(
        idx.get_scores(query), reference_bm25(tokens, query, k1, b), rtol=1e-5, atol=1e-6
    )


def test_weighted_scores_are_weighted_sums():
    tokens = [d.split() for d in CORPUS]
    idx = FieldBM25(tokens)
    got, _ = idx.weighted_scores({"石墨烯": 2.0, "导热": 0.5})
    want = 2.0 * reference_bm25(tokens, ["石墨烯"], 1.2, 0.75) + 0.5 * reference_bm25(
        tokens, ["导热"], 1.2, 0.75
    )
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_engine_lexical_is_field_weighted_sum_of_reference():
    cands = [
        Candidate("a", keywords=["石墨烯"], documents=[Document("p", "石墨烯导热膜", "石墨烯的制备")]),
        Candidate("b", keywords=["水稻"], documents=[Document("p", "水稻育种", "石墨烯在农业中的应用")]),
        Candidate("c", keywords=["电池"], documents=[Document("p", "电池", "正极材料")]),
    ]
    cfg = FusionConfig()
    index = Engine(cfg, embedder=None).build(cands)
    sig = index.signals("石墨烯")
    tk = Tokenizer(user_words=["石墨烯", "水稻", "电池"])
    kw = [tk.tokenize("石墨烯"), tk.tokenize("水稻"), tk.tokenize("电池")]
    docs = [tk.tokenize(d.documents[0].title) + tk.tokenize(d.documents[0].text) for d in cands]
    q = tk.tokenize("石墨烯")
    assert set(q) == {"石墨", "石墨烯"}  # search mode: the user word and the dictionary word in it
    w = cfg.query_field_weights["text"]
    want = w * (
        cfg.candidate_field_weights["keywords"] * reference_bm25(kw, q, cfg.bm25_k1, cfg.bm25_b)
        + cfg.candidate_field_weights["documents"] * reference_bm25(docs, q, cfg.bm25_k1, cfg.bm25_b)
    )
    np.testing.assert_allclose(sig.lexical, want, rtol=1e-5)
