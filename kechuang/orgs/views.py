from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kechuang.core.exports import Column, attr, display, wants_export, xlsx_response
from kechuang.core.sorting import Sorting
from kechuang.experts.selectors import expert_list
from kechuang.needs.selectors import need_list
from kechuang.orgs import selectors
from kechuang.orgs.models import Organisation

ORG_SORTING = Sorting(
    {"name": "name", "kind": "kind", "district": "district__code", "chain": "chain__code"}, default="name"
)
ORG_COLUMNS = [
    Column(_("名称"), attr("name"), 36),
    Column(_("简称"), attr("short_name"), 14),
    Column(_("类型"), display("kind"), 10),
    Column(_("地区"), attr("district.name"), 14),
    Column(_("产业链"), attr("chain.name"), 20),
]


@login_required
def organisation_list(request):
    kind = request.GET.get("kind", "")
    filters = {"q": request.GET.get("q", ""), "kind": kind if kind in Organisation.Kind.values else ""}
    qs, sort = ORG_SORTING.apply(selectors.organisation_list(user=request.user, filters=filters), request)
    if wants_export(request):
        return xlsx_response(qs, ORG_COLUMNS, filename="organisations", sheet=_("组织"))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/list.html",
        {"page": page, "filters": filters, "kinds": Organisation.Kind.choices, "sort": sort},
    )


@login_required
def organisation_detail(request, pk: int):
    org = selectors.organisation_get(user=request.user, pk=pk)
    needs = need_list(user=request.user).filter(enterprise=org)[:50]
    experts = (
        expert_list(user=request.user, filters={"society": org.pk})[:50] if org.kind == "society" else []
    )
    return render(request, "orgs/detail.html", {"org": org, "needs": needs, "experts": experts})
