"""The bell in the top bar: the reader's unread count (one COUNT query per page, signed-in users only)."""

from __future__ import annotations


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from kechuang.notifications.selectors import unread_count

    return {"notifications_unread": unread_count(user=user)}
