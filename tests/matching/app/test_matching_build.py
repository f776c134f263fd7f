"""Index build (issue 14): incremental embedding, shipped vectors, and pages that never build an index."""

from __future__ import annotations

import numpy as np
from django.test import override_settings
from django.urls import reverse
from matching_fakes import FakeEmbedder

from kechuang.matching import index as idx
from kechuang.matching.engine import Engine, FusionConfig
from kechuang.matching.models import StoredVector
from kechuang.matching.profiles import CANDIDATE_BUILDERS


class Counting(FakeEmbedder):
    def __init__(self):
        self.texts: list[str] = []

    def embed_passages(self, texts):
        self.texts.extend(texts)
        return super().embed_passages(texts)


def _passages_of(emb, kind: str, object_id: int) -> set[str]:
    engine = Engine(FusionConfig(), embedder=emb)
    cand = next(c for c in CANDIDATE_BUILDERS[kind]() if c.id == str(object_id))
    return {text for _, text in engine.passages(cand)}


def test_adding_or_editing_one_expert_embeds_only_its_new_texts(mworld):
    from kechuang.experts.models import Expert, Publication

    emb = Counting()
    with override_settings(KECHUANG_EMBEDDER=emb):
        idx.reindex("expert")
        assert emb.texts  # the first build embeds everything
        emb.texts.clear()

        new = Expert.objects.create(name="孙新", title="研究员", fields=["储能"], keywords=["钠离子电池"])
        Publication.objects.create(
            expert=new, title="钠离子电池正极材料", abstract="层状氧化物正极的循环稳定性。"
        )
        r = idx.reindex("expert")
        assert set(emb.texts) == _passages_of(emb, "expert", new.pk)
        assert len(emb.texts) == r.embedded == 2  # its summary and its one publication, nothing else

        emb.texts.clear()
        pub = new.publications.get()
        pub.abstract = "层状氧化物正极的循环稳定性与空气稳定性。"
        pub.save()
        r = idx.reindex("expert")
        assert r.embedded == 1 and len(emb.texts) == 1 and "空气稳定性" in emb.texts[0]

        emb.texts.clear()
        r = idx.reindex("expert")  # nothing changed
        assert r.embedded == 0 and emb.texts == []


def test_shipped_vectors_seed_a_fresh_database_and_stale_keys_are_ignored(mworld, tmp_path):
    path = tmp_path / "vectors.npz"
    emb = Counting()
    with override_settings(KECHUANG_EMBEDDER=emb, KECHUANG_SHIPPED_VECTORS=str(path)):
        idx.reindex("expert")
        before = idx.stored_vectors("expert", emb.model_name, emb.model_version)
        assert idx.write_shipped_vectors(path, ("expert",)) == len(before)
        StoredVector.objects.all().delete()  # a fresh database
        emb.texts.clear()
        r = idx.reindex("expert")
        assert emb.texts == [] and r.embedded == 0 and r.seeded == len(before) == r.vectors
        after = idx.stored_vectors("expert", emb.model_name, emb.model_version)
        assert after.keys() == before.keys()
        for k, v in before.items():
            assert np.allclose(after[k], v, atol=2e-3)  # float16 in the file
        assert idx.get_index("expert", wait=True).dense

    class OtherVersion(Counting):
        model_version = "test-2"  # the shipped keys were made with test-1: none may be used

    other = OtherVersion()
    with override_settings(KECHUANG_EMBEDDER=other, KECHUANG_SHIPPED_VECTORS=str(path)):
        r = idx.reindex("expert")
        assert r.seeded == 0 and r.embedded == len(before) == len(other.texts)


def test_a_page_never_builds_an_index_it_serves_the_last_one_while_a_thread_builds(mworld, monkeypatch):
    jobs = []
    monkeypatch.setattr(idx, "_spawn", lambda fn, kind: jobs.append((kind, fn)))
    builds = []
    real_build = idx._build
    monkeypatch.setattr(idx, "_build", lambda kind, st: builds.append(kind) or real_build(kind, st))
    with override_settings(KECHUANG_INDEX_BUILD_IN_BACKGROUND=True):
        first = idx.get_index("expert")  # nothing built in this process yet
        assert first.loading and first.warnings == [idx.LOADING_WARNING]
        assert first.index.search("石墨烯", top_k=3).results == []
        assert builds == [] and [k for k, _ in jobs] == ["expert"]
        assert idx.get_index("expert").loading and len(jobs) == 1  # one build per state, not per request

        jobs.pop()[1]()  # the background thread runs
        ready = idx.get_index("expert")
        assert not ready.loading and builds == ["expert"]
        assert ready.index.search("石墨烯", top_k=3).results

        mworld.experts["own"].save()  # a change: new state token
        served = idx.get_index("expert")
        assert served.index is ready.index and builds == ["expert"]  # the last good index, at once
        assert served.state.status == "stale"  # whose banner says it is being updated
        assert len(jobs) == 1
        jobs.pop()[1]()
        assert idx.get_index("expert").index is not ready.index and builds == ["expert", "expert"]


def test_the_suggestions_page_polls_while_no_index_is_loaded(mworld, client_for, monkeypatch):
    jobs = []
    monkeypatch.setattr(idx, "_spawn", lambda fn, kind: jobs.append(fn))
    url = reverse("matching:suggestions", args=[mworld.needs["pub_laixi"].pk])
    client = client_for("coordinator")
    with override_settings(KECHUANG_INDEX_BUILD_IN_BACKGROUND=True):
        html = client.get(url).content.decode()
        assert (
            "匹配索引正在加载" in html
            and 'data-testid="index-loading"' in html
            and 'hx-trigger="every 2s"' in html
        )
        assert jobs  # the builds were started, not run inside the request
        for fn in jobs:
            fn()
        html = client.get(url).content.decode()
        assert "匹配索引正在加载" not in html and 'data-testid="index-loading"' not in html


def test_nothing_is_recorded_or_declined_from_an_index_still_loading(mworld, client_for, monkeypatch):
    """A process that has not loaded an index ranks nothing: recording its "suggestions" would delete
    the recorded ones, and a decline would keep empty evidence. Both are refused until it is loaded."""
    import pytest

    from kechuang.core.audit import AuditEntry
    from kechuang.core.errors import ApplicationError
    from kechuang.matching import services
    from kechuang.matching.models import Match

    coord, need = mworld.users["coordinator"], mworld.needs["pub_laixi"]
    services.match_suggest(user=coord, need=need)  # recorded while the index is there
    recorded = dict(Match.objects.filter(need=need).values_list("pk", "status"))
    assert recorded
    expert_match = Match.objects.filter(need=need, kind="expert").first()
    from kechuang.experts.models import Expert

    unrecorded = Expert.objects.create(name="周新", title="研究员", fields=["储能"])
    idx.clear_cache()  # a new web process: no index loaded yet
    jobs = []
    monkeypatch.setattr(idx, "_spawn", lambda fn, kind: jobs.append(fn))
    url = reverse("matching:suggestions", args=[need.pk])
    with override_settings(KECHUANG_INDEX_BUILD_IN_BACKGROUND=True):
        html = client_for("coordinator").get(url).content.decode()
        assert 'data-testid="loading-expert"' in html and "没有符合条件的推荐" not in html
        assert reverse("matching:record", args=[need.pk]) not in html  # no button that would save nothing
        audits = AuditEntry.objects.count()
        with pytest.raises(ApplicationError, match="匹配索引正在加载"):
            services.match_suggest(user=coord, need=need)
        with pytest.raises(ApplicationError, match="匹配索引正在加载"):
            services.match_decline(
                user=coord, need=need, kind="expert", candidate_id=expert_match.expert_id, reason="too_early"
            )
        with pytest.raises(ApplicationError, match="匹配索引正在加载"):  # a new row would be scored 0
            services.match_accept(user=coord, need=need, kind="expert", candidate_id=unrecorded.pk)
        assert dict(Match.objects.filter(need=need).values_list("pk", "status")) == recorded
        assert AuditEntry.objects.count() == audits
        response = client_for("coordinator").post(reverse("matching:record", args=[need.pk]), follow=True)
        assert "匹配索引正在加载" in response.content.decode()
        assert dict(Match.objects.filter(need=need).values_list("pk", "status")) == recorded
        for fn in jobs:
            fn()
        html = client_for("coordinator").get(url).content.decode()
        assert 'data-testid="loading-expert"' not in html and reverse("matching:record", args=[need.pk]) in html
        assert services.match_suggest(user=coord, need=need)
