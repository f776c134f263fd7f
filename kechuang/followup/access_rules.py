"""Who sees which follow-up records (coordinators see everything before these rules run).

- leadership: every visit, agreement and base (read-only); linked needs still go through the need rule,
  so a confidential need's title never shows up next to them.
- district staff: records in their area — a visit by its district, an agreement when any party sits in
  the area, a base by its district.
- enterprise contact: visits with a stop at their enterprise (only that stop's diagnosis), agreements
  their enterprise signed, bases it hosts.
- society liaison: visits, agreements and bases of their society.
- expert: visits they took part in, agreements that name them, bases of their societies.
"""

from __future__ import annotations

from django.db.models import Q

from kechuang.accounts.models import Role
from kechuang.core.access import restrict, rule


def _visit_q(user, prefix: str = "") -> Q | None:
    """The visits ``user`` may see as a Q over ``prefix`` (None = all)."""
    p = prefix
    if user.role == Role.LEADERSHIP:
        return None
    if user.role == Role.DISTRICT:
        return Q(**{f"{p}district_id__in": user.area_ids()})
    if user.role == Role.ENTERPRISE and user.organisation_id:
        return Q(**{f"{p}stops__enterprise_id": user.organisation_id})
    if user.role == Role.LIAISON and user.organisation_id:
        return Q(**{f"{p}societies": user.organisation_id})
    if user.role == Role.EXPERT and user.expert_id:
        return Q(**{f"{p}experts": user.expert_id})
    return Q(pk__in=[])


@rule("followup.visit")
def _visits(qs, user):
    q = _visit_q(user)
    if q is None:
        return qs
    from kechuang.followup.models import Visit

    return qs.filter(pk__in=Visit.objects.filter(q).values("pk"))


@rule("followup.visitstop")
def _stops(qs, user):
    from kechuang.followup.models import Visit

    if user.role == Role.ENTERPRISE:  # an enterprise sees its own diagnosis, not its neighbours'
        return qs.filter(enterprise_id=user.organisation_id) if user.organisation_id else qs.none()
    return qs.filter(visit__in=restrict(Visit.objects.all(), user))


@rule("followup.agreement")
def _agreements(qs, user):
    from kechuang.followup.models import Agreement

    if user.role == Role.LEADERSHIP:
        return qs
    if user.role == Role.DISTRICT:
        q = Q(parties__district_id__in=user.area_ids())
    elif user.role in (Role.ENTERPRISE, Role.LIAISON) and user.organisation_id:
        q = Q(parties=user.organisation_id)
    elif user.role == Role.EXPERT and user.expert_id:
        q = Q(experts=user.expert_id)
    else:
        return qs.none()
    return qs.filter(pk__in=Agreement.objects.filter(q).values("pk"))


@rule("followup.milestone")
def _milestones(qs, user):
    from kechuang.followup.models import Agreement

    return qs.filter(agreement__in=restrict(Agreement.objects.all(), user))


@rule("followup.agreementattachment")
def _attachments(qs, user):
    from kechuang.followup.models import Agreement

    return qs.filter(agreement__in=restrict(Agreement.objects.all(), user))


@rule("followup.base")
def _bases(qs, user):
    if user.role == Role.LEADERSHIP:
        return qs
    if user.role == Role.DISTRICT:
        return qs.filter(district_id__in=user.area_ids())
    if user.role == Role.ENTERPRISE and user.organisation_id:
        return qs.filter(host_id=user.organisation_id)
    if user.role == Role.LIAISON and user.organisation_id:
        return qs.filter(society_id=user.organisation_id)
    if user.role == Role.EXPERT and user.expert_id:
        from kechuang.followup.models import Base

        return qs.filter(pk__in=Base.objects.filter(society__society_experts=user.expert_id).values("pk"))
    return qs.none()


@rule("followup.baseservice")
def _base_services(qs, user):
    from kechuang.followup.models import Base

    return qs.filter(base__in=restrict(Base.objects.all(), user))
