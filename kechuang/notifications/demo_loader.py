"""The demo's reminders: the milestones due and stalled needs of the scenario's "today" ring the bells
of their owners and coordinators (the same ``notify_due`` the daily ``manage.py digest`` runs)."""

from __future__ import annotations

from datetime import date

from kechuang.notifications.services import notify_due


def load(s: dict, ctx: dict) -> None:
    today = s.get("meta", {}).get("today")
    notify_due(today=date.fromisoformat(today) if today else None)
