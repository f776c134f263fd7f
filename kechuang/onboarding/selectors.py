"""Reads of onboarding, always for a user and through ``restrict``."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kechuang.core.access import restrict
from kechuang.onboarding.models import Invitation, SignupApplication


def signup_list(*, user, status: str = "") -> QuerySet[SignupApplication]:
    qs = restrict(SignupApplication.objects.all(), user).select_related(
        "district", "decided_by", "organisation"
    )
    if status in SignupApplication.Status.values:
        qs = qs.filter(status=status)
    return qs


def signup_get(*, user, pk: int) -> SignupApplication:
    return get_object_or_404(signup_list(user=user), pk=pk)


def invitation_list(*, user, state: str = "") -> QuerySet[Invitation]:
    qs = restrict(Invitation.objects.all(), user).select_related(
        "area", "organisation", "expert", "created_by", "used_by"
    )
    now = timezone.now()
    if state == Invitation.State.USED:
        qs = qs.filter(used_at__isnull=False)
    elif state == Invitation.State.REVOKED:
        qs = qs.filter(used_at__isnull=True, revoked_at__isnull=False)
    elif state == Invitation.State.EXPIRED:
        qs = qs.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now)
    elif state == Invitation.State.PENDING:
        qs = qs.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)
    return qs


def invitation_get(*, user, pk: int) -> Invitation:
    return get_object_or_404(invitation_list(user=user), pk=pk)
