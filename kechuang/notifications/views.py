"""Notification pages: the list, opening one (marks it read and goes to its link), mark read, e-mail choices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kechuang.core.http import perform
from kechuang.notifications import selectors, services
from kechuang.notifications.forms import EmailPreferenceForm
from kechuang.notifications.kinds import SPECS, Kind


@login_required
@require_GET
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    qs = selectors.notification_list(user=request.user, unread_only=unread_only)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": selectors.rendered_page(user=request.user, notifications=page.object_list),
        "unread_only": unread_only,
        "unread": selectors.unread_count(user=request.user),
    }
    return render(request, "notifications/list.html", context)


def _safe_link(request, link: str) -> str | None:
    if link and link.startswith("/") and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return link
    return None


@login_required
@require_GET
def notification_open(request, pk: int):
    """Open a notification: it becomes read, and the reader goes where it points (the target page
    checks access again: a link never grants anything)."""
    n = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(user=request.user, notification=n)
    return redirect(_safe_link(request, n.link) or "notifications:list")


@login_required
@require_POST
def notification_read(request, pk: int):
    n = selectors.notification_get(user=request.user, pk=pk)
    return perform(
        request,
        lambda: services.notification_mark_read(user=request.user, notification=n),
        success=None,
        then="notifications:list",
    )


@login_required
@require_POST
def notification_read_all(request):
    return perform(
        request,
        lambda: services.notification_mark_all_read(user=request.user),
        success=lambda count: ngettext("已将 %(n)d 条通知标为已读。", "已将 %(n)d 条通知标为已读。", count) % {"n": count},
        then="notifications:list",
    )


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request):
    current = services.email_preferences(request.user)
    if request.method == "POST":
        form = EmailPreferenceForm(request.POST)
        return perform(
            request,
            lambda: services.email_preferences_set(user=request.user, email_kinds=form.cleaned_data["email"]),
            success=_("通知设置已保存。"),
            then="notifications:settings",
            form=form,
        )
    rows = [
        {"kind": k, "label": label, "audience": SPECS[k].audience, "email": current[k],
         "digest": SPECS[k].email_by_digest}
        for k, label in Kind.choices
    ]
    if not request.user.email:
        messages.warning(request, _("您的账号没有登记邮箱，暂时收不到邮件通知；请联系市科协协调员登记邮箱。"))
    return render(request, "notifications/settings.html", {"rows": rows})
