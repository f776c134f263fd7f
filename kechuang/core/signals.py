"""Signals of the ground floor, for the writes Django's model signals do not see.

``bulk_written`` is sent by a service after ``bulk_create`` (which sends no ``post_save``):
``bulk_written.send(sender=Model, objs=[...])``, inside the writing transaction. Everything that
listens to ``post_save`` to keep a derived copy honest (the dashboard's cache versions, the matching
indexes' stale marks) listens to this too, and handles the whole list at once.
"""

from __future__ import annotations

from django.dispatch import Signal

bulk_written = Signal()  # sender: the model class; objs: the created instances (pks set)
