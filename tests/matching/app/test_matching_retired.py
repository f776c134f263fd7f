"""Retired experts (退出) and withdrawn achievements (下架) are never suggested; their history stays.

kechuang/matching/ranking.py (``_without_retired``) and profiles.py (the index builds leave them out).
"""

from __future__ import annotations

from django.test import override_settings
from django.urls import reverse

from kechuang.experts import profile_services as ps
from kechuang.matching import index as idx
from kechuang.matching import ranking, services
from kechuang.matching.models import Match


def _ranked(need, kind, **kw):
    return [row.obj.pk for row in ranking.rank_for_need(need, kind, **kw).rows]


def test_a_retired_expert_is_no_longer_suggested(mworld):
    need, own = mworld.needs["pub_laixi"], mworld.experts["own"]
    assert own.pk in _ranked(need, "expert")  # the best graphene expert, before
    ps.expert_retire(user=mworld.users["coordinator"], expert=own)
    assert own.pk not in _ranked(need, "expert")
    assert own.pk not in _ranked(need, "expert", filters={"society": mworld.orgs["soc"].pk})  # filtered pool too
    assert all(obj.pk != own.pk for obj, _ in ranking.rank_for_need(need, "expert").excluded)  # not even listed
    ps.expert_retire(user=mworld.users["coordinator"], expert=own, retire=False)  # reinstated: back in the pool
    assert own.pk in _ranked(need, "expert")


def test_the_index_built_before_the_retirement_does_not_suggest_them_either(mworld, monkeypatch):
    """Pages are served the last index while a new one builds in the background."""
    jobs = []
    monkeypatch.setattr(idx, "_spawn", lambda fn, kind: jobs.append(fn))
    need, own = mworld.needs["pub_laixi"], mworld.experts["own"]
    with override_settings(KECHUANG_INDEX_BUILD_IN_BACKGROUND=True):
        idx.get_index("expert", wait=True)
        assert own.pk in _ranked(need, "expert")
        ps.expert_retire(user=mworld.users["coordinator"], expert=own)
        served = idx.get_index("expert")
        assert served.state.status == "stale" and str(own.pk) in served.index.ids  # the old index still holds them
        assert own.pk not in _ranked(need, "expert")
        for fn in jobs:
            fn()
        assert str(own.pk) not in idx.get_index("expert").index.ids  # the rebuilt one leaves them out


def test_a_withdrawn_achievement_is_no_longer_suggested(mworld):
    need, ach = mworld.needs["pub_laixi"], mworld.achievements["own"]
    assert ach.pk in _ranked(need, "achievement")
    ps.achievement_retire(user=mworld.users["coordinator"], achievement=ach)
    assert ach.pk not in _ranked(need, "achievement")


def test_the_retired_experts_history_stays_visible(mworld, client_for):
    need, own, coord = mworld.needs["pub_laixi"], mworld.experts["own"], mworld.users["coordinator"]
    services.match_accept(user=coord, need=need, kind="expert", candidate_id=own.pk)
    ps.expert_retire(user=coord, expert=own)
    services.match_suggest(user=coord, need=need)  # a new round of suggestions keeps decided rows
    m = Match.objects.get(need=need, kind="expert", expert=own)
    assert m.status == Match.Status.ACCEPTED
    assert not Match.objects.filter(kind="expert", expert=own, status=Match.Status.SUGGESTED).exists()
    page = client_for("coordinator").get(reverse("experts:detail", args=[own.pk]))
    assert page.status_code == 200 and own.name in page.content.decode()


def test_no_needs_are_suggested_for_a_retired_expert(mworld):
    from kechuang.matching import selectors

    coord, own = mworld.users["coordinator"], mworld.experts["own"]
    assert selectors.reverse_needs_for_expert(user=coord, expert=own).rows  # the graphene needs, before
    ps.expert_retire(user=coord, expert=own)
    own.refresh_from_db()
    ranked = selectors.reverse_needs_for_expert(user=coord, expert=own)
    assert ranked.rows == [] and any("已退出专家库" in w for w in ranked.warnings)
