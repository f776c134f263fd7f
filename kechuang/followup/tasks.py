"""Background jobs of the follow-up app (django-tasks; the database backend runs them in workers)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_stalled_digest() -> dict:
    """Run daily (cron: ``manage.py digest --enqueue`` or ``manage.py digest``)."""
    from kechuang.followup.digest import send_digest
    from kechuang.notifications.services import notify_due

    notify_due()  # the same day's reminders in the notification centre (milestones due, stalled needs)
    r = send_digest()
    return {"sent": r.sent, "skipped_no_email": r.skipped_no_email, "needs": r.needs}
