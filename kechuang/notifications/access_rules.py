"""Who sees which notifications: only their recipient (coordinators included — ``restrict`` lets
coordinators see every row, so the selectors also filter on the recipient)."""

from __future__ import annotations

from kechuang.core.access import rule


@rule("notifications.notification")
def _notifications(qs, user):
    return qs.filter(recipient=user)


@rule("notifications.emailpreference")
def _preferences(qs, user):
    return qs.filter(user=user)
