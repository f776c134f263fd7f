"""Dashboard pages: parse the filters, resolve the scope (404 outside it), render figures and exports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from kechuang.dashboard import exports, selectors
from kechuang.dashboard.briefing import detail_sentence, summary_sentence
from kechuang.dashboard.cache import cached_dashboard, cached_export
from kechuang.dashboard.forms import DashboardFilterForm


def _scope(request):
    if not selectors.can_view_dashboard(request.user):
        raise Http404
    form = DashboardFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    if form.is_bound and "district" in form.errors:
        raise Http404  # an area outside the user's scope (or unknown) is not found, not forbidden
    scope = selectors.dashboard_scope(
        user=request.user, district=data.get("district") or None, start=data.get("start"), end=data.get("end")
    )
    return scope, form


@login_required
def index(request):
    scope, form = _scope(request)
    d = cached_dashboard(request.user, scope)
    h = selectors.headline_tuple(d.headline)
    query = request.GET.urlencode()
    return render(
        request,
        "dashboard/index.html",
        {
            "d": d,
            "h": d.headline,
            "form": form,
            "summary": summary_sentence(h, period=scope.period, area=scope.area_name),
            "detail": detail_sentence(h),
            "charts": exports.chart_data(d),
            "gap_labels": selectors.GAP_LABELS,
            "agreements": selectors.recent_agreements(request.user, scope, 8),
            "query": query,
            "thin_ratio": selectors.THIN_RATIO,
        },
    )


def _filename(scope, ext: str) -> str:
    return f"briefing-{scope.area_code or 'city'}-{scope.end:%Y%m%d}.{ext}"


@login_required
def export_xlsx(request):
    scope, _ = _scope(request)
    body = cached_export("xlsx", request.user, scope, exports.briefing_xlsx)
    resp = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="{_filename(scope, "xlsx")}"'
    return resp


@login_required
def export_pdf(request):
    scope, _ = _scope(request)
    body = cached_export("pdf", request.user, scope, exports.briefing_pdf)
    resp = HttpResponse(body, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="{_filename(scope, "pdf")}"'
    return resp
