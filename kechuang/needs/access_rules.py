"""Who sees which needs (registered with ``kechuang.core.access.rule``).

- leadership: public needs.
- district staff: public needs in their area, and any need they submitted themselves.
- enterprise contact: all of their enterprise's needs (any confidentiality).
- society liaison, expert: public needs that passed review (``NeedStatus.PUBLISHED``).
Other apps widen a need's audience through ``NEED_AUDIENCE_HOOKS`` (e.g. matching: a "matched
experts only" need is visible to the experts and liaisons a coordinator accepted for it).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from kechuang.accounts.models import Role
from kechuang.core.access import restrict, rule
from kechuang.needs.models import Need, NeedStatus

# fn(user) -> Q over needs, OR-ed into the rule below
NEED_AUDIENCE_HOOKS: list[Callable[[object], Q]] = []


@rule("needs.need")
def _needs(qs, user):
    public = Q(confidentiality=Need.Confidentiality.PUBLIC)
    if user.role == Role.LEADERSHIP:
        cond = public
    elif user.role == Role.DISTRICT:
        cond = (public & Q(district_id__in=user.area_ids())) | Q(submitted_by=user)
    elif user.role == Role.ENTERPRISE:
        cond = Q(enterprise_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
    elif user.role in (Role.LIAISON, Role.EXPERT):
        cond = public & Q(status__in=NeedStatus.PUBLISHED)
    else:
        return qs.none()
    for hook in NEED_AUDIENCE_HOOKS:
        cond |= hook(user)
    return qs.filter(cond)


@rule("needs.needstatuschange")
def _need_history(qs, user):
    return qs.filter(need__in=restrict(Need.objects.all(), user))


@rule("needs.needattachment")
def _need_attachments(qs, user):
    """A need's files: exactly whoever sees the need (outside that scope they are 404)."""
    return qs.filter(need__in=restrict(Need.objects.all(), user))
