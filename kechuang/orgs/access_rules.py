"""Who sees which organisations and taxonomy rows (registered with ``kechuang.core.access.rule``)."""

from __future__ import annotations

from django.db.models import Q

from kechuang.accounts.models import Role
from kechuang.core.access import rule


@rule("orgs.organisation")
def _organisations(qs, user):
    """Leadership: all; district: its area's organisations and the societies; enterprise/liaison: its own;
    expert: the societies and employers on its profile."""
    if user.role == Role.LEADERSHIP:
        return qs
    if user.role == Role.DISTRICT:
        return qs.filter(Q(district_id__in=user.area_ids()) | Q(kind="society"))
    if user.role in (Role.ENTERPRISE, Role.LIAISON):
        return qs.filter(pk=user.organisation_id) if user.organisation_id else qs.none()
    if user.role == Role.EXPERT and user.expert_id:
        return qs.filter(Q(society_experts=user.expert_id) | Q(staff_experts=user.expert_id)).distinct()
    return qs.none()


@rule("orgs.industrychain")
def _chains(qs, user):
    return qs  # the taxonomy is public to every signed-in user
