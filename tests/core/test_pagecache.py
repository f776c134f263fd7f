"""Whole pages served from the cache until a table they read is written (kechuang/core/pagecache.py, ADR 0059).

These tests commit (``transactional_db``): a write's tokens are bumped when it is committed, and a
connection with uncommitted writes — every ``db`` test's own transaction — never uses the cache.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory

from kechuang.core import pagecache
from kechuang.core.models import AuditEntry
from kechuang.needs.models import Need
from tests.conftest import build_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def w():
    return build_world()


def _reader(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _hit(response) -> bool:
    return response.get("X-Page-Cache") == "hit"


def _same_page(a, b) -> bool:
    """The same bytes but for the forms' CSRF tokens (masked anew each time a page is served)."""
    token = re.compile(rb"[A-Za-z0-9]{64}")
    return token.sub(b"T", a.content) == token.sub(b"T", b.content)


def _served_twice(c: Client, url: str):
    first = c.get(url)
    again = c.get(url)
    assert first.status_code == again.status_code == 200
    return first, again


def test_a_page_is_served_again_until_a_table_it_read_is_written(w):
    c = _reader(w.users["coordinator"])
    first, again = _served_twice(c, "/needs/")
    assert not _hit(first) and _hit(again)
    assert _same_page(again, first)

    need = w.needs["pub_laixi"]
    Need.objects.filter(pk=need.pk).update(title="石墨烯规模化制备（改）")  # no signal, no service
    after = c.get("/needs/")
    assert not _hit(after) and "石墨烯规模化制备（改）" in after.content.decode()
    assert _hit(c.get("/needs/"))

    with connection.cursor() as cur:  # raw SQL too
        cur.execute("UPDATE needs_need SET title = %s WHERE id = %s", ["原始SQL改的标题", need.pk])
    after = c.get("/needs/")
    assert not _hit(after) and "原始SQL改的标题" in after.content.decode()


def test_a_write_to_a_table_the_page_did_not_read_keeps_it(w):
    from kechuang.events.models import Event

    c = _reader(w.users["coordinator"])
    _served_twice(c, "/needs/")
    Event.objects.all().update(title="无关的活动")  # the needs list reads no event
    assert _hit(c.get("/needs/"))


def test_a_transaction_counts_when_committed_not_when_rolled_back(w):
    c = _reader(w.users["coordinator"])
    _served_twice(c, "/needs/")
    need = w.needs["pub_laixi"]

    with pytest.raises(RuntimeError), transaction.atomic():
        Need.objects.filter(pk=need.pk).update(title="回滚的标题")
        raise RuntimeError
    kept = c.get("/needs/")
    assert _hit(kept) and "回滚的标题" not in kept.content.decode()

    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back
            Need.objects.filter(pk=need.pk).update(title="回滚的标题")
            raise RuntimeError
        Need.objects.filter(pk=need.pk).update(title="提交的标题")
    after = c.get("/needs/")
    assert not _hit(after) and "提交的标题" in after.content.decode()


def test_confidential_needs_are_audited_on_every_view_even_from_the_cache(w):
    c = _reader(w.users["coordinator"])
    views = AuditEntry.objects.filter(action="need.view_confidential")

    def get(url):
        last = max(views.values_list("pk", flat=True), default=0)
        r = c.get(url)
        assert r.status_code == 200
        return r, sorted(views.filter(pk__gt=last).values_list("object_id", "actor_username", "changes"))

    for url in ["/needs/", f"/needs/{w.needs['conf_ent'].pk}/"]:
        first, shown = get(url)
        again, shown_again = get(url)
        assert not _hit(first) and _hit(again)
        assert shown and shown_again == shown  # the same entries, written again by the hit
    assert shown == [(str(w.needs["conf_ent"].pk), "coordinator", {"via": "detail", "confidentiality": "matched"})]


def test_a_reader_whose_role_changes_is_not_served_the_old_page(w):
    from kechuang.accounts.models import User

    coordinator = w.users["coordinator"]
    c = _reader(coordinator)
    page = f"/needs/{w.needs['secret_ent2'].pk}/"
    _, again = _served_twice(c, page)
    assert _hit(again)
    User.objects.filter(pk=coordinator.pk).update(role="enterprise")
    assert c.get(page).status_code == 404  # coordinators-only: no longer theirs


def test_readers_and_languages_do_not_share_pages(w):
    a = _reader(w.users["coordinator"])
    _served_twice(a, "/experts/")
    b = _reader(w.users["leadership"])
    assert not _hit(b.get("/experts/"))
    english = a.get("/experts/", HTTP_ACCEPT_LANGUAGE="en")
    assert not _hit(english)


def _request(user, path, *, csrf="s" * 32):
    request = RequestFactory().get(path)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.META["CSRF_COOKIE"] = csrf
    request.LANGUAGE_CODE = "zh-hans"
    return request


def test_what_is_not_kept(w):
    user = w.users["coordinator"]
    calls = []

    def view_factory(action):
        @pagecache.cached_page
        def view(request):
            calls.append(1)
            action()
            return HttpResponse("<p>页面</p>", content_type="text/html; charset=utf-8")

        return view

    def served_from_cache(view, path, message: str = "") -> bool:
        calls.clear()
        for _ in range(2):
            request = _request(user, path)
            if message:
                messages.info(request, message)
            view(request)
        return len(calls) == 1

    assert served_from_cache(view_factory(lambda: None), "/control/")
    assert not served_from_cache(view_factory(lambda: pagecache.not_kept("索引重建中")), "/index/")
    assert not served_from_cache(view_factory(lambda: Need.objects.filter(pk=0).update(title="x")), "/write/")
    assert not served_from_cache(view_factory(lambda: None), "/message/", message="已保存")


def test_uncommitted_writes_turn_the_cache_off(w):
    c = _reader(w.users["coordinator"])
    with transaction.atomic():
        Need.objects.filter(pk=w.needs["pub_laixi"].pk).update(title="还没提交")
        assert pagecache.uncommitted_writes()
        first, again = _served_twice(c, "/needs/")
        assert not _hit(again) and "还没提交" in again.content.decode()
    assert not pagecache.uncommitted_writes()


def test_tables_are_the_words_of_sql_that_name_tables():
    assert pagecache._tables('SELECT "needs_need"."id" FROM "needs_need" INNER JOIN orgs_organisation ON 1') == {
        "needs_need",
        "orgs_organisation",
    }
    assert pagecache._tables("UPDATE kechuang_cache SET value = 1") == set()  # the cache itself
    assert pagecache._tables("SELECT title FROM django_session") == set()


def test_the_wrapper_outlives_a_request_logs_own(w):
    """The request log wraps each request's queries (``connection.execute_wrapper``, which pops the last
    wrapper when it ends); a connection opened inside that request must keep the page cache's."""
    seen = []

    def log(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    connection.execute_wrappers.remove(pagecache.execute_wrapper)
    with connection.execute_wrapper(log):
        pagecache.install(connection)  # what ``connection_created`` does for a connection opened here
        Need.objects.count()
    assert seen and connection.execute_wrappers == [pagecache.execute_wrapper]

    c = _reader(w.users["coordinator"])
    _served_twice(c, "/needs/")
    connection.execute_wrappers.clear()  # whatever removed it, the next request puts it back
    assert _hit(c.get("/needs/"))
    assert connection.execute_wrappers == [pagecache.execute_wrapper]
    Need.objects.filter(pk=w.needs["pub_laixi"].pk).update(title="请求之间改的标题")
    assert "请求之间改的标题" in c.get("/needs/").content.decode()


def test_a_readers_sessions_share_pages_each_with_its_own_csrf_token(w):
    from django.middleware.csrf import _unmask_cipher_token

    user = w.users["coordinator"]
    one, two = _reader(user), Client(enforce_csrf_checks=True)
    two.force_login(user)
    page = f"/needs/{w.needs['pub_laixi'].pk}/"
    assert not _hit(one.get(page))
    served = two.get(page)
    assert _hit(served)
    html = served.content.decode()
    assert pagecache.CSRF_SLOT.decode() not in html
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', html))
    secret = two.cookies["csrftoken"].value
    assert tokens and all(_unmask_cipher_token(t) == secret for t in tokens)  # the second session's, not the first's
    # and a form of the served page posts (the owner form: a coordinator may name the follow-up owner)
    posted = two.post(f"/needs/{w.needs['pub_laixi'].pk}/owner/", {"csrfmiddlewaretoken": tokens.pop(), "owner": ""})
    assert posted.status_code != 403


def test_statements_are_told_apart():
    writes = pagecache._writes
    assert writes("INSERT INTO needs_need (title) VALUES (%s) RETURNING id")
    assert writes("  update needs_need set title = %s") and writes("DELETE FROM needs_need")
    assert writes("/* a comment */ DELETE FROM needs_need") and writes("-- why\nUPDATE needs_need SET x = 1")
    assert writes("WITH old AS (SELECT id FROM needs_need) UPDATE needs_need SET title = '' WHERE id IN old")
    assert not writes('(SELECT "needs_need"."id" FROM "needs_need") UNION (SELECT 1)')  # PostgreSQL's union
    assert not writes('SELECT "needs_need"."id" FROM "needs_need" FOR UPDATE')
    assert not writes("WITH x AS (SELECT 1) SELECT * FROM x") and not writes("SAVEPOINT s1")


def test_a_page_read_under_the_readers_old_row_is_not_served_to_the_changed_reader(w):
    """The middleware reads the reader's row before the page's epoch is read: a page rendered for a row
    read just before a change of role is kept under the old row's values, not served after the change."""
    user = w.users["district"]
    before = pagecache._key(_request(user, "/needs/"))
    user.area_id = w.areas["laoshan"].pk
    assert pagecache._key(_request(user, "/needs/")) != before
    user.area_id, user.role = w.areas["laixi"].pk, "leadership"
    assert pagecache._key(_request(user, "/needs/")) != before


def test_the_bookkeeping_of_transactions_does_not_grow(w):
    need = w.needs["pub_laixi"]
    for i in range(30):
        with transaction.atomic(), transaction.atomic():
            Need.objects.filter(pk=need.pk).update(title=f"第{i}版")
        with pytest.raises(RuntimeError), transaction.atomic():
            Need.objects.filter(pk=need.pk).update(title="回滚")
            raise RuntimeError
    assert len(pagecache._thread.bumps) <= 1  # the last rolled-back one, pruned at the next transaction
    assert not pagecache._thread.unbumped


def test_a_cache_that_fails_serves_the_page_uncached(w, monkeypatch):
    c = _reader(w.users["coordinator"])
    _served_twice(c, "/needs/")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pagecache.cache, "get", broken)
    r = c.get("/needs/")
    assert r.status_code == 200 and not _hit(r) and "石墨烯规模化制备" in r.content.decode()


def test_the_apis_reads_for_a_browser_session_are_kept_as_the_pages_are(w):
    from kechuang.api.tokens import token_create

    c = _reader(w.users["coordinator"])
    views = AuditEntry.objects.filter(action="need.view_confidential", changes__via="api:needs")
    for url in ["/api/needs/", f"/api/needs/{w.needs['conf_ent'].pk}", "/api/experts/", "/api/experts/?q=石墨烯"]:
        first, again = _served_twice(c, url)
        assert not _hit(first) and _hit(again), url
        assert again.json() == first.json() and again["Content-Type"] == first["Content-Type"]

    before = views.count()
    assert _hit(c.get("/api/needs/")) and views.count() > before  # the confidential rows listed: audited again

    need = w.needs["pub_laixi"]
    Need.objects.filter(pk=need.pk).update(title="接口里改的标题")
    after = c.get("/api/needs/")
    assert not _hit(after) and "接口里改的标题" in {row["title"] for row in after.json()["items"]}

    # a personal token names its own reader: never served from, nor kept in, the session's pages
    secret = token_create(user=w.users["enterprise"], name="测试")[1]
    for _ in range(2):
        by_token = c.get("/api/needs/", headers={"Authorization": f"Bearer {secret}"})
        assert by_token.status_code == 200 and not _hit(by_token)
        assert by_token.json() != after.json()  # the enterprise's needs, not the coordinator's
    assert c.get("/api/needs/?limit=0").status_code == 422 and not _hit(c.get("/api/needs/?limit=0"))


def test_the_landing_page_is_kept_per_reader_and_shows_a_new_need_at_once(w):
    coordinator, enterprise = _reader(w.users["coordinator"]), _reader(w.users["enterprise"])
    for c in (coordinator, enterprise):
        first, again = _served_twice(c, "/home/")
        assert not _hit(first) and _hit(again)
    need = w.needs["pub_laixi"]
    Need.objects.filter(pk=need.pk).update(status="submitted", title="刚提交待审核的需求")
    after = coordinator.get("/home/")
    assert not _hit(after) and "刚提交待审核的需求" in after.content.decode()  # in the review queue
    leadership = _reader(w.users["leadership"])
    assert leadership.get("/home/").status_code == 302 and leadership.get("/home/").status_code == 302  # not kept
