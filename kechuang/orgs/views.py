from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from kechuang.experts.selectors import expert_list
from kechuang.needs.selectors import need_list
from kechuang.orgs import selectors
from kechuang.orgs.models import Organisation


@login_required
def organisation_list(request):
    kind = request.GET.get("kind", "")
    filters = {"q": request.GET.get("q", ""), "kind": kind if kind in Organisation.Kind.values else ""}
    page = Paginator(selectors.organisation_list(user=request.user, filters=filters), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request, "orgs/list.html", {"page": page, "filters": filters, "kinds": Organisation.Kind.choices}
    )


@login_required
def organisation_detail(request, pk: int):
    org = selectors.organisation_get(user=request.user, pk=pk)
    needs = need_list(user=request.user).filter(enterprise=org)[:50]
    experts = (
        expert_list(user=request.user, filters={"society": org.pk})[:50] if org.kind == "society" else []
    )
    return render(request, "orgs/detail.html", {"org": org, "needs": needs, "experts": experts})
