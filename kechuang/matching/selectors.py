"""Every read of matches and suggestions, given the user and scoped through ``kechuang.core.access``.

Suggestions for a need are for coordinators only (anyone else: 404). The reverse direction ranks only
needs from ``kechuang.needs.selectors.need_list(user=...)``, so a confidential need the user may not
see is never ranked, explained or counted.
"""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet
from django.http import Http404

from kechuang.core.access import restrict
from kechuang.experts.models import Achievement, Expert
from kechuang.matching import index as idx
from kechuang.matching import ranking
from kechuang.matching.access_rules import routed_q
from kechuang.matching.models import IndexState, Match
from kechuang.needs.models import Need, NeedStatus
from kechuang.needs.selectors import need_list, prime_needs, with_visibility


def need_suggestions(*, user, need: Need, filters: dict | None = None) -> dict[str, ranking.Ranked]:
    """Ranked experts, achievements and societies for ``need`` (coordinators only)."""
    if not user.is_coordinator or not restrict(Need.objects.filter(pk=need.pk), user).exists():
        raise Http404
    return {kind: ranking.rank_for_need(need, kind, filters=filters) for kind in ranking.TOP_K}


def match_list(*, user) -> QuerySet[Match]:
    return (
        restrict(Match.objects.all(), user)
        .select_related(
            "expert",
            "expert__affiliation",
            "achievement",
            "society",
            "decided_by",
            "routed_to_user",
            "routed_to_org",
        )
        # needs marked for the reader in one query: templates print them through ``need_title``
        .prefetch_related(
            Prefetch("need", queryset=with_visibility(user, Need.objects.select_related("enterprise")))
        )
    )


def need_matches(*, user, need: Need) -> QuerySet[Match]:
    """Decided matches of a need the user may see (the enterprise: what was accepted)."""
    return (
        match_list(user=user)
        .filter(need=need)
        .exclude(status=Match.Status.SUGGESTED)
        .order_by("kind", "rank", "pk")
    )


def inbox(*, user) -> QuerySet[Match]:
    """Accepted matches routed to the user (an expert) or to their society (a liaison)."""
    q = routed_q(user)
    if q is None:
        return Match.objects.none()
    return match_list(user=user).filter(q).order_by("-decided_at", "-pk")


def inbox_latest(*, user, limit: int) -> list[Match]:
    """``inbox(user)[:limit]`` for the home page, joined only to what it prints (the candidate, and the
    need with its enterprise): ``match_list``'s other four joins were a third of the expert's and the
    liaison's home page's query CPU (ADR 0051)."""
    q = routed_q(user)
    if q is None:
        return []
    return list(
        restrict(Match.objects.all(), user)
        .filter(q)
        .select_related("expert", "achievement", "society")
        .only(*HOME_FIELDS)
        .prefetch_related(Prefetch("need", queryset=with_visibility(user, Need.objects.select_related("enterprise"))))
        .order_by("-decided_at", "-pk")[:limit]
    )


# What the home page's invitations print of a match (matching/_home.html: the candidate as ``str`` prints it,
# the reply) and order it by; the candidates' long texts (biography, description) are not read (session 16).
HOME_FIELDS = (
    "need", "kind", "response", "decided_at", "expert", "expert__name", "expert__title", "achievement",
    "achievement__title", "society", "society__name",
)


def inbox_match_get(*, user, need: Need, pk) -> Match:
    try:
        return inbox(user=user).get(pk=int(pk), need=need)
    except (Match.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def reverse_needs_for_expert(*, user, expert: Expert, top_k: int = 10) -> ranking.Ranked:
    """Needs the user may see that ``expert`` could serve (``expert`` must be visible to the user)."""
    if not restrict(Expert.objects.filter(pk=expert.pk), user).exists():
        raise Http404
    visible = list(need_list(user=user).filter(status__in=NeedStatus.IN_PROGRESS).values_list("pk", flat=True))
    return _marked(user, ranking.rank_needs(expert, visible, top_k=top_k))


def reverse_needs_for_achievement(*, user, achievement: Achievement, top_k: int = 10) -> ranking.Ranked:
    if not restrict(Achievement.objects.filter(pk=achievement.pk), user).exists():
        raise Http404
    visible = list(need_list(user=user).filter(status__in=NeedStatus.IN_PROGRESS).values_list("pk", flat=True))
    return _marked(user, ranking.rank_needs(achievement, visible, top_k=top_k))


def _marked(user, ranked: ranking.Ranked) -> ranking.Ranked:
    """Mark the ranked needs for the reader in one query (the page prints them via ``need_title``)."""
    prime_needs(user, [r.obj for r in ranked.rows] + [n for n, _ in ranked.excluded])
    return ranked


def index_states(*, user) -> list[IndexState]:
    return [idx.state(k) for k in idx.KINDS]


# What the need page's matching panel prints of a match (matching/_need_panel.html, matching/_decided.html):
# the candidate's name (``Match.candidate``: the expert's name and title, the achievement's title, the
# society's name), the decision, the reply, and whether an invitation went to a society.
PANEL_FIELDS = (
    "kind", "status", "reason", "comment", "response", "response_text", "routed_to_org", "expert",
    "expert__name", "expert__title", "achievement", "achievement__title", "society", "society__name",
)


def need_panel_rows(*, user, need: Need) -> tuple[list[Match], list[Match]]:
    """The need page's panel: the decided matches (``need_matches``' rows, by kind and rank) and
    ``inbox(user).filter(need=need)`` (the invitations to the reader about this need, latest first),
    reading only PANEL_FIELDS (ADR 0051, amended in session 16).

    Both through ``restrict`` as before, in one query: an invitation is accepted (``routed_q``), so it is
    among the decided matches; each row says whether it is routed to the reader, and the invitations are
    put in their order here (by the decision's time, then pk — the database is asked instead when one has
    no time, since SQLite and PostgreSQL place NULLs differently). A reader who may see no match at all,
    or to whom nothing is routed, costs no compiled query for it (``inbox``'s empty queryset still
    compiled its seven joins)."""
    rows = restrict(Match.objects.all(), user)
    if rows.query.is_empty():
        return [], []
    rows = rows.filter(need=need).select_related("expert", "achievement", "society")
    decided, q = ~Q(status=Match.Status.SUGGESTED), routed_q(user)
    if q is None:
        return list(rows.only(*PANEL_FIELDS).filter(decided).order_by("kind", "rank", "pk")), []
    found = list(
        rows.only(*PANEL_FIELDS, "decided_at")
        .filter(decided | q)
        .annotate(routed_to_reader=ExpressionWrapper(q, output_field=BooleanField()))
        .order_by("kind", "rank", "pk")
    )
    matches = [m for m in found if m.status != Match.Status.SUGGESTED]
    mine = [m for m in found if m.routed_to_reader]
    if any(m.decided_at is None for m in mine):
        return matches, list(rows.only(*PANEL_FIELDS).filter(q).order_by("-decided_at", "-pk"))
    mine.sort(key=lambda m: (m.decided_at, m.pk), reverse=True)
    return matches, mine
