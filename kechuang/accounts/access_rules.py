"""Who sees which areas (registered with ``kechuang.core.access.rule``)."""

from __future__ import annotations

from kechuang.core.access import rule


@rule("accounts.area")
def _areas(qs, user):
    return qs  # the area hierarchy is public to every signed-in user
