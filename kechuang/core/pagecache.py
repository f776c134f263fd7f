"""Whole pages kept in the shared cache for as long as nothing they read has been written (ADR 0059).

The lists and the need page cost a web process 7-10 ms of CPU each, the bare view 1-2 ms, and people
mostly read: a page is rendered once and served again to the same reader until a table it read is
written, whoever writes it, in whatever process.

- **What a page read** is learnt, not declared: while a page renders, every SELECT on this thread's
  connection names its tables (``_tables``; a database execute wrapper sees every query, ORM or raw).
  The page is kept with a token per table, read after it rendered.
- **Every write bumps its tables' tokens**: INSERT, UPDATE and DELETE, ORM, ``update()``,
  ``bulk_create`` or raw SQL, once the write is committed (``on_commit``; at once outside a
  transaction), plus an epoch token. A page whose tables' tokens all still match is served; any other
  is rendered again. A page during whose rendering the epoch moved is not kept.
- **What a page is not kept for**: a request with messages waiting, on a connection with uncommitted writes (a test's transaction, an atomic
  request), a render that wrote something other than the audit trail, or one whose content came from
  elsewhere (``not_kept``: the matching index while it is rebuilt in the background).
- **The audit trail is written on every view**: the entries a render wrote (a confidential need
  listed or opened) are kept with the page and written again, with the time of the new view, when the
  page is served from the cache.
- **The key** names the code (``_code_version``), the path with its query, the language, the reader,
  2FA verification and htmx. The forms' CSRF tokens are the session's: kept as a slot, filled with the
  reading session's token when the page is served (``_without_csrf_tokens``). An entry also expires
  after ``KECHUANG_PAGE_CACHE_SECONDS`` (default 300; 0 turns it off) for what depends on the clock
  ("stalled since", "3 days ago").
- **The API's reads** take the same decorator (``ninja.decorators.decorate_view(cached_page)``) for a
  browser session's calls; a call with an ``Authorization`` header (a personal token) is never kept
  or served from the cache: its reader is known only once ninja has authenticated it.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import logging
import os
import re
import threading
import time
import zlib
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import CSRF_TOKEN_LENGTH, _unmask_cipher_token, get_token

logger = logging.getLogger(__name__)

PREFIX = "kechuang:page"
EPOCH_KEY = f"{PREFIX}:epoch"
# The statement's first word, after comments and brackets (PostgreSQL writes a union as ``(SELECT …``).
_FIRST_WORD = re.compile(r"^(?:\s|\(|--[^\n]*\n|/\*.*?\*/)*([A-Za-z]+)", re.DOTALL)
_WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "TRUNCATE"})
_WRITE_IN_WITH = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b(?!\s*(?:OF|NOWAIT|SKIP)\b)", re.IGNORECASE)
_WORD = re.compile(r"[a-z][a-z0-9_]*")

# The audit trail: its rows are replayed, not followed. Django's sessions (written once a minute by
# the idle logout) and the cache itself are not page content.
AUDIT_TABLE = "core_auditentry"
KEPT_TYPES = ("text/html", "application/json")  # pages, and the API's reads (``decorate_view``)
IGNORED = {"django_session"}


def seconds() -> int:
    return int(settings.KECHUANG_PAGE_CACHE_SECONDS)


@functools.cache
def _known_tables() -> frozenset[str]:
    """Every table a model (or an m2m relation) lives in: the words of SQL that are tables."""
    from django.apps import apps

    names = set()
    for model in apps.get_models(include_auto_created=True):
        names.add(model._meta.db_table.lower())
    return frozenset(names - IGNORED - {_cache_table()})


def _cache_table() -> str:
    return str(settings.CACHES["default"].get("LOCATION", "")).lower()


def _writes(sql: str) -> bool:
    """Does ``sql`` write? (``SELECT … FOR UPDATE`` does not; ``WITH … UPDATE …`` does.)"""
    m = _FIRST_WORD.match(sql)
    word = m.group(1).upper() if m else ""
    if word in _WRITES:
        return True
    return word == "WITH" and bool(_WRITE_IN_WITH.search(sql.replace("FOR UPDATE", "")))


def _tables(sql: str) -> set[str]:
    known = _known_tables()
    return {w for w in _WORD.findall(sql.lower()) if w in known}


@functools.cache
def _code_version() -> str:
    """The code and translations this process serves (a deploy starts with empty pages)."""
    h = hashlib.sha1(usedforsecurity=False)
    for root in [Path(__file__).resolve().parent.parent, *map(Path, settings.LOCALE_PATHS)]:
        for dirpath, _dirs, files in sorted(os.walk(root)):
            for f in sorted(files):
                if f.endswith((".py", ".html", ".mo")):
                    st = os.stat(os.path.join(dirpath, f))
                    h.update(f"{dirpath}/{f}:{st.st_mtime_ns}:{st.st_size}".encode())
    return h.hexdigest()[:12]


# ------------------------------------------------------------------ following reads and writes

class _Render:
    """What one page's rendering read and wrote (set in ``_rendering`` while it runs)."""

    def __init__(self) -> None:
        self.read: set[str] = set()
        self.wrote: set[str] = set()
        self.audit: list[dict] = []
        self.not_kept: str = ""


_rendering: contextvars.ContextVar[_Render | None] = contextvars.ContextVar("kechuang_page_render", default=None)


class _Bump:
    """An ``on_commit`` callback bumping the tokens of the tables its transaction wrote."""

    def __init__(self, key) -> None:
        self.key = key
        self.tables: set[str] = set()

    def __call__(self) -> None:
        _thread.bumps.pop(self.key, None)
        bump(self.tables)


def bump(tables) -> None:
    """New tokens for ``tables`` and the epoch: every page that read one of them is rendered again."""
    if not tables:
        return
    token = f"{time.time_ns()}-{os.getpid()}-{threading.get_ident()}"
    try:  # the epoch first: a cache that writes one key at a time never shows a new token under the old epoch
        cache.set_many({EPOCH_KEY: token, **{f"{PREFIX}:t:{t}": token for t in tables}}, None)
    except Exception:  # noqa: BLE001 - a cache that cannot be written must not fail the write it follows
        logger.exception("page cache: tokens not bumped for %s", sorted(tables))


def _pending_bump(conn) -> _Bump | None:
    """This transaction's callback at the current savepoint level, if it is still to run."""
    cb = _thread.bumps.get((conn.alias, tuple(conn.savepoint_ids)))
    if cb is not None and any(f is cb for _sids, f, _robust in conn.run_on_commit):
        return cb
    return None


class _ThreadState(threading.local):
    def __init__(self) -> None:
        self.bumps: dict = {}  # (alias, savepoint ids) -> the _Bump registered there
        self.unbumped: dict[str, set[str]] = {}  # alias -> tables written in autocommit, not yet bumped
        self.bumping = False


_thread = _ThreadState()


def _after_write(conn, sql: str, tables: set[str]) -> None:
    if conn.in_atomic_block:
        cb = _pending_bump(conn)
        if cb is None:
            pending = {f for _sids, f, _robust in conn.run_on_commit}
            for k in [k for k, f in _thread.bumps.items() if k[0] == conn.alias and f not in pending]:
                del _thread.bumps[k]  # rolled back: Django dropped its callback
            key = (conn.alias, tuple(conn.savepoint_ids))
            cb = _thread.bumps[key] = _Bump(key)
            conn.on_commit(cb)
        cb.tables |= tables
    elif _returns_rows(sql):
        # Committed, but the statement is still open until its rows are read, and SQLite refuses a
        # commit (the cache's write) until then: bumped again before this connection's next statement,
        # at the end of the request, or at exit (``flush``).
        _thread.unbumped.setdefault(conn.alias, set()).update(tables)
    else:
        _bump_now(tables)


def flush(conn=None, **_kwargs) -> None:
    """Bump what was written in autocommit on this thread's connection (outside a transaction only:
    the cache's write shares the connection, and a transaction could still roll it back)."""
    conn = conn or connection
    if _thread.bumping or conn.in_atomic_block:
        return
    tables = _thread.unbumped.pop(conn.alias, None)
    if tables:
        _bump_now(tables)


def uncommitted_writes(conn=None) -> bool:
    """Has this connection written something not yet committed (so not yet bumped)?"""
    conn = conn or connection
    return conn.in_atomic_block and any(isinstance(f, _Bump) for _sids, f, _robust in conn.run_on_commit)


def execute_wrapper(execute, sql, params, many, context):
    """Installed on every connection (``install``): follows what a page reads, bumps what is written."""
    conn = context["connection"]
    if _thread.bumping or not isinstance(sql, str):
        return execute(sql, params, many, context)
    if _thread.unbumped:
        flush(conn)
    if _writes(sql):
        tables = _tables(sql)
        render = _rendering.get()
        if render is not None:
            render.wrote |= tables
        tables -= {AUDIT_TABLE}
        if tables and not conn.in_atomic_block and _returns_rows(sql):
            # Its bump after it is deferred (``_after_write``), and the write is visible as soon as it
            # runs: bump before it too, so another thread or process stops serving the old page now.
            _bump_now(tables)
        result = execute(sql, params, many, context)
        if tables:
            _after_write(conn, sql, tables)
        return result
    render = _rendering.get()
    if render is not None:  # a SELECT, or anything else that names a table
        render.read |= _tables(sql)
    return execute(sql, params, many, context)


def _returns_rows(sql: str) -> bool:
    return "RETURNING" in sql.upper()


def _bump_now(tables) -> None:
    _thread.bumping = True
    try:
        bump(tables)
    finally:
        _thread.bumping = False


def install(connection, **_kwargs) -> None:
    """``connection_created``: wrap the new connection (from ``CoreConfig.ready``)."""
    # First in the list, not last: ``connection.execute_wrapper()`` (the request log's) pops the last
    # wrapper when it ends, so one appended while it was open — a connection opened inside a request —
    # would go with it.
    if execute_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, execute_wrapper)


def install_current(**_kwargs) -> None:
    """``request_started``: this thread's connection has the wrapper, whenever it was opened."""
    install(connection)


def flush_all(**_kwargs) -> None:
    """``request_finished`` and exit: nothing written in autocommit stays unbumped."""
    from django.db import connections

    for alias in list(_thread.unbumped):
        try:
            flush(connections[alias])
        except Exception:  # noqa: BLE001 - at exit the database may be gone; the pages' timeout remains
            logger.exception("page cache: tokens not bumped at the end")


def not_kept(reason: str) -> None:
    """The page being rendered shows something the database does not say: do not keep it."""
    render = _rendering.get()
    if render is not None and not render.not_kept:
        render.not_kept = reason


def audited(entries) -> None:
    """``core.audit``: these entries were written while a page rendered; keep them with the page."""
    render = _rendering.get()
    if render is not None:
        render.audit.extend(
            {
                "actor_id": e.actor_id,
                "actor_username": e.actor_username,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "object_repr": e.object_repr,
                "changes": e.changes,
            }
            for e in entries
        )


# ------------------------------------------------------------------ the view decorator

def _key(request) -> str | None:
    if "Authorization" in request.headers:
        return None  # the API's token names the reader only once the view has run (api.auth)
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    verified = getattr(user, "is_verified", None)
    parts = [
        _code_version(),
        request.get_full_path(),
        getattr(request, "LANGUAGE_CODE", ""),
        str(user.pk),
        # the reader's row as the middleware read it: a page rendered for a row read before a change
        # of role or area is never served to the changed reader (it is kept under the old values)
        repr([getattr(user, f, None) for f in _USER_FIELDS]),
        "v" if callable(verified) and verified() else "",
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-Target", ""),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{PREFIX}:p:{digest}"


_USER_FIELDS = ("username", "display_name", "role", "organisation_id", "area_id", "expert_id", "is_active",
                "is_staff", "is_superuser")


def _usable(request) -> bool:
    if request.method != "GET" or seconds() <= 0:
        return False
    if uncommitted_writes():
        return False
    return not len(messages.get_messages(request))


def _tokens(tables) -> dict[str, str]:
    keys = [f"{PREFIX}:t:{t}" for t in sorted(tables)]
    found = cache.get_many([*keys, EPOCH_KEY])
    missing = {k for k in keys if k not in found}
    if missing:  # never written (or evicted): a token no older page can carry
        token = f"{time.time_ns()}-{os.getpid()}-new"
        add_many = getattr(cache, "add_many", None)  # core.cache's: one write for all of them
        if add_many is not None:
            add_many(dict.fromkeys(missing, token), None)
        else:  # ``add``: another process may have written its own first
            for k in missing:
                cache.add(k, token, None)
        found.update(cache.get_many([*missing, EPOCH_KEY]))  # the epoch again: a write may have come between
    return found


# A form's CSRF token is the session's secret, masked anew each time it is printed (64 letters and
# digits). A kept page holds a slot where a token of the session that rendered it was; the page is
# served with the reading session's own token there, so one reader's sessions share their pages.
_CSRF_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % CSRF_TOKEN_LENGTH)
CSRF_SLOT = b"\x00csrf-token\x00"


def _without_csrf_tokens(request, body: bytes) -> bytes:
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return body

    def slot(m: re.Match) -> bytes:
        return CSRF_SLOT if _unmask_cipher_token(m.group().decode()) == secret else m.group()

    return _CSRF_TOKEN.sub(slot, body)


def _with_csrf_token(request, body: bytes) -> bytes:
    return body.replace(CSRF_SLOT, get_token(request).encode()) if CSRF_SLOT in body else body


def _serve(request, entry) -> HttpResponse | None:
    deps = entry["deps"]
    current = cache.get_many(list(deps))
    if any(current.get(k) != v for k, v in deps.items()):
        return None
    if entry["audit"]:
        from kechuang.core.models import AuditEntry

        AuditEntry.objects.bulk_create([AuditEntry(**row) for row in entry["audit"]])
    body = _with_csrf_token(request, zlib.decompress(entry["body"]))
    response = HttpResponse(body, content_type=entry["content_type"])
    response["X-Page-Cache"] = "hit"
    return response


def cached_page(view):
    """Serve the page from the shared cache while nothing it read has changed (module docstring)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        flush(connection)  # what this thread wrote in autocommit shows first
        if not _usable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        if key is None:
            return view(request, *args, **kwargs)
        try:
            entry = cache.get(key)
            if entry is not None:
                response = _serve(request, entry)
                if response is not None:
                    return response
            epoch = cache.get(EPOCH_KEY)
        except Exception:  # noqa: BLE001 - a cache that cannot be read: the page as if there were none
            logger.exception("page cache: not read")
            return view(request, *args, **kwargs)
        render = _Render()
        reset = _rendering.set(render)
        try:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
                response.render()
        finally:
            _rendering.reset(reset)
        try:
            _keep(request, key, epoch, render, response)
        except Exception:  # noqa: BLE001 - the reader has the page; it is only not kept
            logger.exception("page cache: not kept")
        return response

    return wrapped


def _keep(request, key, epoch, render: _Render, response) -> None:
    why = _why_not_kept(render, response)
    if why:
        logger.debug("page cache: %s not kept: %s", key, why)
        return
    deps = render.read | {_user_table()}
    tokens = _tokens(deps)
    if tokens.get(EPOCH_KEY) != epoch:
        return  # something was written while the page rendered
    cache.set(
        key,
        {
            "deps": {f"{PREFIX}:t:{t}": tokens[f"{PREFIX}:t:{t}"] for t in deps},
            "body": zlib.compress(_without_csrf_tokens(request, response.content), 1),
            "content_type": response["Content-Type"],
            "audit": render.audit,
        },
        seconds(),
    )


def _why_not_kept(render: _Render, response) -> str:
    if render.not_kept:
        return render.not_kept
    if response.status_code != 200 or getattr(response, "streaming", False):
        return f"HTTP {response.status_code}"
    if not response.get("Content-Type", "").startswith(KEPT_TYPES):
        return "neither HTML nor JSON"
    if response.cookies:
        return "sets a cookie"
    if AUDIT_TABLE in render.read:
        return "read the audit trail (its writes bump nothing)"
    if render.wrote - {AUDIT_TABLE}:
        return f"wrote {sorted(render.wrote - {AUDIT_TABLE})}"
    if uncommitted_writes():
        return "uncommitted writes"
    return ""


@functools.cache
def _user_table() -> str:
    """The reader's own row (role, area, organisation) is read before the view runs: always a dependency."""
    from django.contrib.auth import get_user_model

    return get_user_model()._meta.db_table.lower()
