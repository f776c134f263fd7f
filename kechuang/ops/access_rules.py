"""Operations records are for coordinators (and the health endpoint, which reads them itself)."""

from __future__ import annotations

from kechuang.core.access import rule


@rule("ops.workerheartbeat")
def _heartbeats(qs, user):
    return qs.none()
