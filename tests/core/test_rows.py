"""Rows written in Python print the pages byte for byte as their templates did (ADR 0051).

Every page whose rows moved from a template to a Python tag is rendered twice on the demo, for
several roles and both languages: once as before (the original templates, kept in
``reference_templates/`` and found first, and the original selectors where a page's reads changed)
and once as shipped; the HTML must be identical (CSRF tokens, random per render, aside).
"""

from __future__ import annotations

import contextlib
import copy
import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from kechuang.accounts.models import User
from kechuang.core.access import restrict
from kechuang.experts.models import ServiceTeam
from kechuang.matching import selectors as matching

REFERENCE = Path(__file__).parent / "reference_templates"
CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+"')
# (username, pages) — every role whose pages print the changed rows, with sorting, filters and paging
USERS = {
    "coordinator": ["/needs/", "/needs/?sort=-owner&stalled=on", "/needs/?page=2", "/home/", "/followup/stalled/",
                    "/needs/?q=zzzz-none", "/experts/", "/experts/?page=2&sort=-availability", "/experts/?q=zzzz-none",
                    "/experts/?field=" + "人工智能", "/dashboard/", "/dashboard/?district=qd-jiaozhou&start=2020-01-01"],
    "leadership": ["/dashboard/"],  # its home is the dashboard
    "district": ["/needs/", "/home/", "/experts/", "/dashboard/"],
    "enterprise": ["/needs/", "/home/", "/experts/"],
    "expert": ["/needs/", "/home/", "/experts/"],
    "liaison": ["/needs/", "/home/", "/experts/"],
}


def _reference_templates():
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [REFERENCE, *templates[0]["DIRS"]]
    return templates


def _old_team_list(*, user):
    """experts.selectors.team_list before ADR 0051 (it prefetched societies and chains)."""
    qs = restrict(ServiceTeam.objects.all(), user).prefetch_related("societies", "chains")
    return qs.annotate(n_experts=Count("experts", distinct=True))


def _old_need_history(*, user, need):
    """needs.selectors.need_history before session 13 (the person's whole account)."""
    from kechuang.needs.models import NeedStatusChange

    return restrict(NeedStatusChange.objects.filter(need=need), user).select_related("by")


def _old_expert_cards(experts):
    """experts.selectors.expert_cards before session 16 (model instances with the societies prefetched)."""
    from kechuang.experts.selectors import ExpertCard

    return [
        ExpertCard(
            pk=expert.pk,
            name=expert.name,
            title=expert.title,
            affiliation=expert.affiliation.name if expert.affiliation_id else "",
            societies=[s.short_name or s.name for s in expert.societies.all()],
            fields=list(expert.fields or []),
            availability=expert.availability,
            availability_label=expert.get_availability_display(),
        )
        for expert in experts
    ]


@contextlib.contextmanager
def _before():
    """The original templates, and the selectors the pages used before ADR 0051."""
    with (
        override_settings(TEMPLATES=_reference_templates()),
        mock.patch("kechuang.experts.selectors.team_list", _old_team_list),
        mock.patch("kechuang.home.views.team_list", _old_team_list),
        mock.patch("kechuang.needs.selectors.need_history", _old_need_history),
        mock.patch("kechuang.needs.forms.for_owner_labels", lambda candidates: candidates),
        mock.patch("kechuang.needs.selectors.for_table", lambda needs, user: needs),
        mock.patch("kechuang.home.views.for_table", lambda needs, user: needs),
        mock.patch("kechuang.experts.selectors.for_cards", lambda experts: experts),
        mock.patch("kechuang.experts.selectors.expert_cards", _old_expert_cards),
        mock.patch.object(matching, "inbox_latest", lambda *, user, limit: list(matching.inbox(user=user)[:limit])),
    ):
        yield


def _get(client, url) -> tuple[bytes, int]:
    """The page's HTML (CSRF tokens blanked) and its number of queries."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return CSRF.sub(rb"\1-", response.content), len(queries)


@pytest.fixture
def demo(db):
    from kechuang.demo.loader import load_demo

    return load_demo(fast_passwords=True)


def _pages(user, language: str) -> dict[str, tuple[bytes, bytes]]:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    pages = {}
    from kechuang.needs.selectors import need_list

    needs = need_list(user=user)
    decided = needs.filter(matches__status__in=["accepted", "declined"]).distinct()  # the matching panel
    pks = [*needs.values_list("pk", flat=True)[:2], *decided.values_list("pk", flat=True)[:2],
           *matching.inbox(user=user).values_list("need_id", flat=True)[:1]]
    details = [f"/needs/{pk}/" for pk in dict.fromkeys(pks)]
    for url in USERS[user.username] + [f"/orgs/{user.organisation_id}/"] * bool(user.organisation_id) + details:
        with _before():
            before = _get(client, url)
        pages[url] = (before, _get(client, url))
    return pages


@pytest.mark.parametrize("username", list(USERS))
def test_pages_print_the_same_html_as_the_original_templates(demo, username):
    user = User.objects.get(username=username)
    for language in ("zh-hans", "en"):
        for url, ((before, queries_before), (after, queries)) in _pages(user, language).items():
            assert after == before, (username, language, url)
            # fewer columns read (for_table, for_cards) must not mean a query per row later
            assert queries <= queries_before, (username, language, url, queries, queries_before)
            assert (b'<html lang="en">' in after) == (language == "en"), (username, language, url)


def test_the_rows_are_not_rendered_by_the_templates(demo):
    """Not a vacuous equality: the needs list no longer includes needs/_status.html per row."""
    client = Client()
    client.force_login(User.objects.get(username="coordinator"))
    names = [t.name for t in client.get("/needs/").templates]
    assert "needs/_table.html" in names and "needs/_status.html" not in names



def test_every_reference_template_differs_from_the_shipped_one():
    """Each reference is an original that was changed (else the comparison above compares a file with itself)."""
    shipped = Path(settings.TEMPLATES[0]["DIRS"][0])
    references = [p.relative_to(REFERENCE) for p in REFERENCE.rglob("*.html")]
    assert references
    for name in references:
        if (shipped / name).exists():  # a partial no longer included (needs/_status.html) may be gone
            assert (shipped / name).read_text() != (REFERENCE / name).read_text(), name


def test_the_need_history_prints_as_its_template_did(demo):
    """The status record's branches the demo lacks: an owner change (same status), no person (the
    system), a note with markup; in both languages, before and after."""
    from datetime import timedelta

    from django.utils import timezone

    from kechuang.needs.models import NeedStatusChange
    from kechuang.needs.selectors import need_list

    user = User.objects.get(username="coordinator")
    need = need_list(user=user).order_by("pk").first()
    now = timezone.now().replace(hour=23, minute=5)  # a local date other than UTC's (Asia/Shanghai)
    NeedStatusChange.objects.create(need=need, from_status=need.status, to_status=need.status, at=now, by=None,
                                    note='<b>"改派" & 说明</b>')
    NeedStatusChange.objects.create(need=need, from_status="submitted", to_status="reviewed",
                                    at=now - timedelta(days=1), by=user, note="")
    for language in ("zh-hans", "en"):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        with _before():
            before = _get(client, f"/needs/{need.pk}/")
        after = _get(client, f"/needs/{need.pk}/")
        assert after[0] == before[0], language
        assert after[1] <= before[1], language
        assert ("负责人变更" if language == "zh-hans" else "Person following up changed").encode() in after[0]
        assert b"&lt;b&gt;&quot;" in after[0]


def test_the_owner_select_prints_as_before_for_staff_without_a_display_name(demo):
    """The option label's other branch (username with area or role: the columns ``for_owner_labels``
    keeps), which the demo's staff, all named, never take; on the need page and the needs list."""
    from kechuang.accounts.models import Role
    from kechuang.needs.selectors import need_list

    coordinator = User.objects.get(username="coordinator")
    district = User.objects.get(username="district")
    User.objects.create_user(username="zz-district", password="x", role=Role.DISTRICT, area=district.area)
    User.objects.create_user(username="zz-coordinator", password="x", role=Role.COORDINATOR)
    need = need_list(user=coordinator).order_by("pk").first()
    for language in ("zh-hans", "en"):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(coordinator)
        for url in (f"/needs/{need.pk}/", "/needs/?sort=-owner"):
            with _before():
                before = _get(client, url)
            after = _get(client, url)
            assert after[0] == before[0], (language, url)
            assert after[1] <= before[1], (language, url, after[1], before[1])
            assert b"zz-district\xef\xbc\x88" in after[0] and b"zz-coordinator\xef\xbc\x88" in after[0], (language, url)


def test_the_top_bar_and_footer_print_as_base_html_did(demo):
    """``{% topbar %}``/``{% footer %}`` (session 16) against the original base.html, on the branches the
    role pages above do not take: a visitor not signed in, a superuser with staff rights (the admin and
    two-factor links), unread notifications on the bell, and a path whose query needs escaping."""
    from kechuang.notifications.models import Notification

    admin = User.objects.create_superuser(username="zz-admin", password="x")
    coordinator = User.objects.get(username="coordinator")
    Notification.objects.filter(recipient=coordinator).update(read_at=None)
    assert Notification.objects.filter(recipient=coordinator, read_at=None).exists()
    for language in ("zh-hans", "en"):
        visitor = Client(HTTP_ACCEPT_LANGUAGE=language)
        cases = [(visitor, "/accounts/login/?next=/needs/%3Fq%3D%3Cb%3E%26%22x")]
        for user in (admin, coordinator):
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            client.force_login(user)
            cases.append((client, "/needs/?q=%3Cb%3E%26%22%27x"))
        for client, url in cases:
            with _before():
                before = _get(client, url)
            after = _get(client, url)
            assert after[0] == before[0], (language, url)
            assert after[1] <= before[1], (language, url)
        # the branches were taken: the coordinator's bell counts, the escaped path is in the language form
        assert b'data-testid="bell-count"' in after[0] and b'value="/needs/?q=%3Cb%3E%26%22%27x"' in after[0]
