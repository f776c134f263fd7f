"""A read started on a second connection (kechuang/core/beside.py, ADR 0060).

These tests commit (``transactional_db``): outside a transaction is where a second connection sees
what the first one does. Tests on SQLite use an in-memory database, where ``beside`` runs in place;
there the tests open the second connection anyway (Django's test database is a shared-cache memory
database, which a second connection of the same process sees) to exercise the thread.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict

import pytest
from django.db import connection, connections, transaction

from kechuang.core import beside as beside_module
from kechuang.core.beside import beside
from kechuang.dashboard import cache as dash_cache
from kechuang.dashboard import selectors as s
from kechuang.needs.models import Need
from tests.conftest import build_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def apart(monkeypatch):
    """As in production, where the database is a file or a server: a second connection is safe."""
    if connection.vendor == "sqlite":
        monkeypatch.setattr(beside_module, "_apart_is_safe", lambda: not connection.in_atomic_block)


def _where_and_count():
    return threading.current_thread().name, Need.objects.count(), connections["default"]


def test_a_read_runs_on_its_own_connection_closed_after_it(apart):
    w = build_world()
    started = beside(_where_and_count)
    name, count, conn = started.result()
    assert name == "kechuang-beside" and conn is not connections["default"]
    assert count == Need.objects.count() == len(w.needs)
    if conn.vendor != "sqlite":  # Django never closes an in-memory SQLite database (it would be gone)
        assert conn.connection is None  # the thread's connection is closed, not left open


def test_inside_a_transaction_it_runs_in_place_and_sees_the_uncommitted_rows(apart):
    w = build_world()
    with transaction.atomic():
        Need.objects.filter(pk=w.needs["pub_laixi"].pk).delete()
        name, count, conn = beside(_where_and_count).result()
        assert name == threading.current_thread().name and conn is connections["default"]
        assert count == len(w.needs) - 1


def test_what_the_read_raised_is_raised_by_result(apart):
    def broken():
        Need.objects.count()
        raise ValueError("坏了")

    started = beside(broken)
    with pytest.raises(ValueError, match="坏了"):
        started.result()


def test_the_dashboard_read_apart_has_the_figures_read_in_place(apart, monkeypatch):
    w = build_world()
    for role in ("coordinator", "leadership", "district"):
        user = w.users[role]
        apart_figures = asdict(dash_cache.cached_dashboard(user, s.dashboard_scope(user=user)))
        with monkeypatch.context() as m:
            m.setattr(beside_module, "_apart_is_safe", lambda: False)
            in_place = asdict(s.dashboard(user, s.dashboard_scope(user=user)))
        apart_figures.pop("scope"), in_place.pop("scope")
        assert apart_figures == in_place and apart_figures["funnel"][0]["reached"] > 0, role


def test_the_read_apart_speaks_the_callers_language_and_time_zone(apart):
    from django.utils import timezone, translation

    def where_and_how():
        return threading.current_thread().name, translation.get_language(), timezone.get_current_timezone_name()

    with translation.override("en"), timezone.override("Europe/Berlin"):
        assert beside(where_and_how).result() == ("kechuang-beside", "en", "Europe/Berlin")


def test_a_dashboard_that_fails_waits_for_its_funnel_before_giving_up_its_parts(apart, monkeypatch):
    from kechuang.dashboard.selectors import board

    w = build_world()
    user = w.users["coordinator"]
    seen = []

    def slow_funnel(u, scope):
        time.sleep(0.3)
        seen.append(scope.parts is not None)  # the cache's parts store is still the dashboard's
        return []

    monkeypatch.setattr(board, "funnel", slow_funnel)
    monkeypatch.setattr(board, "headline", lambda u, scope: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        dash_cache.cached_dashboard(user, s.dashboard_scope(user=user))
    assert seen == [True]  # ended before the error left dashboard(), not after
