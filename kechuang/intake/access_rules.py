"""Who sees an import batch: the person who uploaded it, and coordinators (who answer for all data)."""

from __future__ import annotations

from kechuang.core.access import rule


@rule("intake.importbatch")
def _batches(qs, user):
    if user.is_coordinator:
        return qs
    return qs.filter(user=user)
