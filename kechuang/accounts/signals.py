"""Sign-in events into the audit trail (connected in AccountsConfig.ready).

Failures and lockouts go to ``AuditEntry``; successful logins and logouts are already recorded by
django-axes in its ``AccessLog`` (time, address, browser, logout time), so they are not repeated here
(an entry per login would also swamp the trail that reviewers read for changes)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from kechuang.accounts.security import audit_sign_in


@receiver(user_login_failed, dispatch_uid="kechuang_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD) or (credentials or {}).get("username", "")
    audit_sign_in(
        "auth.login_failed",
        username=username or "",
        request=request,
        locked=bool(getattr(request, "axes_locked_out", False)),
    )


@receiver(user_locked_out, dispatch_uid="kechuang_audit_locked_out")
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    audit_sign_in("auth.locked_out", username=username or "", request=request, locked_ip=ip_address or "")


@receiver(user_logged_in, dispatch_uid="kechuang_idle_clock_at_login")
def _logged_in(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:  # the idle clock starts now (and the first page need not write the session)
        from kechuang.accounts.middleware import LAST_SEEN_KEY, _now

        session[LAST_SEEN_KEY] = _now()
