from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext

from kechuang.accounts.models import Role
from kechuang.core.access import restrict
from kechuang.core.http import int_param
from kechuang.experts import selectors
from kechuang.orgs.models import Organisation


def _society_choices(user):
    return restrict(Organisation.objects.filter(kind=Organisation.Kind.SOCIETY), user)


def _filters(request) -> dict:
    """The list filters of both libraries: free text and a society id (anything else is ignored)."""
    return {"q": request.GET.get("q", ""), "society": int_param(request.GET.get("society"))}


@login_required
def expert_list(request):
    filters = _filters(request)
    qs = selectors.expert_list(user=request.user, filters=filters)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    title = gettext("本学会专家") if request.user.role == Role.LIAISON else gettext("专家库")
    return render(
        request,
        "experts/list.html",
        {
            "page": page,
            "filters": filters,
            "societies": _society_choices(request.user),
            "title": title,
            "teams": selectors.team_list(user=request.user),
        },
    )


@login_required
def expert_detail(request, pk: int):
    expert = selectors.expert_get(user=request.user, pk=pk)
    return render(
        request,
        "experts/detail.html",
        {
            "expert": expert,
            "publications": expert.publications.all(),
            "patents": expert.patents.all(),
            "achievements": selectors.achievement_list(user=request.user).filter(owner_expert=expert),
        },
    )


@login_required
def achievement_list(request):
    filters = _filters(request)
    qs = selectors.achievement_list(user=request.user, filters=filters)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    title = gettext("本学会科技成果") if request.user.role == Role.LIAISON else gettext("科技成果")
    return render(
        request,
        "experts/achievements.html",
        {
            "page": page,
            "filters": filters,
            "societies": _society_choices(request.user),
            "title": title,
        },
    )


@login_required
def achievement_detail(request, pk: int):
    return render(
        request, "experts/achievement_detail.html", {"a": selectors.achievement_get(user=request.user, pk=pk)}
    )
