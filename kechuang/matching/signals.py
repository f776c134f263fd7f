"""Keep the search indexes honest: a saved profile or need marks its index stale and enqueues a
rebuild. Only bookkeeping lives here — no business rule (docs/adr/0005-matching-in-the-platform.md)."""

from __future__ import annotations

import contextlib
import threading

from django.db.models.signals import m2m_changed, post_delete, post_save

from kechuang.core.signals import bulk_written

# model label -> index kinds built from it
AFFECTS = {
    "experts.expert": ("expert", "society"),
    "experts.publication": ("expert",),
    "experts.patent": ("expert",),
    "experts.achievement": ("expert", "achievement", "society"),
    "orgs.organisation": ("society",),
    "needs.need": ("need",),
}


def _handler(kinds):
    def handler(sender, instance=None, raw=False, **kwargs):
        if raw or str(kwargs.get("action", "post_")).startswith("pre_"):  # fixtures; m2m "pre_" events
            return
        if sender._meta.label_lower == "orgs.organisation" and getattr(instance, "kind", None) != "society":
            return
        pending = getattr(_deferred, "kinds", None)
        if pending is not None:  # inside ``deferred()``: remember, mark once at the end
            pending.update(kinds)
            return
        from kechuang.matching import stale  # not matching.index: the engine's imports are not needed

        for kind in kinds:
            stale.mark_stale(kind)

    return handler


_HANDLERS = []
_deferred = threading.local()


@contextlib.contextmanager
def deferred():
    """Mark each affected index stale once when the block ends, not once per saved row.

    For bulk writes (an Excel import of 10,000 rows): call it inside the writing transaction, so
    the marks (and the one rebuild each enqueues on commit) share that transaction's fate.
    """
    if getattr(_deferred, "kinds", None) is not None:  # nested: the outer block marks
        yield
        return
    _deferred.kinds = set()
    try:
        yield
        kinds = _deferred.kinds
    finally:
        _deferred.kinds = None
    from kechuang.matching import stale

    for kind in sorted(kinds):
        stale.mark_stale(kind)


def _on_bulk_write(sender, objs=(), **kwargs) -> None:
    """``core.signals.bulk_written`` (a ``bulk_create`` sends no ``post_save``): mark as ``post_save`` would."""
    kinds = AFFECTS.get(getattr(getattr(sender, "_meta", None), "label_lower", ""))
    if not kinds:
        return
    for obj in objs:  # the first object that counts is enough: the marks are per index, not per row
        _HANDLER_BY_KINDS.setdefault(kinds, _handler(kinds))(sender, instance=obj)
        if sender._meta.label_lower != "orgs.organisation" or getattr(obj, "kind", None) == "society":
            return


_HANDLER_BY_KINDS: dict = {}


def connect() -> None:
    from django.apps import apps

    for label, kinds in AFFECTS.items():
        model = apps.get_model(label)
        h = _handler(kinds)
        _HANDLERS.append(h)
        post_save.connect(h, sender=model, dispatch_uid=f"matching-stale-save-{label}")
        post_delete.connect(h, sender=model, dispatch_uid=f"matching-stale-delete-{label}")
    bulk_written.connect(_on_bulk_write, dispatch_uid="matching-stale-bulk")
    Expert = apps.get_model("experts.Expert")
    m2m = _handler(("society",))
    _HANDLERS.append(m2m)
    m2m_changed.connect(m2m, sender=Expert.societies.through, dispatch_uid="matching-stale-societies")
