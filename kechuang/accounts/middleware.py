"""Session idle timeout and the second-factor gate."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from kechuang.accounts.security import audit_sign_in, requires_2fa

LAST_SEEN_KEY = "kechuang_last_seen"
# The stamp is rewritten at most this often, so a busy user does not write the session on every
# request; the idle limit is therefore exact to within this many seconds.
TOUCH_EVERY = 60


def _now() -> float:
    return time.time()


class IdleTimeoutMiddleware:
    """Logs out a session that has seen no request for KECHUANG_SESSION_IDLE_MINUTES.

    The session cookie lives as long (SESSION_COOKIE_AGE), and is refreshed whenever the stamp is
    rewritten, so the browser forgets an idle session too; this middleware is the server's word.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = _now()
            limit = settings.KECHUANG_SESSION_IDLE_MINUTES * 60
            last = request.session.get(LAST_SEEN_KEY)
            if last is not None and now - last > limit:
                username = user.get_username()
                logout(request)  # flushes the session; user_logged_out audits it as a logout
                audit_sign_in("auth.session_timeout", username=username, request=request)
                messages.info(request, _("您已较长时间未操作，为安全起见已自动退出，请重新登录。"))
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("会话已过期，请重新登录。")}, status=401)
                return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}")
            if last is None or now - last >= TOUCH_EVERY:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def _exempt_paths() -> tuple[str, ...]:
    return (
        reverse("accounts:otp_verify"),
        reverse("accounts:otp_setup"),
        reverse("accounts:recovery_codes"),
        reverse("accounts:logout"),
        reverse("set_language"),
        settings.STATIC_URL,
    )


class RequireTwoFactorMiddleware:
    """Users who must use a second factor reach nothing but enrolment, verification and logout
    until their session is verified (django-otp's ``user.is_verified()``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and requires_2fa(user)
            and not user.is_verified()
            and not request.path.startswith(_exempt_paths())
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("请先完成双因素认证。")}, status=403)
            from django_otp import user_has_device

            target = "accounts:otp_verify" if user_has_device(user) else "accounts:otp_setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
