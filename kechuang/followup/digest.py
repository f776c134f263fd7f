"""The daily digest of stalled needs: each owner gets their own, coordinators get the full list.

"Stalled" is the foundation's rule (no status change for ``KECHUANG_STALLED_DAYS`` days, see
``kechuang.needs.selectors``); the lists come from ``selectors.stalled_for`` so nobody is mailed a
need they may not see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from kechuang.accounts.models import Role, User
from kechuang.followup.selectors import stalled_for
from kechuang.needs.models import Need, NeedStatus
from kechuang.needs.selectors import need_label, stalled_before
from kechuang.notifications.kinds import Kind
from kechuang.notifications.services import wants_email


@dataclass
class DigestResult:
    messages: int
    sent: int
    skipped_no_email: int
    needs: int


def _body(user, needs: list[Need], *, full: bool) -> str:
    now = timezone.now()
    head = gettext("以下需求") if full else gettext("您负责的以下需求")
    lines = [
        gettext("%(user)s，您好：") % {"user": user},
        "",
        ngettext("%(head)s已超过 %(KECHUANG_STALLED_DAYS)s 天没有进展，请及时跟进：", "%(head)s已超过 %(KECHUANG_STALLED_DAYS)s 天没有进展，请及时跟进：", settings.KECHUANG_STALLED_DAYS) % {"head": head, "KECHUANG_STALLED_DAYS": settings.KECHUANG_STALLED_DAYS},
        "",
    ]
    for n in needs:
        days = (now - n.status_changed_at).days
        owner = gettext("；负责人：%(owner)s") % {"owner": n.owner} if full else ""
        lines.append(
            ngettext("- %(need_label)s（%(name)s，%(status)s，%(days)s 天无进展%(owner)s） %(reverse)s", "- %(need_label)s（%(name)s，%(status)s，%(days)s 天无进展%(owner)s） %(reverse)s", days) % {"need_label": need_label(user, n), "name": n.enterprise.name, "status": n.get_status_display(), "days": days, "owner": owner, "reverse": reverse('needs:detail', args=[n.pk])}
        )
    lines += ["", gettext("—— 科创对接平台（每日停滞需求提醒）")]
    return "\n".join(lines)


def build_messages() -> tuple[list[EmailMessage], int, int]:
    """One message per recipient with something to read; returns (messages, skipped, distinct needs)."""
    owners = (
        Need.objects.filter(
            status__in=NeedStatus.MAY_STALL, status_changed_at__lt=stalled_before(), owner__isnull=False
        )
        .values_list("owner_id", flat=True)
        .distinct()
    )
    recipients = User.objects.filter(is_active=True).filter(
        Q(role=Role.COORDINATOR) | Q(is_superuser=True) | Q(pk__in=owners)
    )
    messages, skipped, seen = [], 0, set()
    for user in recipients.order_by("pk"):
        full = user.is_coordinator
        needs = list(stalled_for(user).select_related("enterprise"))
        if not needs:
            continue
        if not user.email:
            skipped += 1
            continue
        if not wants_email(user, Kind.NEED_STALLED):  # the user chose no e-mail for stalled needs
            continue
        seen.update(n.pk for n in needs)
        subject = (
            ngettext("【科创对接】停滞需求提醒：全市 %(n)s 项需求超过 %(days)s 天无进展", "【科创对接】停滞需求提醒：全市 %(n)s 项需求超过 %(days)s 天无进展", len(needs))
            if full
            else ngettext("【科创对接】停滞需求提醒：您负责的 %(n)s 项需求超过 %(days)s 天无进展", "【科创对接】停滞需求提醒：您负责的 %(n)s 项需求超过 %(days)s 天无进展", len(needs))
        ) % {"n": len(needs), "days": settings.KECHUANG_STALLED_DAYS}
        messages.append(EmailMessage(subject=subject, body=_body(user, needs, full=full), to=[user.email]))
    return messages, skipped, len(seen)


def send_digest(*, dry_run: bool = False) -> DigestResult:
    messages, skipped, n = build_messages()
    if not dry_run and messages:
        with get_connection() as conn:
            conn.send_messages(messages)
    return DigestResult(
        messages=len(messages), sent=0 if dry_run else len(messages), skipped_no_email=skipped, needs=n
    )
