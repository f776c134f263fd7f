"""``/healthz`` and the pages of long jobs.

``/healthz`` is for load balancers, nginx and monitoring: JSON, 200 when the service can serve, else 503.

Anonymous on purpose (probes carry no session); it reports counts and states, never names or data.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kechuang.ops import jobs
from kechuang.ops.health import health
from kechuang.ops.models import Job


@never_cache
@require_GET
def healthz(request):
    ok, body = health()
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})


@login_required
def bench_bare(request):
    """bench/load's baseline: login_required and a constant body through the whole middleware stack
    (mounted only with ``KECHUANG_BENCH_BARE``)."""
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


# ---------------------------------------------------------------- long jobs (kechuang.ops.jobs)


@login_required
@require_POST
def start_agendas(request, pk: int):
    job = jobs.job_start(user=request.user, kind=Job.Kind.AGENDAS_PDF, params={"event": pk})
    return redirect("ops:job", job.pk)


@login_required
@require_POST
def start_grid(request, pk: int):
    job = jobs.job_start(user=request.user, kind=Job.Kind.GRID_PDF, params={"event": pk})
    return redirect("ops:job", job.pk)


@login_required
@require_POST
def start_briefing(request):
    job = jobs.job_start(
        user=request.user, kind=Job.Kind.BRIEFING_PDF, params=jobs.briefing_params(request.GET)
    )
    return redirect("ops:job", job.pk)


@login_required
def job(request, pk):
    return render(request, "ops/job.html", {"job": jobs.job_get(user=request.user, pk=pk)})


@never_cache
@login_required
def job_status(request, pk):
    return render(request, "ops/_job_status.html", {"job": jobs.job_get(user=request.user, pk=pk)})


@login_required
def job_download(request, pk):
    j = jobs.job_get(user=request.user, pk=pk)
    if j.status != Job.Status.DONE or not j.file:
        raise Http404
    return FileResponse(
        j.file.open("rb"), as_attachment=True, filename=j.filename, content_type=j.content_type
    )
