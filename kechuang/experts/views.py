from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from kechuang.accounts.models import Role
from kechuang.core.access import restrict
from kechuang.experts import selectors
from kechuang.orgs.models import Organisation


def _is_pk(value: str) -> bool:
    """ASCII digits that fit a database key ("²" and "１２３" pass ``isdigit()`` but are no key)."""
    return value.isascii() and value.isdigit() and len(value) < 19


def _society_choices(user):
    return restrict(Organisation.objects.filter(kind=Organisation.Kind.SOCIETY), user)


@login_required
def expert_list(request):
    filters = {"q": request.GET.get("q", ""), "society": request.GET.get("society") or None}
    if filters["society"] and not _is_pk(filters["society"]):
        filters["society"] = None
    qs = selectors.expert_list(user=request.user, filters=filters)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    title = "本学会专家" if request.user.role == Role.LIAISON else "专家库"
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
    filters = {"q": request.GET.get("q", ""), "society": request.GET.get("society") or None}
    if filters["society"] and not _is_pk(filters["society"]):
        filters["society"] = None
    qs = selectors.achievement_list(user=request.user, filters=filters)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    title = "本学会科技成果" if request.user.role == Role.LIAISON else "科技成果"
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
