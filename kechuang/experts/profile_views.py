"""Profile pages outside the admin: liaisons keep their society's experts, achievements and service
teams (create, edit, retire); an expert keeps their own profile. Views parse and pick; services write.
A page the reader may not use is 404, like an object outside the scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.accounts.models import Role
from kechuang.core.http import call_for_form, perform
from kechuang.experts import profile_selectors as sel
from kechuang.experts import profile_services as ps
from kechuang.experts import services
from kechuang.experts.forms import AchievementForm, ExpertForm
from kechuang.experts.profile_forms import ExpertProfileForm, PatentForm, PublicationForm, ServiceTeamForm


def _library_keeper(request):
    if not services.can_maintain_library(request.user):
        raise Http404
    return request.user


def _retire_flag(request) -> bool:
    return request.POST.get("retire", "1") != "0"


# ---------------------------------------------------------------- experts (liaison)


@login_required
def expert_create(request):
    user = _library_keeper(request)
    form = ExpertForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        ok, expert = call_for_form(form, lambda: services.expert_create(user=user, data=form.service_data()))
        if ok:
            messages.success(request, _("已新增专家 %(n)s。") % {"n": expert.name})
            return redirect("experts:detail", pk=expert.pk)
    return render(request, "experts/manage_form.html", {"form": form, "heading": _("新增专家")})


@login_required
def expert_edit(request, pk: int):
    user = _library_keeper(request)
    expert = sel.expert_get(user=user, pk=pk)
    if not ps.can_maintain_expert(user, expert):
        raise Http404
    form = ExpertForm(request.POST or None, instance=expert, user=user)
    if request.method == "POST" and form.is_valid():
        ok, result = call_for_form(
            form, lambda: services.expert_update(user=user, expert=expert, data=form.service_data())
        )
        if ok:
            messages.success(request, _("已保存。") if result[1] else _("没有修改。"))
            return redirect("experts:detail", pk=pk)
    return render(
        request,
        "experts/manage_form.html",
        {
            "form": form,
            "heading": _("编辑专家：%(n)s") % {"n": expert.name},
            "history": sel.history_rows(user=user, obj=expert),
        },
    )


@login_required
@require_POST
def expert_retire(request, pk: int):
    user = _library_keeper(request)
    expert = sel.expert_get(user=user, pk=pk)
    retire = _retire_flag(request)
    return perform(
        request,
        lambda: ps.expert_retire(user=user, expert=expert, retire=retire),
        success=_("专家已退出（档案与历史保留）。") if retire else _("专家已恢复。"),
        then=("experts:detail", pk),
    )


# ---------------------------------------------------------------- an expert's own profile


@login_required
def my_profile(request):
    if request.user.role != Role.EXPERT or not request.user.expert_id:
        raise Http404
    return redirect("experts:profile_edit", pk=request.user.expert_id)


@login_required
def profile_edit(request, pk: int):
    user = request.user
    expert = sel.expert_get(user=user, pk=pk)
    if not ps.can_edit_profile(user, expert):
        raise Http404
    form = ExpertProfileForm(request.POST or None, instance=expert)
    if request.method == "POST" and form.is_valid():
        ok, result = call_for_form(
            form, lambda: ps.expert_profile_update(user=user, expert=expert, data=form.service_data())
        )
        if ok:
            messages.success(request, _("档案已保存。") if result[1] else _("没有修改。"))
            return redirect("experts:profile_edit", pk=pk)
    expert.refresh_from_db()
    return render(
        request,
        "experts/profile_edit.html",
        {
            "form": form,
            "expert": expert,
            "publications": expert.publications.all(),
            "patents": expert.patents.all(),
            "publication_form": PublicationForm(prefix="pub"),
            "patent_form": PatentForm(prefix="pat"),
            "history": sel.history_rows(user=user, obj=expert),
        },
    )


def _profile_owner(request, pk):
    expert = sel.expert_get(user=request.user, pk=pk)
    if not ps.can_edit_profile(request.user, expert):
        raise Http404
    return expert


def _added(label):
    return lambda r: (
        _("已添加%(k)s。") % {"k": label}
        if r[1]
        else (messages.WARNING, _("已有同名%(k)s，未重复添加。") % {"k": label})
    )


@login_required
@require_POST
def publication_add(request, pk: int):
    expert = _profile_owner(request, pk)
    form = PublicationForm(request.POST, prefix="pub")
    return perform(
        request,
        lambda: ps.profile_publication_add(user=request.user, expert=expert, data=form.cleaned_data),
        success=_added(_("论文")),
        then=("experts:profile_edit", pk),
        form=form,
        invalid=_("论文未添加："),
    )


@login_required
@require_POST
def patent_add(request, pk: int):
    expert = _profile_owner(request, pk)
    form = PatentForm(request.POST, prefix="pat")
    return perform(
        request,
        lambda: ps.profile_patent_add(user=request.user, expert=expert, data=form.cleaned_data),
        success=_added(_("专利")),
        then=("experts:profile_edit", pk),
        form=form,
        invalid=_("专利未添加："),
    )


@login_required
@require_POST
def publication_remove(request, pk: int, item: int):
    expert = _profile_owner(request, pk)
    return perform(
        request,
        lambda: ps.publication_remove(user=request.user, expert=expert, pk=item),
        success=_("论文已删除。"),
        then=("experts:profile_edit", pk),
    )


@login_required
@require_POST
def patent_remove(request, pk: int, item: int):
    expert = _profile_owner(request, pk)
    return perform(
        request,
        lambda: ps.patent_remove(user=request.user, expert=expert, pk=item),
        success=_("专利已删除。"),
        then=("experts:profile_edit", pk),
    )


# ---------------------------------------------------------------- achievements


@login_required
def achievement_create(request):
    user = _library_keeper(request)
    form = AchievementForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        ok, result = call_for_form(form, lambda: services.achievement_save(user=user, data=form.cleaned_data))
        if ok:
            messages.success(request, _("已新增成果。"))
            return redirect("experts:achievement", pk=result[0].pk)
    return render(request, "experts/manage_form.html", {"form": form, "heading": _("新增科技成果")})


@login_required
def achievement_edit(request, pk: int):
    user = _library_keeper(request)
    a = sel.achievement_get(user=user, pk=pk)
    if not services.societies_for(user).filter(pk=a.owner_society_id).exists():
        raise Http404
    form = AchievementForm(request.POST or None, instance=a, user=user)
    if request.method == "POST" and form.is_valid():
        ok, result = call_for_form(
            form, lambda: services.achievement_save(user=user, data=form.cleaned_data, achievement=a)
        )
        if ok:
            messages.success(request, _("已保存。") if result[1] else _("没有修改。"))
            return redirect("experts:achievement", pk=pk)
    return render(
        request,
        "experts/manage_form.html",
        {"form": form, "heading": _("编辑成果"), "history": sel.history_rows(user=user, obj=a)},
    )


@login_required
@require_POST
def achievement_retire(request, pk: int):
    _library_keeper(request)
    a = sel.achievement_get(user=request.user, pk=pk)
    retire = _retire_flag(request)
    return perform(
        request,
        lambda: ps.achievement_retire(user=request.user, achievement=a, retire=retire),
        success=_("成果已下架（记录保留）。") if retire else _("成果已恢复。"),
        then=("experts:achievement", pk),
    )


# ---------------------------------------------------------------- service teams


@login_required
def team_list(request):
    user = _library_keeper(request)
    show_retired = request.GET.get("retired") == "1"
    return render(
        request,
        "experts/teams.html",
        {"teams": sel.team_list(user=user, include_retired=show_retired), "show_retired": show_retired},
    )


@login_required
def team_create(request):
    user = _library_keeper(request)
    form = ServiceTeamForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        ok, _r = call_for_form(form, lambda: ps.service_team_save(user=user, data=form.cleaned_data))
        if ok:
            messages.success(request, _("已新增服务团。"))
            return redirect("experts:teams")
    return render(request, "experts/manage_form.html", {"form": form, "heading": _("新增科技服务团")})


@login_required
def team_edit(request, pk: int):
    user = _library_keeper(request)
    team = sel.team_get(user=user, pk=pk)
    form = ServiceTeamForm(request.POST or None, instance=team, user=user)
    if request.method == "POST" and form.is_valid():
        ok, result = call_for_form(
            form, lambda: ps.service_team_save(user=user, data=form.cleaned_data, team=team)
        )
        if ok:
            messages.success(request, _("已保存。") if result[1] else _("没有修改。"))
            return redirect("experts:teams")
    return render(
        request,
        "experts/manage_form.html",
        {
            "form": form,
            "heading": _("编辑服务团：%(n)s") % {"n": team.name},
            "history": sel.history_rows(user=user, obj=team),
        },
    )


@login_required
@require_POST
def team_retire(request, pk: int):
    _library_keeper(request)
    team = sel.team_get(user=request.user, pk=pk)
    retire = _retire_flag(request)
    return perform(
        request,
        lambda: ps.service_team_retire(user=request.user, team=team, retire=retire),
        success=_("服务团已解散（记录保留）。") if retire else _("服务团已恢复。"),
        then="experts:teams",
    )
