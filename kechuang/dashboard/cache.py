"""A short-lived cache of the dashboard's figures per (audience, period, area).

The figures are a briefing, not a live counter, but a coordinator who records an agreement and
opens the dashboard must see it: every write to a record the figures count (needs and their
history, events, visits, agreements, bases, experts, organisations, chains, areas) bumps a version
number that is part of every key, so the next page view recomputes. Writes that bypass signals
(``bulk_create``, ``update()``, another process with its own local-memory cache) are picked up
when the entry expires: ``KECHUANG_DASHBOARD_CACHE_SECONDS`` (default 120; 0 turns the cache off).

Below the whole figure set, the expensive *parts* (the needs counts, the funnel, the experts'
coverage; ``selectors.records.part``) are kept under keys that name only the apps they depend on:
every counted write also bumps its own app's version, so after an agreement is recorded the next
page recomputes the agreement figures but reuses the needs counts and the funnel, and after a need
changes it recomputes those from the database (ADR 0029-dashboard-aggregation).

The page caches the aggregates (``selectors.Dashboard``) and reads the rows it lists (recent
agreements) per request through ``restrict()``; the Excel and PDF briefings are cached whole. The
key names the audience the figures and lists were computed for (see ``audience``): the figures
count only the records the user may open (ADR 0014), so two users share an entry only when
``restrict()`` is the same for both — every coordinator (and superuser) alike; anyone else per user,
role and area (district staff also count the needs they submitted; an audience hook may widen one
user's needs).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from kechuang.dashboard import selectors

VERSION_KEY = "kechuang:dashboard:version"
# Apps whose records the figures count (Area is the one model counted from "accounts").
COUNTED_APPS = frozenset({"needs", "events", "followup", "experts", "orgs"})


def timeout() -> int:
    return int(getattr(settings, "KECHUANG_DASHBOARD_CACHE_SECONDS", 120))


def _version() -> int:
    v = cache.get(VERSION_KEY)
    if v is None:  # a new cache never serves entries written under an older version
        cache.add(VERSION_KEY, time.time_ns(), None)
        v = cache.get(VERSION_KEY, 0)
    return v


def _bump(k: str) -> None:
    try:
        cache.incr(k)
    except ValueError:  # not set (or evicted)
        cache.set(k, time.time_ns(), None)


def _app_key(app: str) -> str:
    return f"{VERSION_KEY}:{app}"


def invalidate(app: str | None = None, **_kwargs) -> None:
    """Make every cached figure set stale (called on writes; also usable by hand or from a job).
    With ``app`` only the parts that depend on that app are recomputed; without it, every part."""
    _bump(VERSION_KEY)
    for a in [app] if app else [*COUNTED_APPS, "accounts"]:
        _bump(_app_key(a))


def _app_versions(apps) -> str:
    keys = [_app_key(a) for a in sorted(apps)]
    found = cache.get_many(keys)
    out = []
    for k in keys:
        if k not in found:  # never bumped (or evicted): start a version no older entry can carry
            cache.add(k, time.time_ns(), None)
            found[k] = cache.get(k, 0)
        out.append(str(found[k]))
    return "-".join(out)


def audience(user) -> str:
    """Who the cached figures were computed for: everything ``restrict()`` depends on."""
    if user.is_coordinator:
        return "all"  # restrict() returns every record to every coordinator and superuser
    return f"{user.role}-{user.pk}-{user.area_id or 0}"


def key(user, scope: selectors.Scope) -> str:
    area = scope.area.pk if scope.area else "city"
    return f"kechuang:dashboard:{_version()}:{audience(user)}:{scope.start}:{scope.end}:{area}"


def _parts(user, scope: selectors.Scope, seconds: int):
    """The ``scope.parts`` store: a part is read from the cache under the versions of the apps it
    depends on, and computed (then kept) on a miss."""
    area = scope.area.pk if scope.area else "city"
    where = f"{audience(user)}:{scope.start}:{scope.end}:{area}"

    def get(name: str, depends_on, compute):
        k = f"kechuang:dashboard:part:{name}:{_app_versions(depends_on)}:{where}"
        value = cache.get(k)
        if value is None:
            value = compute()
            cache.set(k, value, seconds)
        return value

    return get


def _computed(build, user, scope: selectors.Scope, seconds: int):
    scope.parts = _parts(user, scope, seconds)
    try:
        return build(user, scope)
    finally:
        scope.parts = None  # never pickled with a cached figure set


def cached_dashboard(user, scope: selectors.Scope) -> selectors.Dashboard:
    """``selectors.dashboard`` through the cache (computed on a miss, reusing the parts whose apps
    did not change)."""
    seconds = timeout()
    if seconds <= 0:
        return selectors.dashboard(user, scope)
    k = key(user, scope)
    d = cache.get(k)
    if d is None:
        d = _computed(selectors.dashboard, user, scope, seconds)
        cache.set(k, d, seconds)
    else:
        d.scope = scope  # the caller's scope object (same period and area)
    return d


def cached_export(kind: str, user, scope: selectors.Scope, build) -> bytes:
    """An export file (``build(user, scope)`` → bytes) through the cache. The lists in it are the
    rows this audience may see, which is what the key names (see ``audience``)."""
    seconds = timeout()
    if seconds <= 0:
        return build(user, scope)
    k = f"{key(user, scope)}:{kind}"
    body = cache.get(k)
    if body is None:
        body = _computed(build, user, scope, seconds)
        cache.set(k, body, seconds)
    return body


def _on_write(sender, **kwargs) -> None:
    meta = getattr(sender, "_meta", None)
    if meta is not None and (meta.app_label in COUNTED_APPS or meta.label_lower == "accounts.area"):
        invalidate(meta.app_label)


def connect() -> None:
    """Wire the invalidation to model signals (from ``DashboardConfig.ready``)."""
    for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
        signal.connect(_on_write, dispatch_uid=f"kechuang.dashboard.cache.{name}")
