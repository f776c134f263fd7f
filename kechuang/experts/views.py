from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import Role
from kechuang.core.access import restrict
from kechuang.core.exports import Column, attr, display, wants_export, xlsx_response
from kechuang.core.http import int_param
from kechuang.core.sorting import Sorting
from kechuang.experts import selectors
from kechuang.orgs.models import Organisation


def _society_choices(user):
    return restrict(Organisation.objects.filter(kind=Organisation.Kind.SOCIETY), user)


def _filters(request) -> dict:
    """The list filters of both libraries: free text and a society id (anything else is ignored)."""
    return {"q": request.GET.get("q", ""), "society": int_param(request.GET.get("society"))}


def _listed(values) -> str:
    return "、".join(str(v) for v in values or [])


EXPERT_SORTING = Sorting(
    {"name": "name", "title": "title", "affiliation": "affiliation__name", "availability": "availability"},
    default="name",
)
EXPERT_COLUMNS = [
    Column(_("姓名"), attr("name"), 12),
    Column(_("职称"), attr("title"), 14),
    Column(_("单位"), attr("affiliation.name"), 28),
    Column(_("学会"), lambda e: "、".join(s.name for s in e.societies.all()), 30),
    Column(_("研究领域"), lambda e: _listed(e.fields), 30),
    Column(_("关键词"), lambda e: _listed(e.keywords), 30),
    Column(_("状态"), display("availability"), 10),
]
ACHIEVEMENT_SORTING = Sorting(
    {
        "title": "title",
        "society": "owner_society__name",
        "expert": "owner_expert__name",
        "maturity": "maturity",
        "transfer": "transfer_mode",
        "chain": "chain__code",
    },
    default="title",
)
ACHIEVEMENT_COLUMNS = [
    Column(_("成果名称"), attr("title"), 36),
    Column(_("所属学会"), attr("owner_society.name"), 24),
    Column(_("完成专家"), attr("owner_expert.name"), 12),
    Column(_("成熟度"), display("maturity"), 10),
    Column(_("转化方式"), display("transfer_mode"), 10),
    Column(_("产业链"), attr("chain.name"), 18),
    Column(_("领域"), lambda a: _listed(a.fields), 24),
    Column(_("知识产权"), attr("ip"), 24),
]


@login_required
def expert_list(request):
    filters = _filters(request)
    qs, sort = EXPERT_SORTING.apply(selectors.expert_list(user=request.user, filters=filters), request)
    if wants_export(request):
        return xlsx_response(qs, EXPERT_COLUMNS, filename="experts", sheet=_("专家"))
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
            "sort": sort,
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
    qs, sort = ACHIEVEMENT_SORTING.apply(selectors.achievement_list(user=request.user, filters=filters), request)
    if wants_export(request):
        return xlsx_response(qs, ACHIEVEMENT_COLUMNS, filename="achievements", sheet=_("科技成果"))
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
            "sort": sort,
        },
    )


@login_required
def achievement_detail(request, pk: int):
    return render(
        request, "experts/achievement_detail.html", {"a": selectors.achievement_get(user=request.user, pk=pk)}
    )
