"""The coordinators' audit search page and its Excel export. Core and Django only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kechuang.core import audit, audit_search
from kechuang.core.exports import wants_export


def _search(request):
    if not audit_search.can_search_audit(request.user):
        raise Http404  # like any record outside a user's scope: not found, not forbidden
    form = audit_search.AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs, sort = audit_search.SORTING.apply(audit_search.audit_search(user=request.user, filters=filters), request)
    return form, filters, qs, sort


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def audit_list(request):
    if wants_export(request):  # like every list: ``?export=xlsx`` is the file of this page
        return audit_export(request)
    form, filters, qs, sort = _search(request)
    page = Paginator(qs, audit_search.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "e": e,
            "label": audit_search.action_label(e.action),
            "changes": audit_search.changes_text(e.changes),
        }
        for e in page.object_list
    ]
    return render(
        request,
        "core/audit_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": _query_without_page(request),
            "choices": audit_search.audit_choices(user=request.user),
            "export_limit": audit_search.EXPORT_LIMIT,
            "sort": sort,
        },
    )


@login_required
def audit_export(request):
    form, filters, qs, _sort = _search(request)
    body, n = audit_search.export_xlsx(qs)
    # reading the trail in bulk is itself recorded (after the file is built, in the same request)
    audit.record(
        request.user,
        "auditentry.export",
        None,
        {"filters": {k: v for k, v in filters.items() if v}, "rows": n},
        object_type="core.auditentry",
        object_repr=f"导出审计记录 {n} 条",
    )
    resp = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.xlsx"'
    return resp
