"""The expensive parts of the figures kept between requests (needs counts, signed counts, funnel,
experts' coverage; ADR 0029-dashboard-aggregation) always agree with a recount from the records:
after every one of a seeded series of random writes, the cached page's figures equal the figures
computed afresh without any cache, for every audience."""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from kechuang.dashboard import cache as dash_cache
from kechuang.dashboard import selectors as s
from kechuang.events.models import Event
from kechuang.experts.models import Expert
from kechuang.followup.models import Agreement, Base, Visit
from kechuang.needs.models import Need, NeedStageFact, NeedStatusChange
from kechuang.needs.services import allowed_transitions, need_transition

TZ = ZoneInfo("Asia/Shanghai")
SCOPES = [{}, {"start": date(2026, 1, 1)}, {"district": "qd-laixi"}]


def _name(key: str) -> str:
    """The part's name without its month (``funnel@2026-03`` → ``funnel``)."""
    return _part(key).split("@")[0]


def _part(key: str) -> str:
    return key.split(":dashboard:part:")[1].split(":")[0]


def _figures(d: s.Dashboard) -> dict:
    out = asdict(d)
    out.pop("scope")
    return out


KINDS = [
    "need",
    "transition",
    "agreement",
    "link",
    "expert",
    "secret",
    "delete",
    "move",
    # the other records' figures (kept as parts under their own apps, ADR 0040)
    "event",
    "visit",
    "base",
    "party_moves",
]
RECORD_PARTS = {"record_headline", "record_districts", "record_societies", "record_months"}


def _write(rng: random.Random, world, i: int, kind: str) -> str:
    needs = list(Need.objects.order_by("pk"))
    if kind == "need":
        t = datetime(2026, rng.randint(1, 11), rng.randint(1, 28), 9, tzinfo=TZ)
        need = Need.objects.create(
            enterprise=world.orgs[rng.choice(["ent", "ent2"])],
            title=f"随机需求{i}",
            chain=world.chains[rng.choice(["materials", "agri"])],
            district=world.areas[rng.choice(["laixi", "laoshan"])],
            background="b",
            problem="p",
            goal="g",
            major=rng.random() < 0.5,
            confidentiality=rng.choice(["public", "public", "coordinators"]),
            status="submitted",
            status_changed_at=t,
            created_at=t,
        )
        NeedStatusChange.objects.create(need=need, to_status="submitted", at=t)
        NeedStageFact.rebuild([need.pk])
    elif kind == "transition":
        coord = world.users["coordinator"]
        movable = [(n, t) for n in needs for t in allowed_transitions(coord, n)]
        if movable:
            need, to = rng.choice(movable)
            need_transition(user=coord, need=need, to_status=to, note="随机测试")
    elif kind == "agreement":
        a = Agreement.objects.create(
            title=f"随机协议{i}", kind="tech_dev", signed=date(2026, rng.randint(1, 11), 3)
        )
        a.parties.add(world.orgs["ent"], world.orgs["soc"])
        a.needs.add(rng.choice(needs))
    elif kind == "link":
        a = Agreement.objects.order_by("?").first()
        if a is not None:
            a.needs.add(rng.choice(needs))
    elif kind == "expert":
        Expert.objects.create(
            name=f"随机专家{i}", title="教授", fields=[rng.choice(["新材料", "农机", "石墨烯"])], keywords=[]
        )
    elif kind == "secret":
        need = rng.choice(needs)
        need.confidentiality = "public" if need.confidentiality != "public" else "coordinators"
        need.save()
    elif kind == "event":
        t = datetime(2026, rng.randint(1, 11), rng.randint(1, 28), 9, tzinfo=TZ)
        e = Event.objects.create(
            title=f"随机活动{i}",
            kind=rng.choice(["matchmaking", "symposium", "conference"]),
            start=t,
            end=t,
            scale=rng.randint(10, 500),
            district=world.areas[rng.choice(["laixi", "laoshan"])] if rng.random() < 0.7 else None,
        )
        e.societies.add(world.orgs[rng.choice(["soc", "soc2"])])
    elif kind == "visit":
        v = Visit.objects.create(
            title=f"随机走访{i}",
            date=date(2026, rng.randint(1, 11), 9),
            district=world.areas[rng.choice(["laixi", "laoshan"])],
        )
        v.societies.add(world.orgs[rng.choice(["soc", "soc2"])])
    elif kind == "base":
        Base.objects.create(
            kind=rng.choice(["transfer_base", "innovation_centre"]),
            name=f"随机基地{i}",
            society=world.orgs[rng.choice(["soc", "soc2"])],
            host=world.orgs["ent2"],
            district=world.areas[rng.choice(["laixi", "laoshan"])],
            unveiled=date(2026, rng.randint(1, 11), 9),
        )
    elif kind == "party_moves":  # an agreement's party moves: its agreements count for the new area
        org = world.orgs[rng.choice(["ent", "ent2"])]
        org.district = world.areas["laoshan" if org.district_id == world.areas["laixi"].pk else "laixi"]
        org.save()
    elif kind == "move":  # corrected submission time: the need leaves one month for another
        need = rng.choice(needs)
        need.created_at = datetime(2026, rng.randint(1, 11), rng.randint(1, 28), 15, tzinfo=TZ)
        need.save()
    else:
        rng.choice(needs).delete()
    return kind


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_parts_agree_with_a_recount_after_random_writes(world, dash, seed):
    rng = random.Random(seed)
    users = [world.users[r] for r in ("coordinator", "leadership", "district")]
    kinds = []
    order = rng.sample(KINDS, len(KINDS)) + [rng.choice(KINDS) for _ in range(5)]  # each kind at least once
    for i, kind in enumerate(order):
        for user in users:
            for filters in SCOPES:
                if user.role == "district" and "district" in filters:
                    continue
                cached = dash_cache.cached_dashboard(user, s.dashboard_scope(user=user, **filters))
                fresh = s.dashboard(user, s.dashboard_scope(user=user, **filters))  # no cache at all
                assert _figures(cached) == _figures(fresh), (seed, i, kinds, user.role, filters)
        kinds.append(_write(rng, world, i, kind))


def test_an_agreement_write_recomputes_only_what_depends_on_agreements(world, dash):
    user = world.users["coordinator"]
    dash_cache.cached_dashboard(user, s.dashboard_scope(user=user))
    kept = {k for k in cache._cache if ":dashboard:part:" in k}  # noqa: SLF001 - locmem keys
    names = {_name(k) for k in kept}
    assert names == {"need_counts", "signed_counts", "coverage", "funnel"} | RECORD_PARTS
    a = Agreement.objects.create(title="又一份协议", kind="tech_dev", signed=date(2026, 5, 3))
    a.needs.add(world.needs["new_ent2"])
    d = dash_cache.cached_dashboard(user, s.dashboard_scope(user=user))
    after = {k for k in cache._cache if ":dashboard:part:" in k}  # noqa: SLF001
    new = {_name(k) for k in after - kept}
    # the needs counts, the funnel and the coverage were reused
    assert new == {"signed_counts"} | RECORD_PARTS
    assert _figures(d) == _figures(s.dashboard(user, s.dashboard_scope(user=user)))


def test_a_need_write_recounts_only_the_month_the_need_was_collected_in(world, dash):
    user = world.users["coordinator"]
    scope = {"start": date(2025, 1, 1)}
    dash_cache.cached_dashboard(user, s.dashboard_scope(user=user, **scope))
    kept = {k for k in cache._cache if ":dashboard:part:" in k}  # noqa: SLF001 - locmem keys
    months = {_part(k).split("@")[1] for k in kept if "@" in _part(k)}
    assert len(months) > 3  # every month of the period has its own entry
    need = world.needs["new_ent2"]
    own = dash_cache.month_of(need.created_at)
    need.major = not need.major
    need.save()
    d = dash_cache.cached_dashboard(user, s.dashboard_scope(user=user, **scope))
    new = {_part(k) for k in {k for k in cache._cache if ":dashboard:part:" in k} - kept}  # noqa: SLF001
    # the other months reused, and the figures of events, visits, agreements and bases (no needs)
    assert new == {f"need_counts@{own}", f"funnel@{own}", "signed_counts"}
    assert _figures(d) == _figures(s.dashboard(user, s.dashboard_scope(user=user, **scope)))
