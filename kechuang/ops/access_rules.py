"""Operations records are for coordinators (and the health endpoint, which reads them itself)."""

from __future__ import annotations

from kechuang.core.access import rule


@rule("ops.workerheartbeat")
def _heartbeats(qs, user):
    return qs.none()


@rule("ops.job")
def _jobs(qs, user):
    return qs.filter(user=user)  # a job's file was made with its owner's visibility: nobody else's
