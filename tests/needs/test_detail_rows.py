"""The need page prints byte for byte what it printed before session 16 (ADR 0051, amended).

The page (``needs.views.need_detail``, needs/detail.html, the matching panel, the owner ``<select>``,
the attachments) is rendered on the demo for every role that opens needs, in zh-hans and en, for
needs of every kind the page branches on (confidential, with attachments, with decided matches, with
invitations, with an owner, stalled, closed), twice: once by the original code — the view, the panel
and the selectors as they were, frozen below, with the original templates (``reference_templates/``,
found first) — and once as shipped. The HTML must be identical (CSRF tokens, random per render, aside),
the shipped page must not make more queries, and a confidential need's view is audited exactly once
per request either way.
"""

from __future__ import annotations

import contextlib
import copy
import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver

from kechuang.accounts.models import User
from kechuang.core.access import restrict
from kechuang.core.models import AuditEntry
from kechuang.matching.access_rules import routed_q
from kechuang.matching.models import Match
from kechuang.needs import selectors, services
from kechuang.needs.forms import NeedAttachmentForm, OwnerForm, TransitionForm
from kechuang.needs.models import Need, NeedAttachment, NeedStatus

REFERENCE = Path(__file__).parent / "reference_templates"
CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+"')
USERS = ["coordinator", "district", "enterprise", "ent-1", "expert", "liaison", "leadership"]


# ------------------------------------------------------------------ the original code, frozen


def _original_match_list(*, user):
    from kechuang.needs.selectors import with_visibility

    return (
        restrict(Match.objects.all(), user)
        .select_related("expert", "expert__affiliation", "achievement", "society", "decided_by", "routed_to_user",
                        "routed_to_org")
        .prefetch_related(Prefetch("need", queryset=with_visibility(user, Need.objects.select_related("enterprise"))))
    )


def _original_inbox(*, user):
    q = routed_q(user)
    if q is None:
        return Match.objects.none()
    return _original_match_list(user=user).filter(q).order_by("-decided_at", "-pk")


def _original_need_panel_matches(*, user, need):
    return list(
        restrict(Match.objects.all(), user)
        .filter(need=need)
        .exclude(status=Match.Status.SUGGESTED)
        .select_related("expert", "achievement", "society")
        .order_by("kind", "rank", "pk")
    )


def _original_matching_panel(request, need):
    user = request.user
    matches = _original_need_panel_matches(user=user, need=need)
    mine = list(_original_inbox(user=user).filter(need=need))
    coordinator = user.is_coordinator
    accepted = [m for m in matches if m.status == "accepted"]
    if not (coordinator or accepted or mine):
        return None
    return {"template": "matching/_need_panel.html", "is_coordinator": coordinator, "matches": matches,
            "accepted": accepted, "mine": mine}


def _original_need_history(*, user, need):
    from kechuang.needs.models import NeedStatusChange

    return (
        restrict(NeedStatusChange.objects.filter(need=need), user)
        .select_related("by")
        .only("from_status", "to_status", "at", "note", "by", "by__username", "by__display_name")
    )


@login_required
def _original_need_detail(request, pk: int):
    need = get_object_or_404(selectors.need_list(user=request.user), pk=pk)
    services.need_record_view(user=request.user, need=need)
    history = _original_need_history(user=request.user, need=need)
    actions = [(s, services.TRANSITION_LABELS[s]) for s in services.allowed_transitions(request.user, need)]
    return render(
        request,
        "needs/detail.html",
        {
            "need": need,
            "history": history,
            "actions": actions,
            "stalled": selectors.need_is_stalled(need),
            "transition_form": TransitionForm(),
            "statuses": NeedStatus,
            "can_edit": services.can_edit(request.user, need),
            "owner_form": (
                OwnerForm(user=request.user, initial={"owner": need.owner_id})
                if services.can_assign_owner(request.user, need)
                else None
            ),
            "can_see_contact": services.can_see_contact(request.user, need),
            "attachments": restrict(NeedAttachment.objects.filter(need=need), request.user).select_related(
                "uploaded_by"
            ),
            "can_attach": services.can_attach(request.user, need),
            "attachment_form": NeedAttachmentForm(),
            "need_panels": [p for p in [_original_matching_panel(request, need)] if p],
        },
    )


def _detail_pattern():
    (pattern,) = [p for r in get_resolver().url_patterns if getattr(r, "namespace", None) == "needs"
                  for p in r.url_patterns if getattr(p, "name", None) == "detail"]
    return pattern


@contextlib.contextmanager
def _before():
    """The original templates, and the page's original view (same URL name: the top bar is the same)."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [REFERENCE, *templates[0]["DIRS"]]
    with override_settings(TEMPLATES=templates), mock.patch.object(_detail_pattern(), "callback",
                                                                   _original_need_detail):
        yield


# ------------------------------------------------------------------ the comparison


def _get(client, url) -> tuple[bytes, int, int]:
    """The page's HTML (CSRF tokens blanked), its number of queries and of audit rows it wrote."""
    audited = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return CSRF.sub(rb"\1-", response.content), len(queries), AuditEntry.objects.count() - audited


@pytest.fixture
def demo(db):
    from kechuang.demo.loader import load_demo

    load_demo(fast_passwords=True)
    coordinator = User.objects.get(username="coordinator")
    nameless = User.objects.create_user(username="zz-nameless", password="x", role="coordinator")
    # the demo has no attachments: some on needs each role opens (a confidential one, the enterprise's,
    # the district's, one with invitations), uploaded by a named person, a nameless one and nobody
    hosts = {
        *Need.objects.exclude(confidentiality="public").order_by("pk").values_list("pk", flat=True)[:2],
        *Need.objects.filter(enterprise_id=User.objects.get(username="ent-1").organisation_id)
        .order_by("pk").values_list("pk", flat=True)[:1],
        *Need.objects.filter(enterprise_id=User.objects.get(username="enterprise").organisation_id)
        .order_by("pk").values_list("pk", flat=True)[:1],
        *selectors.need_list(user=User.objects.get(username="district")).order_by("pk").values_list("pk", flat=True)[:1],
        *Match.objects.filter(status="accepted").exclude(routed_to_org=None).order_by("pk")
        .values_list("need_id", flat=True)[:1],
        *selectors.need_list(user=User.objects.get(username="leadership")).order_by("pk").values_list("pk", flat=True)[:1],
    }
    for pk in hosts:
        for i, by in enumerate((coordinator, nameless, None)):
            NeedAttachment.objects.create(need_id=pk, file=f"needs/2026/12/f{pk}-{i}.pdf", name=f'图纸 <{i}> & "x"',
                                          uploaded_by=by)


def _needs_to_open(user) -> list[int]:
    """Needs ``user`` may open, one of each kind the page branches on."""
    needs = selectors.need_list(user=user).order_by("pk")
    picks = [
        needs.first(),
        needs.exclude(confidentiality="public").first(),
        needs.filter(confidentiality="coordinators").first(),
        needs.filter(attachments__isnull=False).distinct().first(),
        needs.filter(matches__status__in=["accepted", "declined"]).distinct().first(),
        needs.filter(matches__status="accepted").distinct().last(),
        needs.filter(pk__in=_original_inbox(user=user).values("need_id")).first(),
        needs.filter(owner__isnull=False).last(),
        needs.filter(owner__isnull=True).first(),
        needs.filter(is_stalled=True).first(),
        needs.filter(status=NeedStatus.CLOSED).first(),
        needs.filter(status=NeedStatus.RETURNED).first(),
        needs.filter(status=NeedStatus.SUBMITTED).first(),
        needs.filter(major=True).first(),
    ]
    return list(dict.fromkeys(n.pk for n in picks if n is not None))


@pytest.mark.parametrize("username", USERS)
def test_the_need_page_prints_the_same_html_as_the_original_code(demo, username):
    user = User.objects.get(username=username)
    pks = _needs_to_open(user)
    assert len(pks) >= (2 if user.role == "enterprise" else 4), pks
    for language in ("zh-hans", "en"):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        for pk in pks:
            url = f"/needs/{pk}/"
            with _before():
                before, queries_before, audited_before = _get(client, url)
            after, queries, audited = _get(client, url)
            assert after == before, (username, language, url)
            assert queries <= queries_before, (username, language, url, queries, queries_before)
            confidential = Need.objects.get(pk=pk).confidentiality != "public"
            assert audited == audited_before == int(confidential), (username, language, url, audited)
            assert (b'<html lang="en">' in after) == (language == "en")


def test_the_pages_compared_take_the_branches(demo):
    """Not a vacuous comparison: the pages above show attachments, decided matches, invitations, an owner
    `<select>`, the transition buttons, the contact and a confidential tag."""
    seen = b""
    for username in ("coordinator", "liaison", "expert", "district"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        seen += b"".join(client.get(f"/needs/{pk}/").content for pk in _needs_to_open(user))
    for marker in (b'data-testid="need-attachment"', b'data-testid="need-attachment-delete"',
                   b'data-testid="decided-matches"', b'data-testid="need-invitation"', b'data-testid="owner-card"',
                   b'<option value="" ', b' selected>', b'name="to_status"', b'data-testid="need-contact"',
                   b'class="tag conf"', b'class="tag stalled"', b"zz-nameless", b"&lt;0&gt; &amp; &quot;x&quot;"):
        assert marker in seen, marker


def test_every_reference_template_differs_from_the_shipped_one():
    shipped = Path(settings.TEMPLATES[0]["DIRS"][0])
    references = [p.relative_to(REFERENCE) for p in REFERENCE.rglob("*.html")]
    assert references
    for name in references:
        if (shipped / name).exists():
            assert (shipped / name).read_text() != (REFERENCE / name).read_text(), name


@pytest.mark.parametrize(
    "changes",
    [
        {"budget_min": None, "budget_max": 0, "keywords": [], "deadline": None, "contact_name": "", "contact_phone": ""},
        {"budget_min": 0, "budget_max": 30, "keywords": ['<b>"石墨烯"</b>', 7, "a&b"], "contact_name": "<i>张</i>"},
        {"budget_min": 1200, "budget_max": None, "background": "<script>x</script> & 100%", "major": True,
         "keywords": "石墨"},
        {"budget_min": 5, "budget_max": 5000000, "goal": "", "problem": "50%% %(x)s"},
    ],
)
def test_the_fields_card_prints_as_its_template_did(demo, changes):
    """The fields card's branches the demo may lack: budgets missing on one side or zero, no keywords or
    keywords with markup and numbers, no deadline, no contact, markup in the texts, a chain without a task
    force, an owner without a display name; as the coordinator (who sees the contact) and district staff."""
    from kechuang.orgs.models import IndustryChain

    coordinator = User.objects.get(username="coordinator")
    district = User.objects.get(username="district")
    need = selectors.need_list(user=district).filter(owner__isnull=False).order_by("pk").first()
    Need.objects.filter(pk=need.pk).update(**changes)
    IndustryChain.objects.filter(pk=need.chain_id).update(task_force="" if "keywords" in changes else "<专班>")
    User.objects.filter(pk=need.owner_id).update(display_name="")
    for user in (coordinator, district):
        for language in ("zh-hans", "en"):
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            client.force_login(user)
            with _before():
                before, queries_before, _audited = _get(client, f"/needs/{need.pk}/")
            after, queries, _audited = _get(client, f"/needs/{need.pk}/")
            assert after == before, (user.username, language, changes)
            assert queries <= queries_before


@pytest.mark.parametrize("username", ["liaison", "expert"])
def test_the_invitations_print_as_before_in_their_order(demo, username):
    """The panel's invitations (``need_panel_rows`` puts them in order itself): several on one need, two
    decided at the same time, and one without a time (the database orders those), on both databases."""
    from datetime import timedelta

    from django.utils import timezone

    user = User.objects.get(username=username)
    routed = {"routed_to_org": user.organisation} if username == "liaison" else {"routed_to_user": user}
    need = selectors.need_list(user=user).filter(confidentiality="public").order_by("pk").first()
    other = Match.objects.exclude(need=need).filter(expert__isnull=False).order_by("pk")[:4]
    when = timezone.now() - timedelta(days=3)
    for i, m in enumerate(other):
        Match.objects.create(need=need, kind="expert", expert=m.expert, score=0.5, rank=9 - i, status="accepted",
                             decided_at=when if i < 2 else when + timedelta(hours=i), response="interested" * (i == 3),
                             **routed)
    client = Client()
    client.force_login(user)
    for blank in (False, True):
        if blank:
            Match.objects.filter(need=need, rank=7).update(decided_at=None)
        with _before():
            before, queries_before, _audited = _get(client, f"/needs/{need.pk}/")
        after, queries, _audited = _get(client, f"/needs/{need.pk}/")
        assert after == before, blank
        assert queries <= queries_before
        assert after.count(b'data-testid="need-invitation"') == 1 and after.count("协调员邀请".encode()) >= 4
