"""Pages of onboarding: the public sign-up and invitation links, the review queue and the invitation list.

Views parse and pick through selectors; every write is a service. Objects outside the reader's scope
are 404; a role that may not review or invite gets 404 on those pages too (nothing to learn there).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.http import call_for_form, perform
from kechuang.onboarding import selectors, services
from kechuang.onboarding.forms import AcceptForm, InvitationForm, RejectForm, SignupForm
from kechuang.onboarding.models import Invitation, SignupApplication

SIGNUPS_PER_HOUR = getattr(settings, "KECHUANG_SIGNUPS_PER_HOUR", 5)


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _rate_limited(request) -> bool:
    """At most ``SIGNUPS_PER_HOUR`` sign-up submissions per address per hour (the shared cache)."""
    key = f"onboarding:signup:{_client_ip(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > SIGNUPS_PER_HOUR


def signup(request):
    if request.user.is_authenticated:
        return redirect("home:root")
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _rate_limited(request):
            form.add_error(None, _("提交过于频繁，请一小时后再试。"))
            status = 429
        elif form.is_valid():
            ok, _app = call_for_form(form, lambda: services.signup_submit(data=form.service_data()))
            if ok:
                return redirect("onboarding:signup_done")
    return render(request, "onboarding/signup.html", {"form": form}, status=status)


def signup_done(request):
    return render(request, "onboarding/signup_done.html")


def _reviewer(request):
    if not services.can_review_signups(request.user):
        raise Http404
    return request.user


@login_required
def signup_list(request):
    user = _reviewer(request)
    status = request.GET.get("status", SignupApplication.Status.PENDING)
    page = Paginator(selectors.signup_list(user=user, status=status), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "onboarding/signup_list.html",
        {"page": page, "status": status, "statuses": SignupApplication.Status.choices},
    )


@login_required
def signup_detail(request, pk: int):
    user = _reviewer(request)
    app = selectors.signup_get(user=user, pk=pk)
    return render(request, "onboarding/signup_detail.html", {"app": app, "reject_form": RejectForm()})


@login_required
@require_POST
def signup_approve(request, pk: int):
    user = _reviewer(request)
    app = selectors.signup_get(user=user, pk=pk)
    return perform(
        request,
        lambda: services.signup_approve(user=user, app=app),
        success=lambda a: (
            _("已通过“%(n)s”的注册申请，已开通账号 %(u)s 并通知联系人。")
            % {"n": a.company_name, "u": a.username}
        ),
        then=("onboarding:signup_detail", app.pk),
    )


@login_required
@require_POST
def signup_reject(request, pk: int):
    user = _reviewer(request)
    app = selectors.signup_get(user=user, pk=pk)
    form = RejectForm(request.POST)
    return perform(
        request,
        lambda: services.signup_reject(user=user, app=app, reason=form.cleaned_data["reason"]),
        success=_("已驳回该申请，申请人会收到邮件说明原因。"),
        then=("onboarding:signup_detail", app.pk),
        form=form,
        invalid=_("未驳回："),
    )


# ---------------------------------------------------------------- invitations


def _inviter(request):
    if not services.can_invite(request.user):
        raise Http404
    return request.user


def _link_message(request, token: str) -> None:
    url = request.build_absolute_uri(reverse("onboarding:accept", args=[token]))
    messages.info(request, _("邀请链接（仅显示这一次，也已发到对方邮箱）：%(url)s") % {"url": url})


@login_required
def invitation_list(request):
    user = _inviter(request)
    state = request.GET.get("state", "")
    page = Paginator(selectors.invitation_list(user=user, state=state), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "onboarding/invitation_list.html",
        {"page": page, "state": state, "states": Invitation.State.choices},
    )


@login_required
def invitation_create(request):
    user = _inviter(request)
    form = InvitationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        ok, result = call_for_form(
            form, lambda: services.invitation_create(user=user, data=form.cleaned_data)
        )
        if ok:
            inv, token = result
            messages.success(request, _("已邀请 %(n)s（%(e)s）。") % {"n": inv.display_name, "e": inv.email})
            _link_message(request, token)
            return redirect("onboarding:invitations")
    return render(request, "onboarding/invitation_form.html", {"form": form})


@login_required
@require_POST
def invitation_resend(request, pk: int):
    user = _inviter(request)
    inv = selectors.invitation_get(user=user, pk=pk)

    def resend():
        inv2, token = services.invitation_resend(user=user, inv=inv)
        _link_message(request, token)
        return inv2

    return perform(
        request, resend, success=_("已重新发送邀请，旧链接已失效。"), then="onboarding:invitations"
    )


@login_required
@require_POST
def invitation_revoke(request, pk: int):
    user = _inviter(request)
    inv = selectors.invitation_get(user=user, pk=pk)
    return perform(
        request,
        lambda: services.invitation_revoke(user=user, inv=inv),
        success=_("邀请已撤销，链接不能再使用。"),
        then="onboarding:invitations",
    )


def accept(request, token: str):
    """The invitee's page: a clear explanation for a wrong, used, expired or revoked link (never a 500)."""
    inv = services.invitation_for_token(token)
    if inv is None:
        return render(request, "onboarding/accept_invalid.html", {"reason": "unknown"}, status=404)
    state = inv.state()
    if state != Invitation.State.PENDING:
        return render(request, "onboarding/accept_invalid.html", {"reason": state, "inv": inv}, status=410)
    form = AcceptForm(request.POST or None, initial={"username": inv.email.split("@")[0]})
    if request.method == "POST" and form.is_valid():
        ok, account = call_for_form(
            form,
            lambda: services.invitation_accept(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["new_password1"],
            ),
        )
        if ok:
            messages.success(
                request, _("账号 %(u)s 已开通，请用刚设置的密码登录。") % {"u": account.username}
            )
            return redirect("accounts:login")
    return render(request, "onboarding/accept.html", {"form": form, "inv": inv})
