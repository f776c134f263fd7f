"""The one place that decides what a user may see (NetBox's ``restrict`` idea).

Every selector starts from ``restrict(queryset, user)``; views never filter by role themselves.
An object outside the scope is simply not in the queryset, so ``get_object_or_404`` answers 404,
not 403 — nobody learns that a confidential need exists.

Rules (docs/adr/0001-foundation.md):
- coordinator: everything.
- leadership: read-only; organisations, experts, achievements, and *public* needs.
- district staff: organisations in their area (and societies); public needs in their area, and
  any need they submitted themselves.
- enterprise contact: their own enterprise and all of its needs (any confidentiality).
- society liaison: their society's experts, achievements and service teams; public needs that
  passed review.
- expert: their own profile; public needs that passed review.
Feature apps register the rules for their own models in ``<app>/access_rules.py`` with ``@rule``
(loaded by ``kechuang.core.extensions``); this function stays the only entry point.
Later apps extend ``needs`` so that a "matched experts only" need is visible to the experts and
liaisons a coordinator accepted for it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model, Q, QuerySet

from kechuang.accounts.models import Role

_RULES: dict[str, Callable[[QuerySet, object], QuerySet]] = {}
# Hooks other apps register to widen a need's audience (e.g. accepted matches).
NEED_AUDIENCE_HOOKS: list[Callable[[object], Q]] = []

OPEN_NEED_STATUSES = ("reviewed", "matched", "met", "agreement", "delivered")


def rule(label: str):
    def register(fn):
        _RULES[label] = fn
        return fn

    return register


def restrict(queryset: QuerySet, user) -> QuerySet:
    """Return only the rows of ``queryset`` that ``user`` may see."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser or user.role == Role.COORDINATOR:
        return queryset
    label = queryset.model._meta.label_lower
    try:
        fn = _RULES[label]
    except KeyError as exc:  # a model without a rule must never be shown by accident
        raise LookupError(f"no access rule for {label}") from exc
    return fn(queryset, user)


def can_see(user, obj: Model) -> bool:
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


def _area_ids(user) -> list[int]:
    return user.area.subtree_ids() if user.area_id else []


@rule("orgs.organisation")
def _organisations(qs, user):
    if user.role == Role.LEADERSHIP:
        return qs
    if user.role == Role.DISTRICT:
        return qs.filter(Q(district_id__in=_area_ids(user)) | Q(kind="society"))
    if user.role in (Role.ENTERPRISE, Role.LIAISON):
        return qs.filter(pk=user.organisation_id) if user.organisation_id else qs.none()
    if user.role == Role.EXPERT and user.expert_id:
        return qs.filter(Q(society_experts=user.expert_id) | Q(staff_experts=user.expert_id)).distinct()
    return qs.none()


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


@rule("needs.need")
def _needs(qs, user):
    public = Q(confidentiality="public")
    if user.role == Role.LEADERSHIP:
        cond = public
    elif user.role == Role.DISTRICT:
        cond = (public & Q(district_id__in=_area_ids(user))) | Q(submitted_by=user)
    elif user.role == Role.ENTERPRISE:
        cond = Q(enterprise_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
    elif user.role in (Role.LIAISON, Role.EXPERT):
        cond = public & Q(status__in=OPEN_NEED_STATUSES)
    else:
        return qs.none()
    for hook in NEED_AUDIENCE_HOOKS:
        cond |= hook(user)
    return qs.filter(cond)


@rule("needs.needstatuschange")
def _need_history(qs, user):
    from kechuang.needs.models import Need

    return qs.filter(need__in=restrict(Need.objects.all(), user))


@rule("orgs.industrychain")
def _chains(qs, user):
    return qs


@rule("accounts.area")
def _areas(qs, user):
    return qs


@rule("core.auditentry")
def _audit(qs, user):
    return qs.none()  # only coordinators read the audit trail
