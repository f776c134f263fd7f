"""Who sees which API tokens (registered with ``kechuang.core.access.rule``): only their owner."""

from __future__ import annotations

from kechuang.core.access import rule


@rule("api.apitoken")
def _tokens(qs, user):
    return qs.filter(user=user)
