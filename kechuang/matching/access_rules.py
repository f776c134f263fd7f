"""Who sees which matches, and the widening of a need's audience by accepted matches.

- coordinator: everything (before these rules run).
- enterprise contact: the *accepted* matches of their enterprise's needs.
- expert: accepted matches routed to them.
- society liaison: accepted matches routed to their society.
- district staff, leadership: none.
A need whose confidentiality is "matched" becomes visible to the experts/liaisons an accepted match
was routed to; a "coordinators" need never does (ADR 0001, ADR 0005).
"""

from __future__ import annotations

from django.db.models import Q

from kechuang.accounts.models import Role
from kechuang.core.access import rule
from kechuang.needs.access_rules import NEED_AUDIENCE_HOOKS


def routed_q(user, prefix: str = "") -> Q | None:
    """Accepted matches routed to ``user`` (as a Q on Match, ``prefix`` for lookups from elsewhere)."""
    p = prefix
    if user.role == Role.EXPERT:
        return Q(**{f"{p}status": "accepted", f"{p}routed_to_user": user.pk})
    if user.role == Role.LIAISON and user.organisation_id:
        return Q(**{f"{p}status": "accepted", f"{p}routed_to_org": user.organisation_id})
    return None


@rule("matching.match")
def _matches(qs, user):
    if user.role == Role.ENTERPRISE and user.organisation_id:
        return qs.filter(status="accepted", need__enterprise_id=user.organisation_id)
    q = routed_q(user)
    if q is None:
        return qs.none()
    # never a match whose need the user may not see (a "coordinators" need stays hidden)
    return qs.filter(q).exclude(need__confidentiality="coordinators")


@rule("matching.conflictofinterest")
def _conflicts(qs, user):
    return qs.none()  # coordinators only


@rule("matching.indexstate")
def _index_states(qs, user):
    return qs  # status banners: no personal data


def _need_audience(user) -> Q:
    q = routed_q(user)
    if q is None:
        return Q(pk__in=[])
    from kechuang.matching.models import Match

    need_ids = Match.objects.filter(q).values("need_id")
    return Q(pk__in=need_ids) & Q(confidentiality__in=("public", "matched"))


if _need_audience not in NEED_AUDIENCE_HOOKS:
    NEED_AUDIENCE_HOOKS.append(_need_audience)
