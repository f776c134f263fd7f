"""Writing the audit trail. Services call ``audit`` inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from kechuang.core.models import AuditEntry


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


def audit(actor, action: str, obj: models.Model, changes: dict[str, Any] | None = None) -> AuditEntry:
    """Record that ``actor`` did ``action`` to ``obj``; ``changes`` is stored as JSON."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=_jsonable(changes or {}),
    )
