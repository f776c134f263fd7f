"""Every write of notifications: create them (``notify``), mark them read, choose e-mail per kind,
and the daily reminders (``notify_due``: milestones due, stalled needs).

Other apps' services call the functions of ``kechuang.notifications.hooks``, which register
``notify`` with ``transaction.on_commit``: nobody is told about a change that was rolled back,
and a failure to notify never undoes the change itself (the callbacks are ``robust``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.audit import record
from kechuang.core.errors import ApplicationError
from kechuang.notifications.kinds import SPECS, Kind
from kechuang.notifications.models import EmailPreference, Notification

log = logging.getLogger(__name__)


def wants_email(user, kind: str) -> bool:
    """Does ``user`` want e-mail for ``kind`` (their choice, else the kind's default)? In-app is always on."""
    choice = EmailPreference.objects.filter(user=user, kind=kind).values_list("email", flat=True).first()
    return SPECS[kind].email_default if choice is None else bool(choice)


def email_preferences(user) -> dict[str, bool]:
    """``{kind: wants e-mail}`` for every kind (one query)."""
    chosen = dict(EmailPreference.objects.filter(user=user).values_list("kind", "email"))
    return {k: chosen.get(k, SPECS[k].email_default) for k in Kind.values}


def _recipients(users: Iterable, exclude) -> list:
    seen, out = set(), []
    skip = getattr(exclude, "pk", None)
    for u in users:
        if u is None or not u.is_active or u.pk == skip or u.pk in seen:
            continue
        seen.add(u.pk)
        out.append(u)
    return out


def notify(
    kind: str,
    recipients: Iterable,
    *,
    need=None,
    params: dict | None = None,
    link: str = "",
    key: str = "",
    exclude=None,
) -> list[Notification]:
    """One notification of ``kind`` for each recipient (the acting user ``exclude`` is left out:
    nobody is told what they just did themselves). With ``key``, a recipient who already has a
    notification with that key gets no second one. E-mail follows each recipient's preference."""
    if kind not in SPECS:
        raise ValueError(f"unknown notification kind {kind!r}")
    created = []
    for user in _recipients(recipients, exclude):
        if key and Notification.objects.filter(recipient=user, key=key).exists():
            continue
        try:
            with transaction.atomic():
                n = Notification.objects.create(
                    recipient=user, kind=kind, need=need, params=params or {}, link=link[:255], key=key[:128]
                )
        except IntegrityError:  # the same reminder written at the same moment by another worker
            continue
        created.append(n)
        if user.email and not SPECS[kind].email_by_digest and wants_email(user, kind):
            _enqueue_email(n)
    return created


def notify_on_commit(kind: str, recipients: Iterable, **kwargs) -> None:
    """``notify`` once the current transaction commits (at once outside a transaction)."""
    users = list(recipients)  # evaluated now, inside the caller's transaction

    def send_notifications():
        notify(kind, users, **kwargs)

    transaction.on_commit(send_notifications, robust=True)


def _enqueue_email(n: Notification) -> None:
    from kechuang.notifications.tasks import send_notification_email

    try:
        send_notification_email.enqueue(n.pk)
    except Exception:  # the in-app notification stands; the e-mail is logged as lost
        log.exception("could not queue the e-mail of notification %s", n.pk)


def email_send(notification_id: int) -> bool:
    """Send the e-mail of one notification (the task's body); False when there is nothing to send."""
    from django.core.mail import EmailMessage
    from django.utils import translation

    from kechuang.notifications.selectors import render_email

    n = Notification.objects.select_related("recipient", "need").filter(pk=notification_id).first()
    if n is None or n.emailed_at is not None or not n.recipient.email or not n.recipient.is_active:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = render_email(n)
    EmailMessage(subject=subject, body=body, to=[n.recipient.email]).send()
    Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
    return True


# ---------------------------------------------------------------- the reader's own actions


@transaction.atomic
def notification_mark_read(*, user, notification: Notification) -> Notification:
    if notification.recipient_id != user.pk:
        raise ApplicationError(_("通知不存在。"))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


@transaction.atomic
def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def email_preferences_set(*, user, email_kinds: Iterable[str]) -> dict[str, bool]:
    """Save ``user``'s e-mail choice for every kind: e-mail for the kinds in ``email_kinds``, none for
    the others (in-app notifications are always on). Audited when something changed."""
    wanted = set(email_kinds)
    unknown = wanted - set(Kind.values)
    if unknown:
        raise ApplicationError(_("未知的通知类型。"))
    before = email_preferences(user)
    after = {k: k in wanted for k in Kind.values}
    for kind, on in after.items():
        EmailPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": on})
    changes = {k: {"from": before[k], "to": after[k]} for k in Kind.values if before[k] != after[k]}
    if changes:
        record(user, "notification.email_preferences", user, changes, object_repr=user.get_username())
    return after


# ---------------------------------------------------------------- daily reminders


def _milestone_recipients(milestone) -> list:
    from kechuang.core.access import can_see

    agreement = milestone.agreement
    users = [agreement.recorded_by] + [n.owner for n in agreement.needs.select_related("owner") if n.owner_id]
    return [u for u in _recipients(users, None) if can_see(u, agreement)]


def notify_due(*, today: date | None = None) -> dict[str, int]:
    """Create the day's reminders; safe to run any number of times (each reminder has a key).

    - a milestone not done and due within ``KECHUANG_MILESTONE_REMIND_DAYS`` (or overdue): its
      agreement's recorder and the follow-up owners of the agreement's needs, once per due date;
    - a stalled need (``followup.selectors.stalled_for``): its owner, once per stall; coordinators
      get one summary a day with the city's count instead of one row per need.
    """
    from django.urls import reverse

    from kechuang.accounts.models import Role, User
    from kechuang.followup.models import Milestone
    from kechuang.followup.selectors import stalled_for
    from kechuang.needs.models import NeedStatus

    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.KECHUANG_MILESTONE_REMIND_DAYS)
    counts = {"milestone_due": 0, "need_stalled": 0}
    milestones = Milestone.objects.filter(done_on__isnull=True, due__lte=horizon).select_related(
        "agreement__recorded_by"
    )
    for m in milestones.order_by("due", "pk"):
        made = notify(
            Kind.MILESTONE_DUE,
            _milestone_recipients(m),
            params={"agreement": m.agreement.title, "milestone": m.title, "due": m.due.isoformat()},
            link=reverse("followup:agreement_detail", args=[m.agreement_id]),
            key=f"milestone_due:{m.pk}:{m.due.isoformat()}",
        )
        counts["milestone_due"] += len(made)

    days = settings.KECHUANG_STALLED_DAYS
    owners = User.objects.filter(is_active=True, owned_needs__status__in=NeedStatus.MAY_STALL).distinct()
    for owner in owners.order_by("pk"):
        if owner.is_coordinator:
            continue  # coordinators get the summary below
        for need in stalled_for(owner):
            made = notify(
                Kind.NEED_STALLED,
                [owner],
                need=need,
                params={"days": (timezone.now() - need.status_changed_at).days},
                link=reverse("needs:detail", args=[need.pk]),
                key=f"need_stalled:{need.pk}:{need.status_changed_at.isoformat()}",
            )
            counts["need_stalled"] += len(made)
    coordinators = User.objects.filter(is_active=True, role=Role.COORDINATOR) | User.objects.filter(
        is_active=True, is_superuser=True
    )
    for coord in coordinators.distinct().order_by("pk"):
        n = stalled_for(coord).count()
        if not n:
            continue
        made = notify(
            Kind.NEED_STALLED,
            [coord],
            params={"summary": True, "count": n, "days": days},
            link=reverse("followup:stalled"),
            key=f"stalled_summary:{today.isoformat()}",
        )
        counts["need_stalled"] += len(made)
    return counts

