"""Sign-in pages: login (throttled by django-axes), second factor, password change, unlocking."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kechuang.accounts import otp
from kechuang.accounts.forms import EnrolForm, LoginForm, PasswordResetRequestForm, TokenForm, UnlockForm
from kechuang.accounts.security import audit_sign_in, current_lockouts, lockout_reset, requires_2fa

RECOVERY_SESSION_KEY = "kechuang_recovery_codes"


def _next_url(request, default: str | None = None) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return nxt
    return default or reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url: str, nxt: str) -> str:
    return f"{url}?{urlencode({'next': nxt})}" if nxt else url


class LoginView(auth_views.LoginView):
    """Django's login; a user who must use a second factor goes on to verification or enrolment."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if requires_2fa(user):
            step = "accounts:otp_verify" if otp.confirmed_totp(user) else "accounts:otp_setup"
            return redirect(_with_next(reverse(step), self.get_redirect_url()))
        return response


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    user = request.user
    nxt = _next_url(request)
    if user.is_verified():
        return redirect(nxt)
    if otp.confirmed_totp(user) is None:
        if otp.can_enrol(user):
            return redirect(_with_next(reverse("accounts:otp_setup"), nxt))
        return redirect(nxt)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.otp_verify(request, form.cleaned_data["token"]):
            return redirect(nxt)
        form.add_error("token", _("验证码不正确或已使用，请重新输入。多次错误后需等待片刻再试。"))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": nxt})


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    user = request.user
    if not otp.can_enrol(user):
        raise Http404
    nxt = _next_url(request)
    existing = otp.confirmed_totp(user)
    if existing is not None and not user.is_verified():
        # replacing a device needs the old one first: otherwise a stolen password would be enough
        return redirect(_with_next(reverse("accounts:otp_verify"), request.get_full_path()))
    device = otp.pending_totp(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = otp.otp_enrol_confirm(request, device, form.cleaned_data["token"])
        if codes is not None:
            request.session[RECOVERY_SESSION_KEY] = codes
            messages.success(request, _("双因素认证已启用。"))
            return redirect(_with_next(reverse("accounts:recovery_codes"), nxt))
        form.add_error("token", _("验证码不正确，请确认手机时间准确后重新输入。"))
    context = {
        "form": form,
        "next": nxt,
        "qr_svg": otp.qr_svg(device),
        "secret": otp.secret_b32(device),
        "replacing": existing is not None,
        "required": requires_2fa(user),
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    user = request.user
    if not otp.can_enrol(user):
        raise Http404
    if request.method == "POST":
        if not user.is_verified():
            return redirect(_with_next(reverse("accounts:otp_verify"), reverse("accounts:recovery_codes")))
        request.session[RECOVERY_SESSION_KEY] = otp.otp_recovery_regenerate(request)
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(RECOVERY_SESSION_KEY, None)  # shown once, then gone from the session
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": _next_url(request), "enrolled": otp.confirmed_totp(user) is not None},
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy(settings.LOGIN_REDIRECT_URL)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        audit_sign_in("auth.password_changed", username=user.get_username(), request=self.request, user=user,
                      actor=user)
        messages.success(self.request, _("密码已修改。"))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail. The answer is the same whether or not the address belongs to an
    account (Django sends only to active accounts with a usable password)."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from the e-mailed link. The person is not signed in by it (``post_reset_login``
    stays off): they sign in with the new password, so the second factor is still asked where it is
    required. A lockout of the username (django-axes) is lifted: the mailbox owner proved who they are."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form):
        from axes.utils import reset as axes_reset

        response = super().form_valid(form)
        user = form.user
        removed = axes_reset(username=user.get_username())
        audit_sign_in("auth.password_reset", username=user.get_username(), request=self.request, user=user,
                      attempts_removed=removed)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
@require_http_methods(["GET", "POST"])
def lockouts(request):
    """Coordinators see who is locked out and can lift a lockout early."""
    if not request.user.is_coordinator:
        raise Http404
    if request.method == "POST":
        form = UnlockForm(request.POST)
        if form.is_valid():
            username, ip = form.cleaned_data.get("username") or None, form.cleaned_data.get("ip") or None
            lockout_reset(actor=request.user, username=username, ip=ip)
            messages.success(request, _("已解除锁定：%(who)s") % {"who": username or ip})
        else:
            messages.error(request, form.non_field_errors().as_text() or _("解锁请求无效。"))
        return redirect("accounts:lockouts")
    return render(request, "accounts/lockouts.html", {"locked": current_lockouts()})
