"""The import pages: choose a kind, download its template, upload, read the report, commit."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from kechuang.core.errors import ApplicationError
from kechuang.core.http import error_text
from kechuang.intake import selectors, services
from kechuang.intake.forms import UploadForm
from kechuang.intake.models import ImportBatch
from kechuang.intake.template import build_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ROWS = 500  # rows of a report shown in the page; the rest are counted


@login_required
@require_http_methods(["GET", "POST"])
def home(request):
    kinds = selectors.importable_kinds(request.user)
    if not kinds:
        raise Http404
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_upload(
                user=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except ApplicationError as e:
            messages.error(request, error_text(e))
        else:
            services.start(batch, commit=False)
            return redirect("intake:batch", batch.pk)
    return render(
        request,
        "intake/home.html",
        {
            "kinds": kinds,
            "form": form,
            "batches": selectors.batches_for(request.user),
        },
    )


@login_required
def template(request, kind: str):
    kinds = selectors.importable_kinds(request.user)
    if kind not in kinds:
        raise Http404
    spec = kinds[kind]
    response = HttpResponse(build_template(spec, request.user), content_type=XLSX)
    name = gettext("%(label)s导入模板.xlsx") % {"label": spec.label}
    response["Content-Disposition"] = (
        f"attachment; filename=\"{kind}-template.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response


def _context(request, batch):
    report = batch.report or {}
    errors = report.get("errors", [])
    results = report.get("results", [])
    unlisted = report.get("unlisted") or {}  # rows counted, not kept (Report.listed)
    counts = {a: sum(1 for r in results if r["action"] == a) + unlisted.get(a, 0) for a in ("create", "update", "skip")}
    return {
        "batch": batch,
        "report": report,
        "errors": errors[:SHOWN_ROWS],
        "more_errors": max(0, len(errors) - SHOWN_ROWS),
        "results": results[:SHOWN_ROWS],
        "more_results": max(0, len(results) - SHOWN_ROWS) + sum(unlisted.values()),
        "duplicates": [r for r in results if r.get("duplicates")][:SHOWN_ROWS],
        "counts": counts,
        "progress": services.read_progress(batch) if batch.busy else None,
        "can_commit": batch.status == ImportBatch.Status.CHECKED and batch.user_id == request.user.pk,
        "kinds": selectors.importable_kinds(request.user),
    }


@login_required
def batch(request, pk: int):
    b = selectors.batch_for(request.user, pk)
    template_name = "intake/_batch_body.html" if request.headers.get("HX-Request") else "intake/batch.html"
    return render(request, template_name, _context(request, b))


@login_required
@require_POST
def commit(request, pk: int):
    b = selectors.batch_for(request.user, pk)
    try:
        b = services.batch_commit(user=request.user, batch=b)
    except ApplicationError as e:
        messages.error(request, error_text(e))
    else:
        if b.status == ImportBatch.Status.COMMITTED:
            messages.success(request, b.report.get("summary", gettext("已导入。")))
        elif b.status == ImportBatch.Status.INVALID:
            messages.error(
                request, gettext("导入时发现错误（数据可能在校验后被他人修改），整个文件未导入，详见下方报告。")
            )
    return redirect("intake:batch", b.pk)
