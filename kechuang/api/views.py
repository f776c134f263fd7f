"""The user's own page of personal API tokens: create (the secret is shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kechuang.api import tokens
from kechuang.api.forms import TokenForm
from kechuang.core.errors import ApplicationError
from kechuang.core.http import call_for_form


@never_cache  # the page that shows a new secret must not sit in any cache
@login_required
def token_page(request):
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        ok, made = call_for_form(
            form,
            lambda: tokens.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            ),
        )
        if ok:
            secret = made[1]
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "secret": secret, "tokens": tokens.token_list(user=request.user)},
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    try:
        token = tokens.token_revoke(user=request.user, pk=pk)
    except ApplicationError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("令牌“%(name)s”已撤销，使用它的程序将无法再访问。") % {"name": token.name})
    return redirect("apitokens:list")
