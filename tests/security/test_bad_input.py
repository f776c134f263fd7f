"""Bad input against every form, every GET filter and every API operation (issue "Trust").

Each item of ``corpus.CORPUS`` (NUL bytes, huge numbers, non-ASCII digits, 100k-character strings,
broken UTF-8, XSS in Chinese and English) goes into each field of each POST form, each filter
parameter of each page and each parameter of each API operation. Every answer must be one of:

- refused with a clear message — a 200 re-rendered form with an error in Chinese, a 302 with a
  flash error in Chinese, a 4xx (the API: JSON with ``detail``) — and then **no row of any kechuang
  table was added or removed** (nothing half-written);
- stored, and the next page shows it escaped (the raw ``<script>``/``<img onerror>`` never appears).

Never a server error (5xx or an exception). Targets are found, not listed: the URL patterns
(every name must be classified GET or POST by the permission matrix), the fields of each POST form
read from the page that renders it plus the keys the view actually reads from ``request.POST``
(recorded while a valid baseline is posted), the filter keys each page reads from ``request.GET``
(recorded the same way) plus the usual filter names, and the API operations from the OpenAPI
schema. Each request runs in a savepoint that is rolled back, so every item meets the same world.

Size (about 3,300 requests, ~2 minutes on two cores): every (target, field) gets one item of every
corpus class (the member rotates with the field) plus the huge number and "²"; ``q``, ``title`` and
``name`` get the whole corpus. List pages also get the usual filter names (``KNOWN_FILTERS``); object
pages get the keys they read. ``KECHUANG_CORPUS_TALLY=/tmp/tally`` writes the counts to JSON.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from corpus import CORPUS, PDF, RAW_MARKUP, UPLOADS, Item, one_per_class
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.db import connection, transaction
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.datastructures import MultiValueDict
from page_forms import page_forms

_spec = importlib.util.spec_from_file_location(
    "bad_input_permission_matrix", Path(__file__).parents[1] / "core" / "test_permission_matrix.py"
)
pm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pm)
matrix_world = pm.matrix_world  # the permission matrix's world: one object of every kind per role

CJK = re.compile(r"[\u4e00-\u9fff]")
BOUNDARY = "corpusBoundary7MA4YWxkTrZu0gW"

# who posts/reads each URL (default: the coordinator, who may act on everything)
ROLE = {
    "accounts:login": "anonymous",
    "matching:respond": "expert",
    "experts:contact_request": "enterprise",
    "experts:request_step": "liaison",
}

# POST URL -> the GET page whose form posts to it
SOURCE = {
    "apitokens:revoke": "apitokens:list",
    "accounts:login": "accounts:login",
    "accounts:logout": "home:home",
    "set_language": "home:home",
    "needs:create": "needs:create",
    "needs:edit": "needs:edit",
    "needs:transition": "needs:detail",
    "needs:attachment_add": "needs:detail",
    "needs:attachment_delete": "needs:detail",
    "events:setup": "events:setup",
    "events:register_enterprise": "events:detail",
    "events:register_expert": "events:detail",
    "events:request_create": "events:detail",
    "events:pair_rule": "events:detail",
    "events:request_respond": "events:detail",
    "events:request_priority": "events:detail",
    "events:generate": "events:schedule",
    "events:replan": "events:schedule",
    "events:walk_in": "events:schedule",
    "events:table_lose": "events:schedule",
    "events:meeting_cancel": "events:meeting",
    "events:meeting_check_in": "events:meeting",
    "events:meeting_outcome": "events:meeting",
    "events:meeting_later": "events:meeting",
    "events:participant_check_in": "events:agenda",
    "events:participant_cancel": "events:agenda",
    "followup:visit_create": "followup:visit_create",
    "followup:diagnosis": "followup:visit_detail",
    "followup:finding_to_need": "followup:visit_detail",
    "followup:agreement_create": "followup:agreement_create",
    "followup:attachment_add": "followup:agreement_detail",
    "followup:milestone_done": "followup:agreement_detail",
    "followup:base_create": "followup:base_create",
    "followup:base_service_add": "followup:base_detail",
    "matching:decide": "matching:suggestions",
    "matching:record": "matching:suggestions",
    "matching:undo": "matching:suggestions",
    "matching:respond": "matching:inbox",
    "notifications:read": "notifications:list",
    "notifications:read_all": "notifications:list",
    "notifications:settings": "notifications:settings",
    "accounts:password_reset": "accounts:password_reset",
    "experts:contact_request": "experts:detail",
    "experts:contact_consent": "experts:detail",
    "experts:request_step": "experts:requests",
    # profiles and the library (s4-onboard): the buttons on the pages they manage
    "experts:retire": "experts:detail",
    "experts:achievement_retire": "experts:achievement",
    "experts:team_retire": "experts:teams",
    "experts:publication_add": "experts:profile_edit",
    "experts:publication_remove": "experts:profile_edit",
    "experts:patent_add": "experts:profile_edit",
    "experts:patent_remove": "experts:profile_edit",
    "onboarding:invitation_resend": "onboarding:invitations",
    "onboarding:invitation_revoke": "onboarding:invitations",
    "onboarding:signup_approve": "onboarding:signup_detail",
    "onboarding:signup_reject": "onboarding:signup_detail",
    "needs:owner": "needs:detail",
    "needs:bulk_owner": "needs:list",
    "events:participant_unavailable": "events:agenda",
    "events:participant_online": "events:agenda",
    "events:met_proposal_confirm": "events:met_proposals",
    "events:met_proposal_dismiss": "events:met_proposals",
    "ops:start_agendas": "events:schedule",
    "ops:start_grid": "events:schedule",
    "ops:start_briefing": "dashboard:index",
    "intake:commit": "intake:batch",
}


def valid_data(name: str, w) -> dict:
    """A valid submission of each form (over the page's own values), so that the corpus item in one
    field is the only thing wrong and reaches the deepest check (form, service, database)."""
    pk = lambda o: str(o.pk)  # noqa: E731
    x = w.extra
    data = {
        "accounts:login": {"username": "coordinator", "password": "pw-test-123"},
        "set_language": {"language": "en", "next": "/home/"},
        "accounts:logout": {"next": "/accounts/login/"},
        "needs:create": {
            "enterprise": pk(w.orgs["ent"]),
            "title": "石墨烯导热膜量产",
            "kind": "tech",
            "chain": pk(w.chains["materials"]),
            "district": pk(w.areas["laixi"]),
            "background": "企业年产导热膜十万平方米",
            "problem": "石墨烯导热膜在大面积制备时厚度均匀性差，良品率不足六成",
            "goal": "良品率提高到九成",
            "budget_min": "50",
            "budget_max": "100",
            "deadline": "2030-06-30",
            "confidentiality": "public",
            "keywords_text": "石墨烯，导热膜",
        },
        "needs:edit": {"title": "保密的石墨烯配方改进"},
        "needs:transition": {"to_status": "matched", "note": "已找到合适专家"},
        "needs:attachment_add": {"name": "总装图"},
        "needs:attachment_delete": {"confirmed": "yes"},
        "events:register_enterprise": {
            "organisation": pk(w.orgs["ent"]),
            "name": "孙四",
            "position": "总工程师",
            "needs": pk(w.needs["pub_zone"]),
        },
        "events:register_expert": {"expert": pk(x["corpus_expert"]["new"])},
        "events:request_create": {
            "enterprise": pk(x["mm_participant"]["rep_own"]),
            "expert": pk(x["mm_participant"]["exp_other"]),
            "need": pk(w.needs["pub_laixi"]),
            "message": "希望当面请教",
        },
        "events:pair_rule": {
            "enterprise": pk(x["mm_participant"]["rep_own"]),
            "expert": pk(x["mm_participant"]["exp_other"]),
            "action": "force",
            "note": "领导指定",
        },
        "events:request_respond": {"accept": "1"},
        "events:request_priority": {"priority": "3"},
        "events:walk_in": {
            "enterprise": pk(x["mm_participant"]["rep_own"]),
            "expert": pk(x["mm_participant"]["exp_other"]),
        },
        "events:meeting_cancel": {"reason": "专家临时有事", "next": "/events/", "confirmed": "yes"},
        "events:meeting_outcome": {"outcome": "interested", "note": "双方约定下周到企业现场"},
        "events:meeting_later": {"later_outcome": "negotiating", "note": "已开始洽商"},
        "events:participant_cancel": {"reason": "企业代表临时出差", "confirmed": "yes"},
        "events:table_lose": {"confirmed": "yes"},
        "followup:visit_create": {
            "title": "走进莱西石墨企业",
            "date": "2026-12-01",
            "district": pk(w.areas["laixi"]),
            "societies": pk(w.orgs["soc"]),
            "experts": pk(w.experts["own"]),
            "note": "市科协组织",
            "stops-0-enterprise": pk(w.orgs["ent"]),
            "stops-0-minutes": "60",
        },
        "followup:diagnosis": {
            "findings": "石墨提纯酸耗高，废水处理成本占比过高。",
            "recommendations": "引入高温纯化。",
            "urgency": "high",
        },
        "followup:finding_to_need": {"title": "石墨高温纯化替代酸碱法"},
        "followup:agreement_create": {
            "title": "石墨高温纯化技术服务协议",
            "kind": "tech_service",
            "parties": [pk(w.orgs["soc"]), pk(w.orgs["ent"])],
            "amount": "150",
            "signed": "2026-03-20",
            "note": "三年期",
            "ms-0-title": "完成中试",
            "ms-0-due": "2026-09-01",
        },
        "followup:attachment_add": {"name": "协议扫描件"},
        "followup:milestone_done": {"done": "1"},
        "followup:base_create": {
            "kind": "transfer_base",
            "name": "石墨烯成果转化基地",
            "society": pk(w.orgs["soc"]),
            "host": pk(w.orgs["ent"]),
            "district": pk(w.areas["laixi"]),
            "unveiled": "2026-03-20",
            "description": "共建",
        },
        "followup:base_service_add": {"date": "2026-06-01", "kind": "event", "title": "技术沙龙活动"},
        "matching:decide": {
            "kind": "expert",
            "candidate": pk(w.experts["own"]),
            "decision": "decline",
            "reason": "too_early",
            "comment": "明年再议",
        },
        "matching:respond": {
            "match": pk(x["match"]["routed"]),
            "response": "interested",
            "text": "可以下周到企业交流",
        },
        "experts:contact_request": {"message": "想请教石墨烯散热方案", "need": pk(w.needs["pub_laixi"])},
        "experts:contact_consent": {"contact_public": "on"},
        "experts:request_step": {"to_status": "forwarded", "note": "请专家回复"},
    }.get(name, {})
    return {k: v if isinstance(v, list) else [v] for k, v in data.items()}


# files each upload form gets in its baseline (field -> (file name, bytes, content type))
FILES = {
    "needs:attachment_add": {"file": ("图纸.pdf", PDF, "application/pdf")},
    "followup:attachment_add": {"file": ("协议.pdf", PDF, "application/pdf")},
    "followup:agreement_create": {"attachment": ("协议.pdf", PDF, "application/pdf")},
}

# filter names every page is tried with, besides the keys it is seen to read
KNOWN_FILTERS = ("q", "chain", "district", "status", "page", "kind")
# fields that get the whole corpus (the rest one item per class)
FULL_FIELDS = re.compile(r"^(q|title|name)$")
SKIP_FIELDS = {"csrfmiddlewaretoken"}


# ----------------------------------------------------------------------------- helpers


def url_names() -> dict[str, str]:
    """Every named URL (but the admin's) → its method, from the permission matrix; unknown → fail."""
    names: set[str] = set()

    def walk(resolver, ns=None):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                walk(p, ":".join(x for x in (ns, p.namespace) if x) if p.namespace else ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{ns}:{p.name}" if ns else p.name)

    walk(get_resolver())
    return {n: pm.MATRIX[n][0] if n in pm.MATRIX else "?" for n in sorted(names) if not n.startswith("admin:")}


# Audit rows that record a *sight* of a confidential record are reads, not writes: a refused form that
# is shown again (with the confidential need titles the coordinator may read) is audited by design.
_READS = {"core_auditentry": " WHERE action NOT LIKE '%.view_confidential'"}


def _counts() -> dict[str, int]:
    """Rows of every kechuang table (sights of confidential records not counted), in one query."""
    models = [m for m in apps.get_models() if m.__module__.startswith("kechuang.") and not m._meta.proxy]
    tables = sorted({m._meta.db_table for m in models})
    # table names come from the app registry, quoted: no input reaches this SQL
    counts = (f"(SELECT COUNT(*) FROM {connection.ops.quote_name(t)}{_READS.get(t, '')})" for t in tables)  # noqa: S608
    sql = "SELECT " + ", ".join(counts)
    with connection.cursor() as cur:
        cur.execute(sql)
        return dict(zip(tables, cur.fetchone(), strict=True))


class _KeyRecorder:
    """Record the keys code reads from request.GET/POST (QueryDicts) during a request."""

    METHODS = ("get", "getlist", "__getitem__", "__contains__", "pop")

    def __init__(self, monkeypatch):
        self.keys: list[str] = []
        for meth in self.METHODS:
            orig = getattr(MultiValueDict, meth)
            monkeypatch.setattr(MultiValueDict, meth, self._wrap(orig))

    def _wrap(self, orig):
        def wrapper(d, key, *args, **kwargs):
            if isinstance(d, QueryDict) and isinstance(key, str) and key not in self.keys:
                self.keys.append(key)
            return orig(d, key, *args, **kwargs)

        return wrapper


def _encode(pairs: list[tuple[str, bytes]], files: dict | None) -> tuple[bytes, str]:
    if not files:
        body = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
        return body.encode("ascii"), "application/x-www-form-urlencoded"
    out = []
    for k, v in pairs:
        out += [f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n".encode(), v, b"\r\n"]
    for k, (fname, content, ctype) in files.items():
        fn = fname if isinstance(fname, bytes) else fname.encode()
        out += [
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"".encode(),
            fn.replace(b'"', b"%22"),
            f"\"\r\nContent-Type: {ctype}\r\n\r\n".encode(),
            content,
            b"\r\n",
        ]
    out.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={BOUNDARY}"


def _form_errors(resp) -> list[str]:
    """Every error text of every form or formset in the page's context."""
    texts: list[str] = []
    seen: set[int] = set()
    for ctx in resp.context or []:
        for value in ctx.flatten().values():
            if id(value) in seen:
                continue
            seen.add(id(value))
            if isinstance(value, BaseForm) and value.is_bound:
                texts += [str(e) for errs in value.errors.values() for e in errs]
            elif isinstance(value, BaseFormSet) and value.is_bound:
                texts += [str(e) for f in value.errors for errs in f.values() for e in errs]
                texts += [str(e) for e in value.non_form_errors()]
    return texts


def _messages(resp) -> list[tuple[int, str]]:
    storage = getattr(resp.wsgi_request, "_messages", None)
    return [(m.level, str(m.message)) for m in getattr(storage, "_queued_messages", [])]


def _raw_markup(resp) -> str | None:
    if "html" not in resp.get("Content-Type", ""):
        return None
    body = resp.content.decode("utf-8", "replace")
    return next((m for m in RAW_MARKUP if m in body), None)


class Run:
    """One target's requests, each in a rolled-back savepoint; problems collected, asserted at the end."""

    def __init__(self, client, label: str):
        self.client, self.label = client, label
        self.problems: list[str] = []
        self.requests = 0

    def fail(self, what: str, why: str) -> None:
        self.problems.append(f"{self.label} {what}: {why}")

    def assert_clean(self) -> None:
        assert not self.problems, f"{len(self.problems)} problem(s):\n" + "\n".join(self.problems[:40])

    def _call(self, what, fn):
        self.requests += 1
        try:
            resp = fn()
        except Exception as e:  # the test client re-raises a view's exception: a 500 in production
            self.fail(what, f"server error {type(e).__name__}: {str(e)[:300]}")
            return None
        if resp.status_code >= 500:
            self.fail(what, f"HTTP {resp.status_code}")
            return None
        return resp

    def post(self, what: str, url: str, pairs, files=None, *, follow: bool, expect_ok: bool = False, check=None):
        """POST; judge the answer; returns 'accepted', 'refused' or None (a problem was recorded)."""
        body, ctype = _encode(pairs, files)
        with transaction.atomic():
            before = _counts()
            resp = self._call(what, lambda: self.client.post(url, data=body, content_type=ctype))
            verdict = None if resp is None else self._judge_post(what, resp)
            if verdict == "refused" and (after := _counts()) != before:
                changed = {t: (n, after[t]) for t, n in before.items() if after[t] != n}
                # a refused sign-in is itself a security event: the audit trail records it, by design
                if not (url == reverse("accounts:login") and set(changed) == {"core_auditentry"}):
                    self.fail(what, f"refused but rows changed (half-written): {changed}")
            if verdict != "accepted" and expect_ok:
                why = resp is not None and (_form_errors(resp) or _messages(resp) or resp.status_code)
                self.fail(what, f"the valid submission was not accepted: {why}")
            if resp is not None and resp.status_code == 302 and (verdict == "accepted" or follow):
                target = resp["Location"]
                if urlsplit(target).netloc in ("", "testserver"):
                    nxt = self._call(what + " → " + target, lambda: self.client.get(urlsplit(target).path))
                    if nxt is not None and (m := _raw_markup(nxt)):
                        self.fail(what, f"next page {target} shows {m!r} unescaped")
            if check is not None:
                check(verdict)  # inside the savepoint: sees what this request wrote
            transaction.set_rollback(True)
        return verdict

    def _judge_post(self, what, resp) -> str | None:
        code = resp.status_code
        if m := _raw_markup(resp):
            self.fail(what, f"answer shows {m!r} unescaped")
        if code == 200:
            errors = _form_errors(resp) + [t for lvl, t in _messages(resp) if lvl >= message_levels.ERROR]
            if not errors:
                self.fail(what, "200 without any error message (nothing saved, nothing said)")
                return None
            if not any(CJK.search(e) for e in errors):
                self.fail(what, f"error message not in Chinese: {errors[:3]}")
            return "refused"
        if code in (301, 302, 303):
            errors = [t for lvl, t in _messages(resp) if lvl >= message_levels.ERROR]
            if errors:
                if not any(CJK.search(e) for e in errors):
                    self.fail(what, f"flash error not in Chinese: {errors[:3]}")
                return "refused"
            return "accepted"
        if 400 <= code < 500:
            return "refused"
        self.fail(what, f"unexpected HTTP {code}")
        return None

    def get(self, what: str, url: str, *, api: bool = False, resolved: bool = True):
        with transaction.atomic():
            resp = self._call(what, lambda: self.client.get(url))
            transaction.set_rollback(True)
        if resp is None:
            return None
        if m := _raw_markup(resp):
            self.fail(what, f"page shows {m!r} unescaped")
        if api and resolved and 400 <= resp.status_code < 500 and resp.status_code != 401:
            try:
                detail = json.loads(resp.content).get("detail")
            except ValueError:
                detail = None
            if not detail:
                self.fail(what, f"API {resp.status_code} without a JSON detail")
        return resp


def _items(field: str, index: int) -> list[Item]:
    return list(CORPUS) if FULL_FIELDS.match(field) else one_per_class(index)


def _build_extra(world) -> None:
    from kechuang.experts.models import Expert

    e = Expert.objects.create(name="赵新", title="研究员", fields=["石墨烯"], keywords=["导热膜"])
    e.societies.add(world.orgs["soc"])
    world.extra["corpus_expert"] = {"new": e}


@pytest.fixture
def corpus_world(matrix_world):
    _build_extra(matrix_world)
    return matrix_world


def _url_for(name: str, role: str, world) -> str:
    _, kind, _ = pm.MATRIX[name]
    return pm._url(name, kind, role, "own", world)


# ----------------------------------------------------------------------------- the targets

URLS = url_names()
# The JSON API's writing operations (POST/PATCH, no HTML form) are fuzzed one by one against their
# published schema by tests/api/test_api_schemathesis.py (the PostgreSQL stage of ``make test``); the
# corpus below covers the API's reads (test_api_operations) and every HTML form.
API_WRITES = sorted(n for n, m in URLS.items() if n.startswith("api:") and m != "get")
# POST URLs, and the GET pages whose form posts back to themselves (create/edit pages)
POST_URLS = sorted(
    {n for n, m in URLS.items() if m == "post" and n not in API_WRITES} | {n for n, s in SOURCE.items() if n == s}
)
GET_URLS = sorted(n for n, m in URLS.items() if m == "get" and not n.startswith("api:"))


def test_every_url_is_a_target():
    unknown = sorted(n for n, m in URLS.items() if m not in ("get", "post") and n not in API_WRITES)
    assert not unknown, f"URLs the corpus does not know how to reach: {unknown}"
    assert set(POST_URLS) <= set(SOURCE), f"POST URLs without a source page: {set(POST_URLS) - set(SOURCE)}"


def _post_fields(run, name, url, role, world, monkeypatch) -> tuple[list[tuple[str, str]], list[str], dict]:
    """The baseline (page form + valid values) and the fields to attack: the form's controls, plus
    every key the view reads from request.POST."""
    src = SOURCE[name]
    src_url = _url_for(src, role, world) if pm.MATRIX[src][1] else reverse(src)
    page = run.get(f"GET {src_url}", src_url)
    base: dict[str, list[str]] = {}
    names: list[str] = []
    if page is not None and page.status_code == 200:
        forms = [f for f in page_forms(page.content.decode()) if f.method == "post"]
        forms = [f for f in forms if (f.action or src_url) == url]
        if forms:
            for k, v in forms[0].data:
                base.setdefault(k, []).append(v)
            names = [n for n in forms[0].names if n not in forms[0].files]
    base.update(valid_data(name, world))
    files = FILES.get(name, {})
    recorder = _KeyRecorder(monkeypatch)
    run.post(f"probe {url}", url, _pairs(base), files, follow=False)
    monkeypatch.undo()
    fields = list(dict.fromkeys(names + list(base) + recorder.keys))
    fields = [f for f in fields if f not in SKIP_FIELDS and f not in files]
    return _pairs(base), fields, files


def _pairs(base: dict[str, list[str]]) -> list[tuple[str, bytes]]:
    return [(k, v.encode()) for k, vs in base.items() for v in vs]


def _replace(pairs, field: str, value: bytes) -> list[tuple[str, bytes]]:
    out = [(k, v) for k, v in pairs if k != field]
    return out + [(field, value)]


@pytest.mark.parametrize("name", POST_URLS)
def test_post_form_fields(name, corpus_world, client_for, monkeypatch):
    world = corpus_world
    role = ROLE.get(name, "coordinator")
    client = client_for(role)
    url = _url_for(name, role, world)
    run = Run(client, f"{role} POST {name}")
    base, fields, files = _post_fields(run, name, url, role, world, monkeypatch)
    baseline = run.post("baseline", url, base, files, follow=True, expect_ok=name in BASELINE_ACCEPTED)
    if name in BASELINE_ACCEPTED:
        assert baseline == "accepted", f"{name}: the valid submission was not accepted; problems: {run.problems}"
    for i, field in enumerate(fields):
        for item in _items(field, i):
            run.post(f"{field}={item}", url, _replace(base, field, item.wire), files, follow=item.klass == "xss")
    if not fields:  # an action without input: the corpus goes in as a stray field (must be ignored)
        for item in CORPUS:
            run.post(f"stray={item}", url, base + [("stray", item.wire)], files, follow=False)
    TALLY[("post", name)] = (fields, run.requests)
    run.assert_clean()


# the baselines that must go through (the rest depend on state: a meeting not held yet, a schedule
# that already exists so the meeting-day settings are locked, a run that needs a solver)
BASELINE_ACCEPTED = {
    "accounts:login",
    "set_language",
    "needs:create",
    "needs:edit",
    "needs:transition",
    "needs:attachment_add",
    "events:register_enterprise",
    "events:register_expert",
    "events:request_create",
    "events:pair_rule",
    "events:meeting_cancel",
    "events:meeting_outcome",
    "events:participant_cancel",
    "followup:visit_create",
    "followup:diagnosis",
    "followup:finding_to_need",
    "followup:agreement_create",
    "followup:attachment_add",
    "followup:milestone_done",
    "followup:base_create",
    "followup:base_service_add",
    "matching:decide",
    "matching:respond",
    "experts:contact_request",
    "experts:contact_consent",
}
TALLY: dict[tuple[str, str], tuple] = {}  # (kind, target) -> (fields, requests)


@pytest.fixture(scope="module", autouse=True)
def _write_tally():
    """``KECHUANG_CORPUS_TALLY=/tmp/tally`` writes what the run covered to /tmp/tally.<worker>.json."""
    yield
    if path := os.environ.get("KECHUANG_CORPUS_TALLY"):
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(f"{path}.{worker}.json", "w", encoding="utf-8") as f:
            json.dump([[*k, *v] for k, v in TALLY.items()], f, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("name", GET_URLS)
def test_get_filters(name, corpus_world, client_for, monkeypatch):
    world = corpus_world
    role = ROLE.get(name, "coordinator")
    client = client_for(role)
    url = _url_for(name, role, world)
    run = Run(client, f"{role} GET {name}")
    recorder = _KeyRecorder(monkeypatch)
    page = run.get("probe", url + "?_probe=1")
    monkeypatch.undo()
    names = list(recorder.keys)
    if page is not None and page.status_code == 200 and "html" in page.get("Content-Type", ""):
        for f in page_forms(page.content.decode()):
            if f.method == "get":
                names += f.names
    if pm.MATRIX[name][1] is None:  # a list or form page: the usual filter names too
        names += KNOWN_FILTERS
    params = [p for p in dict.fromkeys(names) if p not in SKIP_FIELDS | {"_probe"}]
    for i, param in enumerate(params):
        for item in _items(param, i):
            run.get(f"?{param}={item}", f"{url}?{param}={item.quoted}")
    TALLY[("get", name)] = (params, run.requests)
    run.assert_clean()


def _api_operations(client) -> list[tuple[str, str, list[dict]]]:
    schema = json.loads(client.get(reverse("api:openapi-json")).content)
    return [
        (path, method, op.get("parameters", []))
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    ]


# path parameters of the API → the permission matrix's object kind
API_PATH_KINDS = {
    "org_id": "org",
    "achievement_id": "achievement",
    "event_id": "mm_event",
    "request_id": "mm_request",
    "meeting_id": "mm_meeting",
    "visit_id": "visit",
    "agreement_id": "agreement",
    "match_id": "api_match",
}


def test_api_operations(corpus_world, client_for):
    world = corpus_world
    client = client_for("coordinator")
    ops = _api_operations(client)
    assert ops, "no API operation found in the OpenAPI schema"
    own = {"need_id": world.needs["conf_ent"].pk, "expert_id": world.experts["own"].pk}
    for param, kind in API_PATH_KINDS.items():  # the coordinator's own object of each kind (permission matrix)
        own[param] = pm.OBJECTS[kind]["coordinator"][0]
        objs = {"org": world.orgs, "achievement": world.achievements}.get(kind) or world.extra[kind]
        own[param] = objs[own[param]].pk
    run = Run(client, "coordinator API")
    for path, method, params in ops:
        if method != "get":  # writes: fuzzed per operation by tests/api/test_api_schemathesis.py
            continue
        good = {p["name"]: str(own[p["name"]]) for p in params if p["in"] == "path"}
        base = path.format(**good)
        run.get(f"{path} baseline", base, api=True)
        for i, p in enumerate(params):
            for item in _items("q" if p["in"] == "query" else p["name"], i):
                if p["in"] == "path":
                    target = path.format(**(good | {p["name"]: item.quoted}))
                    run.get(f"{path} {p['name']}={item}", target, api=True, resolved=False)
                else:
                    run.get(f"{path} ?{p['name']}={item}", f"{base}?{p['name']}={item.quoted}", api=True)
        TALLY[("api", f"GET {path}")] = ([p["name"] for p in params], None)
    run.assert_clean()


@pytest.mark.parametrize("name", sorted(FILES))
def test_upload_corpus(name, corpus_world, client_for, monkeypatch):
    """Every file field: traversal and overlong names, NUL and markup in names, an .exe renamed .pdf.
    Refused with a message, or stored under a plain name inside the upload folder, shown escaped."""
    from kechuang.followup.models import AgreementAttachment

    world = corpus_world
    client = client_for("coordinator")
    url = _url_for(name, "coordinator", world)
    run = Run(client, f"coordinator upload {name}")
    base, _, files = _post_fields(run, name, url, "coordinator", world, monkeypatch)
    (field,) = files
    for label, fname, content, ctype in UPLOADS:
        before = set(AgreementAttachment.objects.values_list("pk", flat=True))

        def check(verdict, label=label, before=before):
            if label == "exe-renamed-pdf" and verdict != "refused":
                run.fail(label, f"an executable renamed .pdf was {verdict}")
            for att in AgreementAttachment.objects.exclude(pk__in=before):
                stored = att.file.name
                if ".." in stored or not stored.startswith("agreements/") or "\x00" in stored:
                    run.fail(label, f"stored as {stored!r}")
                if len(att.name) > AgreementAttachment._meta.get_field("name").max_length:
                    run.fail(label, f"name of {len(att.name)} characters")
                if "/" in att.name or "\x00" in att.name:
                    run.fail(label, f"shown name {att.name!r}")
            TALLY[("upload", f"{name} {label}")] = (verdict, 1)

        run.post(f"{field}={label}", url, base, {field: (fname, content, ctype)}, follow=True, check=check)
    run.assert_clean()
