"""Login security: who needs a second factor, the lockout page, unlocking, and the audit trail of
sign-in events (failures, lockouts, logins, logouts) fed by Django's and django-axes' signals.

Sign-in events have no "object" in the usual sense; they are recorded against the user when the
username exists, and against ``accounts.user`` with an empty id (the typed name in
``object_repr``) when it does not, so a reviewer can search both by username.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kechuang.core.audit import record
from kechuang.core.models import AuditEntry

USERNAME_MAX = 150


def requires_2fa(user) -> bool:
    """Coordinators and anyone who can open the admin must use a second factor (when switched on)."""
    if not getattr(settings, "KECHUANG_REQUIRE_2FA", False):
        return False
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_coordinator or user.is_staff or user.is_superuser)


def client_ip(request) -> str:
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "") if request else ""


def audit_sign_in(action: str, *, username: str, request=None, user=None, actor=None, **changes) -> AuditEntry:
    """One audit entry for a sign-in event; ``user`` is looked up by username when not given."""
    username = (username or "")[:USERNAME_MAX]
    if user is None and username:
        user = get_user_model().objects.filter(username=username).first()
    changes = {"username": username, "ip": client_ip(request), **changes}
    if user is not None:
        return record(actor, action, user, changes)
    return record(actor, action, None, changes, object_repr=username, object_type="accounts.user")


def lockout_minutes() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    if isinstance(cool_off, timedelta):
        return max(1, int(cool_off.total_seconds() // 60))
    return 0


def lockout_message() -> str:
    minutes = lockout_minutes()
    if minutes:
        return ngettext(
            "登录失败次数过多，该账号或当前网络地址已被暂时锁定。请 %(m)d 分钟后再试，"
            "或联系市科协协调员解锁。",
            "登录失败次数过多，该账号或当前网络地址已被暂时锁定。请 %(m)d 分钟后再试，"
            "或联系市科协协调员解锁。",
            minutes,
        ) % {"m": minutes}
    return _("登录失败次数过多，该账号或当前网络地址已被锁定，请联系市科协协调员解锁。")


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again, with the lockout explained (HTTP 429)."""
    username = ""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD, "") or ""
    form = AuthenticationForm(request, initial={"username": username})
    template = "accounts/login.html"
    return render(
        request,
        template,
        {"form": form, "locked_out": True, "lockout_message": lockout_message(), "next": request.POST.get("next", "")},
        status=429,
    )


# --- who is locked, and unlocking --------------------------------------------------------------


def current_lockouts() -> dict[str, list[dict]]:
    """Usernames and addresses whose failures within the cool-off reach the limit."""
    from axes.models import AccessAttempt

    limit = settings.AXES_FAILURE_LIMIT
    qs = AccessAttempt.objects.all()
    cool_off = settings.AXES_COOLOFF_TIME
    if isinstance(cool_off, timedelta):
        qs = qs.filter(attempt_time__gte=timezone.now() - cool_off)
    out: dict[str, list[dict]] = {"username": [], "ip_address": []}
    for field in out:
        rows = (
            qs.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=limit)
            .order_by("-last")
        )
        for r in rows:
            until = r["last"] + cool_off if isinstance(cool_off, timedelta) else None
            out[field].append({"value": r[field], "failures": r["failures"], "last": r["last"], "until": until})
    return out


@transaction.atomic
def lockout_reset(*, actor, username: str | None = None, ip: str | None = None) -> int:
    """A coordinator lifts a lockout early (by username or by address); audited."""
    from axes.utils import reset

    if not getattr(actor, "is_coordinator", False):
        raise PermissionError("only coordinators unlock")
    if bool(username) == bool(ip):
        raise ValueError("give exactly one of username, ip")
    count = reset(username=username) if username else reset(ip=ip)
    audit_sign_in(
        "auth.unlock",
        username=username or "",
        actor=actor,
        unlocked_ip=ip or "",
        attempts_removed=count,
    )
    return count
