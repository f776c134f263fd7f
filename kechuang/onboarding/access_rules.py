"""Who sees sign-up applications and invitations (registered with ``kechuang.core.access.rule``)."""

from __future__ import annotations

from kechuang.accounts.models import Role
from kechuang.core.access import rule


@rule("onboarding.signupapplication")
def _signups(qs, user):
    """District staff review the applications of their area; coordinators (via ``restrict``) all."""
    if user.role == Role.DISTRICT:
        return qs.filter(district_id__in=user.area_ids())
    return qs.none()


@rule("onboarding.invitation")
def _invitations(qs, user):
    """A liaison sees the invitations to its society's experts; coordinators (via ``restrict``) all."""
    if user.role == Role.LIAISON and user.organisation_id:
        return qs.filter(role=Role.EXPERT, organisation_id=user.organisation_id)
    return qs.none()
