"""Every read of notifications: always the reader's own (``restrict`` + recipient), rendered for them.

A notification's sentence is written here, at display time, in the reader's language; the need it
is about is named by ``needs.selectors.need_label`` for that reader, so a confidential title shows
only to a reader who may see the need now.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kechuang.core.access import restrict
from kechuang.needs.selectors import HIDDEN_LABEL, need_label, prime_needs
from kechuang.notifications.kinds import SPECS, STALLED_SUMMARY, Kind
from kechuang.notifications.models import Notification


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = restrict(Notification.objects.all(), user).filter(recipient=user).select_related("need")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def notification_get(*, user, pk: int) -> Notification:
    """One of the reader's notifications, or 404 (someone else's is as absent as a missing one)."""
    return get_object_or_404(notification_list(user=user), pk=pk)


def unread_count(*, user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return notification_list(user=user, unread_only=True).count()


def render_text(n: Notification, reader) -> str:
    """The sentence of ``n`` for ``reader`` (the need named as ``reader`` may read it)."""
    p = dict(n.params or {})
    label = need_label(reader, n.need, default=HIDDEN_LABEL) if n.need_id else ""
    if n.kind == Kind.NEED_STALLED and p.get("summary"):
        return STALLED_SUMMARY % {"count": p.get("count", 0), "days": p.get("days", "")}
    if n.kind in (Kind.MEETING_REQUESTED, Kind.MEETING_ANSWERED):
        p["about"] = _("（关于需求“%(need)s”）") % {"need": label} if n.need_id else ""
        p["answer"] = _("接受") if p.get("accepted") else _("谢绝")
    if n.kind == Kind.AGENDA_CHANGED and isinstance(p.get("changes"), list):
        p["changes"] = pgettext("between items", "；").join(_agenda_change(c) for c in p["changes"])
    if n.kind == Kind.NEED_MATCHED and not p.get("note"):
        p["note"] = _("请查看需求页面")
    ctx = {k: ("" if v is None else v) for k, v in p.items()}
    ctx["need"] = label
    try:
        return SPECS[n.kind].message % ctx
    except (KeyError, ValueError, TypeError):  # an old row missing a parameter still shows something
        return f"{n.get_kind_display()}{('：' + label) if label else ''}"


def _agenda_change(c: dict) -> str:
    if c.get("added"):
        return _("新增与 %(with)s 的洽谈：第 %(to_slot)s 场 %(to_table)s 号桌") % c
    return _("与 %(with)s 的洽谈：第 %(from_slot)s 场 %(from_table)s 号桌 → 第 %(to_slot)s 场 %(to_table)s 号桌") % c


def rendered_page(*, user, notifications) -> list[dict]:
    """Rows for a page: each notification with its sentence for ``user`` (needs decided in one query)."""
    rows = list(notifications)
    prime_needs(user, [n.need for n in rows if n.need_id])
    return [{"n": n, "text": render_text(n, user), "kind_label": n.get_kind_display()} for n in rows]


def render_email(n: Notification) -> tuple[str, str]:
    """Subject and body of the e-mail of ``n`` for its recipient (links absolute, to the site)."""
    reader = n.recipient
    text = render_text(n, reader)
    site = settings.KECHUANG_SITE_URL.rstrip("/")
    lines = [_("%(name)s，您好：") % {"name": reader}, "", text, ""]
    if n.link:
        lines += [_("查看详情：%(url)s") % {"url": f"{site}{n.link}"}, ""]
    lines += [
        _("您可以在平台的“通知设置”中选择哪些通知发送邮件：%(url)s") % {"url": f"{site}{reverse('notifications:settings')}"},
        "",
        _("—— 科创对接平台"),
    ]
    subject = _("【科创对接】%(kind)s") % {"kind": n.get_kind_display()}
    return subject, "\n".join(lines)
