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

A page that recomputes writes what it computed — the parts and the figure set — at the end, in one
``add_many`` (kechuang/core/cache.py: one transaction, so on SQLite one wait for the write lock, and
nothing written for the entries another process computed meanwhile; ADR 0045).

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
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from kechuang.core.signals import bulk_written
from kechuang.dashboard import selectors

VERSION_KEY = "kechuang:dashboard:version"
# Apps whose records the figures count (Area is the one model counted from "accounts").
COUNTED_APPS = frozenset({"needs", "events", "followup", "experts", "orgs"})
# Bumped with every version (``invalidate()`` without an app): every monthly part is recomputed.
MONTHS_GENERATION = "needs-months"


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
    for a in [app] if app else [*COUNTED_APPS, "accounts", MONTHS_GENERATION]:
        _bump(_app_key(a))


def invalidate_need_months(months) -> None:
    """The needs collected in these months (``YYYY-MM``, local time) changed: the monthly parts of
    those months are recomputed, every other month's are reused."""
    for m in months:
        _bump(_app_key(f"needs@{m}"))


def _versions(keys: list[str]) -> dict:
    """The version numbers under ``keys``; a key never bumped (or evicted) starts a version no
    older entry can carry — all the missing ones added in one write, and read back (another process
    may have added its own first)."""
    found = cache.get_many(keys)
    missing = [k for k in keys if k not in found]
    if missing:
        now = time.time_ns()
        add_many = getattr(cache, "add_many", None)
        if add_many is not None:
            add_many(dict.fromkeys(missing, now), None)
        else:
            for k in missing:
                cache.add(k, now, None)
        again = cache.get_many(missing)
        found.update((k, again.get(k, 0)) for k in missing)
    return found


def _app_versions(apps) -> str:
    keys = [_app_key(a) for a in sorted(apps)]
    found = _versions(keys)
    return "-".join(str(found[k]) for k in keys)


def audience(user) -> str:
    """Who the cached figures were computed for: everything ``restrict()`` depends on."""
    if user.is_coordinator:
        return "all"  # restrict() returns every record to every coordinator and superuser
    return f"{user.role}-{user.pk}-{user.area_id or 0}"


def key(user, scope: selectors.Scope) -> str:
    area = scope.area.pk if scope.area else "city"
    return f"kechuang:dashboard:{_version()}:{audience(user)}:{scope.start}:{scope.end}:{area}"


class _Parts:
    """The ``scope.parts`` store: a part is read from the cache under the versions of the apps it
    depends on, and computed (then kept) on a miss."""

    def __init__(self, user, scope: selectors.Scope, seconds: int):
        area = scope.area.pk if scope.area else "city"
        self.where = f"{audience(user)}:{scope.start}:{scope.end}:{area}"
        self.seconds = seconds
        self.pending: dict = {}  # computed here, written with the page's figure set (``_write``)

    def __call__(self, name: str, depends_on, compute):
        k = f"kechuang:dashboard:part:{name}:{_app_versions(depends_on)}:{self.where}"
        value = self.pending.get(k)
        if value is None:
            value = cache.get(k)
        if value is None:
            value = compute()
            self.pending[k] = value
        return value

    def monthly(self, name: str, months: list[str], compute) -> dict:
        """A part kept per month of need collection: each month's value under that month's own
        version (``needs@YYYY-MM``), so after a need changes only its month is recomputed.
        ``compute(months)`` → {month: value} for the missing months (one call, one query)."""
        versions = dict(zip(months, _month_versions(months), strict=True))
        keys = {m: f"kechuang:dashboard:part:{name}@{m}:{versions[m]}:{self.where}" for m in months}
        found = cache.get_many(list(keys.values()))
        out = {m: found[k] for m, k in keys.items() if k in found}
        missing = [m for m in months if m not in out]
        if missing:
            fresh = compute(missing)
            self.pending.update((keys[m], fresh[m]) for m in missing)
            out.update((m, fresh[m]) for m in missing)
        return out


def _month_versions(months: list[str]) -> list[str]:
    gen = _app_versions([MONTHS_GENERATION])
    keys = [_app_key(f"needs@{m}") for m in months]
    found = _versions(keys)
    return [f"{gen}.{found[k]}" for k in keys]


def _parts(user, scope: selectors.Scope, seconds: int) -> _Parts:
    return _Parts(user, scope, seconds)


def _write(entries: dict, seconds: int) -> None:
    """One page's cache entries in one write (the database cache's ``add_many``: one transaction,
    the keys another process already holds left as they are). Every key names the versions its
    value was computed under, so an entry already there holds the same figures."""
    add_many = getattr(cache, "add_many", None)
    if add_many is not None:
        add_many(entries, seconds)
    else:  # another backend (tests' local memory, or Django's own database cache)
        cache.set_many(entries, seconds)


def _computed(build, user, scope: selectors.Scope, seconds: int, k: str):
    """``build(user, scope)`` with the parts store; the result and the parts it computed are written
    together under ``k``."""
    parts = scope.parts = _parts(user, scope, seconds)
    try:
        value = build(user, scope)
    finally:
        scope.parts = None  # never pickled with a cached figure set
    _write({**parts.pending, k: value}, seconds)
    return value


def cached_dashboard(user, scope: selectors.Scope) -> selectors.Dashboard:
    """``selectors.dashboard`` through the cache (computed on a miss, reusing the parts whose apps
    did not change)."""
    seconds = timeout()
    if seconds <= 0:
        return selectors.dashboard(user, scope)
    k = key(user, scope)
    d = cache.get(k)
    if d is None:
        d = _computed(selectors.dashboard, user, scope, seconds, k)
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
        body = _computed(build, user, scope, seconds, k)
    return body


def _on_write(sender, instance=None, **kwargs) -> None:
    meta = getattr(sender, "_meta", None)
    if meta is not None and (meta.app_label in COUNTED_APPS or meta.label_lower == "accounts.area"):
        invalidate(meta.app_label)
        if meta.app_label == "needs" and instance is not None:
            months = _need_months(meta, instance)
            invalidate_need_months(months)
            # again once the write is visible to other processes (a page computed in between
            # would keep the old figures under the new version)
            transaction.on_commit(lambda: invalidate_need_months(months))


def _on_bulk_write(sender, objs=(), **kwargs) -> None:
    """``core.signals.bulk_written``: what ``_on_write`` does for each object, once for the list
    (a ``bulk_create`` sends no ``post_save``; an import of 10,000 needs bumps each version once)."""
    meta = getattr(sender, "_meta", None)
    objs = list(objs)
    if not objs or meta is None or not (meta.app_label in COUNTED_APPS or meta.label_lower == "accounts.area"):
        return
    invalidate(meta.app_label)
    if meta.app_label == "needs":
        months: set[str] = set()
        for obj in objs:
            months |= _need_months(meta, obj)
        invalidate_need_months(months)
        transaction.on_commit(lambda: invalidate_need_months(months))


def _need_months(meta, instance) -> set[str]:
    """The collection months a needs-app write touches: a need's own (and its old one when its
    ``created_at`` moved, remembered by ``_before_need_save``); a history row's or other record's need."""
    from kechuang.needs.models import Need

    if meta.model is Need:
        at = [instance.created_at, getattr(instance, "_dashboard_old_created_at", None)]
    else:
        need_id = getattr(instance, "need_id", None)
        known = instance._state.fields_cache.get("need") if need_id else None  # written with its need
        if known is not None and known.pk == need_id:
            at = [known.created_at]
        else:
            at = list(Need.objects.filter(pk=need_id).values_list("created_at", flat=True)) if need_id else []
    return {month_of(t) for t in at if t is not None}


def month_of(t) -> str:
    return timezone.localtime(t).strftime("%Y-%m") if timezone.is_aware(t) else t.strftime("%Y-%m")


def _before_need_save(sender, instance=None, **kwargs) -> None:
    if instance is not None and instance.pk:
        old = sender.objects.filter(pk=instance.pk).values_list("created_at", flat=True).first()
        if old is not None and old != instance.created_at:
            instance._dashboard_old_created_at = old


def connect() -> None:
    """Wire the invalidation to model signals (from ``DashboardConfig.ready``)."""
    from kechuang.needs.models import Need

    for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
        signal.connect(_on_write, dispatch_uid=f"kechuang.dashboard.cache.{name}")
    pre_save.connect(_before_need_save, sender=Need, dispatch_uid="kechuang.dashboard.cache.need_month")
    bulk_written.connect(_on_bulk_write, dispatch_uid="kechuang.dashboard.cache.bulk")
