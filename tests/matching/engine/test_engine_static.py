"""Static document encoder (issue 14, docs/adr/0047): word vectors embedded once, documents as their
weighted mean, an optional per-index ridge correction, queries by the full model."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_candidates
from engine_fakes import FakeEmbedder, pool

from kechuang.matching.engine import Engine, FusionConfig, Query
from kechuang.matching.engine.static import StaticEncoder, WordTable


class CountingEmbedder(FakeEmbedder):
    """FakeEmbedder that remembers every passage text it was asked to embed."""

    def __init__(self):
        super().__init__()
        self.passages: list[str] = []

    def embed_passages(self, texts):
        self.passages.extend(texts)
        return super().embed_passages(texts)


DOCS = [
    "石墨烯薄膜的化学气相沉积与规模化制备",
    "杂交水稻高产栽培技术与氮肥管理",
    "Massive MIMO beamforming for 5G base stations",
    "锂离子电池高镍正极材料的循环稳定性",
]


def test_a_document_is_the_normalised_mean_of_its_words_not_a_full_embedding():
    base = CountingEmbedder()
    enc = StaticEncoder(base, weighting="mean", sample_share=0)
    vecs = enc.embed_passages(DOCS)
    assert not set(DOCS) & set(base.passages)  # no document went through the model
    words = enc.words(DOCS[0])
    want = np.mean([base._vec(w) for w in words], axis=0)
    np.testing.assert_allclose(vecs[0], want / np.linalg.norm(want), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)


def test_same_text_gives_the_same_vector_whatever_else_is_in_the_batch():
    enc = StaticEncoder(FakeEmbedder())
    enc.prepare(DOCS)
    alone = enc.embed_passages([DOCS[1]])[0]
    mixed = enc.embed_passages([DOCS[3], DOCS[1], DOCS[0]])[1]
    np.testing.assert_array_equal(alone, mixed)
    again = StaticEncoder(FakeEmbedder())
    again.prepare(list(reversed(DOCS)))  # the fit does not depend on the order of the texts
    np.testing.assert_array_equal(again.embed_passages([DOCS[1]])[0], alone)
    assert again.model_version == enc.model_version


def test_each_word_is_embedded_once_and_the_table_is_reused_across_builds(tmp_path):
    path = tmp_path / "words.npz"
    base = CountingEmbedder()
    enc = StaticEncoder(base, table=WordTable(path), sample_share=0)
    enc.prepare(DOCS)
    enc.embed_passages(DOCS + DOCS)
    assert len(base.passages) == len(set(base.passages))  # every word once
    first = set(base.passages)
    enc.table.save()

    base2 = CountingEmbedder()  # a later build, another process: the stored table is read back
    enc2 = StaticEncoder(base2, table=WordTable(path), sample_share=0)
    enc2.prepare(DOCS + ["石墨烯导热膜的产业化"])
    new_words = set(enc2.words("石墨烯导热膜的产业化"))
    assert new_words & first  # shares words with the first build …
    assert sorted(base2.passages) == sorted(new_words - first)  # … which are not embedded again


def test_word_vectors_are_keyed_by_the_base_model_version(tmp_path):
    path = tmp_path / "words.npz"
    enc = StaticEncoder(FakeEmbedder(), table=WordTable(path))
    enc.prepare(DOCS)
    enc.table.save()

    class Other(CountingEmbedder):
        model_version = "2"

    other = Other()
    StaticEncoder(other, table=WordTable(path), sample_share=0).prepare(DOCS)
    # the words of model version 1 are not reused for version 2
    assert set(enc.words(DOCS[0])) <= set(other.passages)


def test_model_version_never_equals_the_full_models_and_changes_with_the_fit():
    base = FakeEmbedder()
    enc = StaticEncoder(base, sample_share=0.5, sample_min=2)
    v0 = enc.model_version
    assert v0 != base.model_version and v0.startswith(base.model_version + "-static")
    enc.prepare(DOCS)
    v1 = enc.model_version
    enc.prepare(DOCS[:3] + ["桥梁健康监测的传感器网络"])
    assert len({v0, v1, enc.model_version}) == 3
    assert StaticEncoder(base, weighting="idf").model_version != StaticEncoder(base).model_version


def test_engine_keys_static_vectors_apart_from_full_ones():
    base = FakeEmbedder()
    cands = make_candidates()
    full = Engine(FusionConfig(method="minmax"), embedder=base).embed_candidates(cands)
    static = Engine(FusionConfig(method="minmax"), embedder=StaticEncoder(base)).embed_candidates(cands)
    assert full and static and not set(full) & set(static)


def test_queries_use_the_full_model():
    base = FakeEmbedder()
    enc = StaticEncoder(base)
    np.testing.assert_array_equal(enc.embed_queries(["石墨烯"]), base.embed_queries(["石墨烯"]))


def test_the_correction_maps_documents_towards_their_full_vectors():
    base = CountingEmbedder()
    texts = [f"{d}{i}" for i in range(20) for d in DOCS]
    enc = StaticEncoder(base, sample_share=0.25, sample_min=4, ridge=0.1)
    enc.prepare(texts)
    sampled = [t for t in texts if t in base.passages]
    assert len(sampled) == 20  # 25 % of 80 distinct documents, embedded fully once
    rest = [t for t in texts if t not in sampled]
    plain = StaticEncoder(FakeEmbedder(), sample_share=0)
    plain.prepare(texts)

    def closeness(e):
        return float(np.mean(np.sum(e.embed_passages(rest) * np.stack([base._vec(t) for t in rest]), axis=1)))

    assert closeness(enc) > closeness(plain)  # closer (cosine) to the full vectors of documents not sampled
    # by default the sample is mapped like the rest (one vector space); sample_exact keeps its full vectors
    full = np.stack([base._vec(t) for t in sampled])
    assert not np.allclose(enc.embed_passages(sampled), full, atol=1e-4)
    exact = StaticEncoder(FakeEmbedder(), sample_share=0.25, sample_min=4, ridge=0.1, sample_exact=True)
    exact.prepare(texts)
    np.testing.assert_allclose(exact.embed_passages(sampled), full, rtol=1e-5, atol=1e-6)
    assert exact.model_version != enc.model_version


def test_min_df_leaves_rare_words_out_of_the_table():
    base = CountingEmbedder()
    enc = StaticEncoder(base, min_df=2, sample_share=0)
    docs = ["石墨烯薄膜制备", "石墨烯导热膜", "水稻育种"]
    enc.prepare(docs)
    twice = set(enc.words(docs[0])) & set(enc.words(docs[1]))
    once = set(enc.words(docs[2]))
    assert twice and once
    assert twice <= set(base.passages) and not once & set(base.passages)


def test_engine_builds_and_searches_with_the_static_encoder():
    enc = StaticEncoder(FakeEmbedder(), sample_share=0.1, sample_min=4)
    index = Engine(FusionConfig(), embedder=enc).build(pool(60))
    assert index.model_version == enc.model_version and "-fit" in enc.model_version
    res = index.search(Query(text="石墨烯薄膜"), top_k=5)
    assert res.dense_used and res.results and res.results[0].dense is not None


def test_unknown_weighting_is_refused():
    with pytest.raises(ValueError):
        StaticEncoder(FakeEmbedder(), weighting="tfidf")


def test_max_words_bounds_the_words_embedded_to_the_most_frequent():
    base = CountingEmbedder()
    enc = StaticEncoder(base, max_words=2, sample_share=0)
    docs = ["石墨烯薄膜制备", "石墨烯薄膜导热", "石墨烯水稻育种"]
    enc.prepare(docs)
    df: dict[str, int] = {}
    for d in docs:
        for w in set(enc.words(d)):
            df[w] = df.get(w, 0) + 1
    top = sorted(df, key=lambda w: (-df[w], w))[:2]
    assert sorted(base.passages) == sorted(top)
    assert "-w2" in enc.model_version
