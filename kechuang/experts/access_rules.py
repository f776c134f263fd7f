"""Who sees which experts, achievements and service teams (registered with ``kechuang.core.access.rule``).

Leadership and district staff see the whole library; a liaison sees its society's; an expert sees
its own profile (and the achievements of its societies). An enterprise contact browses the public
profiles of every expert of the platform's societies, and always the experts suggested for, met
about or asked about its own needs (ADR 0023-experts-for-enterprises); what it may read of a profile
is ``kechuang.experts.selectors.expert_profile`` (contact details only with the expert's consent).
"""

from __future__ import annotations

import operator
from functools import lru_cache, reduce

from django.db.models import Q

from kechuang.accounts.models import Role
from kechuang.core.access import rule
from kechuang.experts.models import Expert


@rule("experts.expert")
def _experts(qs, user):
    if user.role in (Role.LEADERSHIP, Role.DISTRICT):
        return qs
    if user.role == Role.LIAISON and user.organisation_id:
        # an uncorrelated subquery (a semi-join), not a join + DISTINCT over every expert column
        members = Expert.societies.through.objects.filter(organisation_id=user.organisation_id)
        return qs.filter(pk__in=members.values("expert_id"))
    if user.role == Role.EXPERT and user.expert_id:
        return qs.filter(pk=user.expert_id)
    if user.role == Role.ENTERPRISE and user.organisation_id:
        return qs.filter(enterprise_may_browse(user.organisation_id))
    return qs.none()


@lru_cache(maxsize=4096)
def enterprise_may_browse(org_id: int) -> Q:
    """The experts an enterprise may browse: those of the platform's societies, and those tied to its
    own needs or events (suggested for them, met at a 对接会, asked through a contact request).

    Written as ``pk__in`` subqueries so the outer query needs no ``distinct()``. Built once per
    enterprise and process: the condition depends on nothing but ``org_id`` (the rows are read when a
    query runs), and building its five subqueries cost an enterprise's experts list, which restricts
    three querysets, about an eighth of its CPU. Django never changes a Q it is given (it combines
    copies), so the one object serves every query."""
    ties = (
        {"societies__kind": "society"},
        {"matches__need__enterprise_id": org_id},
        {"event_participations__meetings_as_expert__enterprise__organisation_id": org_id},
        {"event_participations__event__participants__organisation_id": org_id},
        {"contact_requests__enterprise_id": org_id},
    )
    # one subquery each: OR-ing the joins in one query would multiply their rows
    subqueries = [Q(pk__in=Expert.objects.filter(**tie).values("pk")) for tie in ties]
    return reduce(operator.or_, subqueries)


@rule("experts.contactrequest")
def _contact_requests(qs, user):
    """The enterprise sees its requests; the liaison those routed through its society; the expert
    those forwarded to them (never the ones its liaison has not passed on)."""
    if user.role == Role.ENTERPRISE and user.organisation_id:
        return qs.filter(enterprise_id=user.organisation_id)
    if user.role == Role.LIAISON and user.organisation_id:
        return qs.filter(society_id=user.organisation_id)
    if user.role == Role.EXPERT and user.expert_id:
        return qs.filter(expert_id=user.expert_id, handled_at__isnull=False).exclude(status="declined")
    return qs.none()


@rule("experts.achievement")
def _achievements(qs, user):
    if user.role in (Role.LEADERSHIP, Role.DISTRICT, Role.ENTERPRISE):
        return qs
    if user.role == Role.LIAISON and user.organisation_id:
        return qs.filter(owner_society_id=user.organisation_id)
    if user.role == Role.EXPERT and user.expert_id:
        return qs.filter(
            Q(owner_expert_id=user.expert_id) | Q(owner_society__society_experts=user.expert_id)
        ).distinct()
    return qs.none()


@rule("experts.serviceteam")
def _teams(qs, user):
    if user.role in (Role.LEADERSHIP, Role.DISTRICT):
        return qs
    if user.role == Role.LIAISON and user.organisation_id:
        return qs.filter(societies=user.organisation_id).distinct()
    if user.role == Role.EXPERT and user.expert_id:
        return qs.filter(experts=user.expert_id).distinct()
    return qs.none()
