"""Marking a search index stale: the bookkeeping every write of a profile or need does.

Kept apart from ``matching.index`` (which re-exports these names) so that a process that only
writes — an ``import_xlsx`` run, a form post — does not import the matching engine (numpy, scipy,
jieba, bm25s: ~0.4–1 s of CPU in a fresh process) just to bump a version number (ADR 0037, session 8).
"""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.db.models import F

from kechuang.matching.models import IndexState

log = logging.getLogger("kechuang.matching.index")  # the records keep the name they always had


def state(kind: str) -> IndexState:
    obj, _ = IndexState.objects.get_or_create(kind=kind, defaults={"token": uuid.uuid4().hex})
    return obj


def _bump() -> dict:
    """Fields that mark a change of an index (the in-process caches compare ``token``)."""
    return {"version": F("version") + 1, "token": uuid.uuid4().hex}


def mark_stale(kind: str, *, enqueue: bool = True) -> None:
    """Something the ``kind`` index is built from changed: bump its version, enqueue one rebuild."""
    st = state(kind)
    updates: dict = _bump()
    if st.status != IndexState.Status.BUILDING:
        updates["status"] = IndexState.Status.STALE
    IndexState.objects.filter(pk=st.pk).update(**updates)
    if enqueue and not st.queued:
        IndexState.objects.filter(pk=st.pk).update(queued=True)
        transaction.on_commit(lambda: enqueue_reindex(kind))


def enqueue_reindex(kind: str, lexical_only: bool = False) -> None:
    from kechuang.matching.tasks import reindex_task

    IndexState.objects.filter(kind=kind).update(queued=True)
    try:
        reindex_task.enqueue(kind, lexical_only)
    except Exception:  # the queue being down must not break the write that triggered it
        log.exception("could not enqueue the %s reindex", kind)
        IndexState.objects.filter(kind=kind).update(queued=False)


