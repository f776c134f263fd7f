"""Background jobs: the e-mail of a notification (django-tasks; a worker sends it, tests run it at once)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_notification_email(notification_id: int) -> bool:
    from kechuang.notifications.services import email_send

    return email_send(notification_id)


@task()
def send_due_reminders() -> dict:
    """The day's milestone and stalled-need reminders (``manage.py digest`` runs it too)."""
    from kechuang.notifications.services import notify_due

    return notify_due()
