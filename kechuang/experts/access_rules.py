"""Who sees which experts, achievements and service teams (registered with ``kechuang.core.access.rule``).

Leadership and district staff see the whole library; a liaison sees its society's; an expert sees
its own profile (and the achievements of its societies).
"""

from __future__ import annotations

from django.db.models import Q

from kechuang.accounts.models import Role
from kechuang.core.access import rule


@rule("experts.expert")
def _experts(qs, user):
    if user.role in (Role.LEADERSHIP, Role.DISTRICT):
        return qs
    if user.role == Role.LIAISON and user.organisation_id:
        return qs.filter(societies=user.organisation_id).distinct()
    if user.role == Role.EXPERT and user.expert_id:
        return qs.filter(pk=user.expert_id)
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
