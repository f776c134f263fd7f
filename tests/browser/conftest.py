"""Playwright on Debian's chromium against pytest-django's live server, with the demo loaded.

Playwright cannot download its own browser here (and our users' intranets can't either), so we
launch /usr/bin/chromium with the flags that keep it off the network. Screenshots land in
test-results/screenshots/ for a human to look at.
"""

from __future__ import annotations

import contextlib
import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("chromium is not installed: run scripts/system-deps.sh (make test does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time():
    """The live server answers one request at a time.

    With the in-memory SQLite test database every server thread shares the test's one connection, so
    two concurrent requests share its transaction state: a request finishing its atomic block while
    another is inside one could drop the first one's on-commit work (seen once: a returned need whose
    notification never arrived). Production has a connection per thread; tests serialise instead.
    Django's server answers "Connection: close" when it is not threaded, so keep-alive cannot block."""
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class SerialWSGIServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)  # the server thread itself holds the shared connection

    old = LiveServerThread.server_class
    LiveServerThread.server_class = SerialWSGIServer
    yield
    LiveServerThread.server_class = old


_DEMO_SNAPSHOT: dict = {}


@pytest.fixture
def demo(transactional_db):
    """The demo scenario, loaded once per run and copied back in before each test (SQLite).

    Loading it costs ~3 s a test (74 tests: ~4 minutes of CI). The in-memory test database is copied
    after the first load with SQLite's online backup and copied back over the flushed database before
    each later test (milliseconds), with a fresh copy of the objects the loader returned. On PostgreSQL
    (or without the snapshot) the loader runs as before. ``KECHUANG_BROWSER_DEMO_SNAPSHOT=0`` loads
    it every time."""
    import copy
    import sqlite3

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from kechuang.demo.loader import load_demo

    usable = connection.vendor == "sqlite" and os.environ.get("KECHUANG_BROWSER_DEMO_SNAPSHOT", "1") != "0"
    if usable and "db" in _DEMO_SNAPSHOT:
        connection.ensure_connection()
        _DEMO_SNAPSHOT["db"].backup(connection.connection)
        ContentType.objects.clear_cache()
        return copy.deepcopy(_DEMO_SNAPSHOT["ctx"])
    ctx = load_demo(fast_passwords=True)
    if usable:
        connection.ensure_connection()
        snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(snapshot)
        _DEMO_SNAPSHOT.update(db=snapshot, ctx=copy.deepcopy(ctx))
    return ctx


@pytest.fixture
def page(browser, live_server, demo):
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    # The server shares the test's one database connection: a request still running when the test
    # ends (an htmx panel loading on "load", such as the expert home's needs they could serve) would
    # run into the teardown's flush of that connection, and the two threads then wait on each other
    # for ever (seen once in CI: the suite hung). Let the page's requests finish first.
    with contextlib.suppress(PlaywrightError):
        pg.wait_for_load_state("networkidle", timeout=30_000)
    context.close()
