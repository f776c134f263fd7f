"""Playwright on Debian's chromium against pytest-django's live server, with the demo loaded.

Playwright cannot download its own browser here (and our users' intranets can't either), so we
launch /usr/bin/chromium with the flags that keep it off the network. Screenshots land in
test-results/screenshots/ for a human to look at.
"""

from __future__ import annotations

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


@pytest.fixture
def demo(transactional_db):
    from kechuang.demo.loader import load_demo

    return load_demo(fast_passwords=True)


@pytest.fixture
def page(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()
