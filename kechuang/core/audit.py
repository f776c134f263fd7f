"""Writing the audit trail. Services call ``record`` (or its old name ``audit``) inside their transaction.

The table is append-only in the database (``kechuang/core/audit_guard.py``): a row, once written,
can be neither changed nor deleted, so write it where the thing happened and write it right.

Cost: ``record`` is one INSERT and nothing else — no SELECT, no signal, no ``str()`` of a related
object beyond ``str(obj)`` itself (pass ``object_repr=`` when that ``__str__`` would query). ``record_views``
writes any number of rows in one INSERT, for lists and exports.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from kechuang.core import pagecache
from kechuang.core.bulk import insert_many
from kechuang.core.models import AuditEntry

VIEW_SUFFIX = ".view_confidential"


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _actor(actor) -> tuple[Any, str]:
    if getattr(actor, "is_authenticated", False):
        return actor, actor.get_username()
    return None, ""


def _entry(
    actor, action: str, obj: models.Model | None, changes, object_repr: str | None, object_type: str = ""
) -> AuditEntry:
    user, username = _actor(actor)
    if obj is None:  # an action on a set of rows (an export), named by its type
        object_type, object_id, object_repr = object_type, "", object_repr or ""
    else:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
        object_repr = str(obj) if object_repr is None else object_repr
    return AuditEntry(
        actor=user,
        actor_username=username,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        changes=_jsonable(changes or {}),
    )


def record(
    actor,
    action: str,
    obj: models.Model | None,
    changes: dict[str, Any] | None = None,
    *,
    object_repr: str | None = None,
    object_type: str = "",
) -> AuditEntry:
    """Record that ``actor`` did ``action`` (a dotted verb, ``need.submit``) to ``obj``.

    ``obj`` may be None for an action on many rows (an export): then ``object_type`` names them.
    ``actor`` is a user (its username is kept in the row, so the entry outlives the account) or
    None/anonymous for the system. ``changes`` is stored as JSON (models become their pk, dates
    ISO strings). One INSERT.
    """
    entry = _entry(actor, action, obj, changes, object_repr, object_type)
    entry.save(force_insert=True)
    pagecache.audited([entry])
    return entry


def record_many(actor, action: str, items: Iterable[tuple[models.Model, dict[str, Any] | None]]) -> list[AuditEntry]:
    """``record`` for many objects at once (a bulk import): one entry per object, the same rows
    ``record(actor, action, obj, changes)`` would write one by one, in one ``executemany``
    (``core.bulk.insert_many``: the entries returned have no id)."""
    entries = [_entry(actor, action, obj, changes, None) for obj, changes in items]
    insert_many(entries)
    pagecache.audited(entries)
    return entries


def audit(actor, action: str, obj: models.Model, changes: dict[str, Any] | None = None) -> AuditEntry:
    """The name services have always called; same as ``record``."""
    return record(actor, action, obj, changes)


def view_action(obj: models.Model) -> str:
    """``need.view_confidential`` for a Need: the action every "someone saw it" entry carries."""
    return f"{obj._meta.model_name}{VIEW_SUFFIX}"


def record_view(user, obj: models.Model, *, via: str = "detail", **details: Any) -> AuditEntry:
    """Record that ``user`` saw the confidential ``obj``, and how.

    Call it wherever a confidential record's content reaches a person: its page (``via="detail"``),
    the API (``via="api"``), the admin (``via="admin"``), or a row of a list or export
    (``via="export:needs.xlsx"``, ``via="list:matching"``). The action is ``<model>.view_confidential``
    (``need.view_confidential``), which the audit search page filters on; ``changes`` holds
    ``{"via": via, **details}`` (e.g. ``confidentiality=need.confidentiality``). For many rows at
    once use ``record_views``: one INSERT instead of one per row.

    Deciding *whether* ``obj`` is confidential is the caller's business (``need.is_confidential``).
    """
    return record(user, view_action(obj), obj, {"via": via, **details})


def record_views(user, objs: Iterable[models.Model], *, via: str, **details: Any) -> list[AuditEntry]:
    """``record_view`` for every object of a list or an export, written in one bulk INSERT.

    Example, in an export view after choosing the rows::

        audit.record_views(request.user, [n for n in needs if n.is_confidential], via="export:needs.xlsx")
    """
    entries = [_entry(user, view_action(o), o, {"via": via, **details}, None) for o in objs]
    if not entries:
        return []
    entries = AuditEntry.objects.bulk_create(entries)
    pagecache.audited(entries)  # written again each time a cached page that showed them is served
    return entries
