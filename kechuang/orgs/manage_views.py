"""Organisations and the chain / task-force taxonomy kept outside the Django admin.

Coordinators keep every organisation and the taxonomy; district staff their area's enterprises
(``orgs.services``). Views parse and pick; services write (one transaction, audited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kechuang.core.access import restrict
from kechuang.core.http import call_for_form
from kechuang.orgs import selectors, services
from kechuang.orgs.forms import IndustryChainForm, OrganisationForm
from kechuang.orgs.models import IndustryChain


def _org_data(form) -> dict:
    return dict(form.cleaned_data)


@login_required
def organisation_create(request):
    user = request.user
    if not services.can_maintain(user):
        raise Http404
    form = OrganisationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        ok, org = call_for_form(form, lambda: services.organisation_create(user=user, data=_org_data(form)))
        if ok:
            messages.success(request, _("已新增单位“%(n)s”。") % {"n": org.name})
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/manage_form.html", {"form": form, "heading": _("新增单位")})


@login_required
def organisation_edit(request, pk: int):
    user = request.user
    org = selectors.organisation_get(user=user, pk=pk)
    if not services.can_maintain(user):
        raise Http404
    form = OrganisationForm(request.POST or None, instance=org, user=user)
    if request.method == "POST" and form.is_valid():
        ok, result = call_for_form(
            form, lambda: services.organisation_update(user=user, org=org, data=_org_data(form))
        )
        if ok:
            messages.success(request, _("已保存。") if result[1] else _("没有修改。"))
            return redirect("orgs:detail", pk=pk)
    return render(
        request, "orgs/manage_form.html", {"form": form, "heading": _("编辑单位：%(n)s") % {"n": org.name}}
    )


def _taxonomy_keeper(request):
    if not services.can_maintain_taxonomy(request.user):
        raise Http404
    return request.user


@login_required
def chain_list(request):
    user = _taxonomy_keeper(request)
    chains = restrict(IndustryChain.objects.all(), user).order_by("order", "code")
    return render(request, "orgs/chains.html", {"chains": chains})


@login_required
def chain_create(request):
    user = _taxonomy_keeper(request)
    form = IndustryChainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _r = call_for_form(form, lambda: services.chain_save(user=user, data=form.service_data()))
        if ok:
            messages.success(request, _("已新增产业链。"))
            return redirect("orgs:chains")
    return render(request, "orgs/manage_form.html", {"form": form, "heading": _("新增产业链 / 产业专班")})


@login_required
def chain_edit(request, pk: int):
    user = _taxonomy_keeper(request)
    chain = get_object_or_404(restrict(IndustryChain.objects.all(), user), pk=pk)
    form = IndustryChainForm(request.POST or None, instance=chain)
    if request.method == "POST" and form.is_valid():
        ok, result = call_for_form(
            form, lambda: services.chain_save(user=user, data=form.service_data(), chain=chain)
        )
        if ok:
            messages.success(request, _("已保存。") if result[1] else _("没有修改。"))
            return redirect("orgs:chains")
    return render(
        request,
        "orgs/manage_form.html",
        {"form": form, "heading": _("编辑产业链：%(n)s") % {"n": chain.name}},
    )
