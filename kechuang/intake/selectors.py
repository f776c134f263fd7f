"""Reads for the import pages, always through the access rules."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from kechuang.core.access import restrict
from kechuang.intake.engine import kinds
from kechuang.intake.models import ImportBatch


def importable_kinds(user) -> dict:
    """The kinds this user may import, in the order the apps offer them."""
    return {name: spec for name, spec in kinds().items() if spec.allowed(user)}


def batches_for(user, limit: int = 20):
    return restrict(ImportBatch.objects.all(), user).select_related("user")[:limit]


def batch_for(user, pk: int) -> ImportBatch:
    """404 outside the user's scope."""
    return get_object_or_404(restrict(ImportBatch.objects.all(), user), pk=pk)
