"""Long jobs as background tasks: start (checks access now), claim (once), run (progress), finish.

Each kind has a ``check(user, params)`` that the start view runs in the request — a user who may
not see the event or the dashboard gets the same 404 as the page — and a ``build(user, params,
progress)`` that the worker runs with the job owner's visibility, returning (bytes, filename,
content type). The file is stored under MEDIA_ROOT/jobs/<id>/ and only its owner may download it.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _

from kechuang.core.audit import record
from kechuang.core.errors import ApplicationError
from kechuang.ops.models import Job

log = logging.getLogger("kechuang.ops.jobs")
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class JobKind:
    check: Callable  # (user, params) -> None, raises Http404
    build: Callable  # (user, params, progress) -> (bytes, filename, content_type)


# ---------------------------------------------------------------- the kinds of job
def _event(user, params):
    from kechuang.events import selectors
    from kechuang.events.models import Event

    try:
        event = selectors.event_get(user=user, pk=int(params["event"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise Http404 from exc
    if event.kind != Event.Kind.MATCHMAKING:
        raise Http404
    return event


def _agendas(user, params, progress: Progress):
    from kechuang.events import exports, selectors
    from kechuang.events.models import Participant

    event = _event(user, params)
    progress(10, _("读取参会人"))
    ps = [
        p
        for p in selectors.participant_list(user=user, event=event).filter(status="registered")
        if p.kind != Participant.Kind.LIAISON
    ]
    if not ps:
        raise ApplicationError(_("没有可打印的个人议程：本场活动还没有已报名的企业或专家。"))
    progress(30, ngettext("排版 %(n)d 份个人议程", "排版 %(n)d 份个人议程", len(ps)) % {"n": len(ps)})
    return exports.agendas_pdf(user, ps), gettext("%(title)s-全部议程.pdf") % {"title": event.title}, "application/pdf"


def _grid(user, params, progress: Progress):
    from kechuang.events import exports

    event = _event(user, params)
    progress(30, _("排版总排期"))
    return exports.grid_pdf(user, event), gettext("%(title)s-总排期.pdf") % {"title": event.title}, "application/pdf"


def _briefing_scope(user, params):
    from kechuang.dashboard import selectors
    from kechuang.dashboard.forms import DashboardFilterForm

    if not selectors.can_view_dashboard(user):
        raise Http404
    query = QueryDict(params.get("query", ""))
    form = DashboardFilterForm(query or None, user=user)
    data = form.cleaned_data if form.is_valid() else {}
    if form.is_bound and "district" in form.errors:
        raise Http404
    return selectors.dashboard_scope(
        user=user, district=data.get("district") or None, start=data.get("start"), end=data.get("end")
    )


def _briefing(user, params, progress: Progress):
    from kechuang.dashboard import exports

    scope = _briefing_scope(user, params)
    progress(20, _("汇总数据"))
    body = exports.briefing_pdf(user, scope)
    return body, f"briefing-{scope.area_code or 'city'}-{scope.end:%Y%m%d}.pdf", "application/pdf"


KINDS: dict[str, JobKind] = {
    Job.Kind.AGENDAS_PDF: JobKind(check=_event, build=_agendas),
    Job.Kind.GRID_PDF: JobKind(check=_event, build=_grid),
    Job.Kind.BRIEFING_PDF: JobKind(check=_briefing_scope, build=_briefing),
}


def briefing_params(query: QueryDict) -> dict:
    return {"query": urlencode(sorted((k, v) for k, v in query.items() if k in ("district", "start", "end")))}


# ---------------------------------------------------------------- services
def job_start(*, user, kind: str, params: dict) -> Job:
    """Check access now (404 like the page), record the job and queue it, in one transaction."""
    from kechuang.ops.tasks import run_job

    if kind not in KINDS:
        raise Http404
    KINDS[kind].check(user, params)
    with transaction.atomic():
        job = Job.objects.create(id=uuid.uuid4(), kind=kind, params=params, user=user)
        record(user, "job.start", job, {"kind": kind, "params": params})
        # the queue row is written in the same transaction: a worker sees the job only once it exists
        run_job.enqueue(str(job.pk))
    job.refresh_from_db()
    return job


def job_claim(job_id, worker: str) -> bool:
    """QUEUED → RUNNING in one conditional UPDATE; True for exactly one caller."""
    with transaction.atomic():
        return bool(
            Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
                status=Job.Status.RUNNING, started_at=timezone.now(), worker=worker[:100], progress=5,
                stage=_("开始生成"),
            )
        )


def _progress(job_id) -> Progress:
    def update(percent: int, stage: str) -> None:
        Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(progress=min(percent, 99), stage=stage[:100])

    return update


def job_run(job_id, worker: str | None = None) -> str:
    """Claim and run one job; returns its final status ("skipped" when another worker has it)."""
    worker = worker or f"{socket.gethostname()}:{os.getpid()}"
    if not job_claim(job_id, worker):
        return "skipped"
    job = Job.objects.select_related("user").get(pk=job_id)
    try:
        body, filename, content_type = KINDS[job.kind].build(job.user, job.params, _progress(job.pk))
    except ApplicationError as e:
        return _fail(job, e.message)
    except Http404:
        return _fail(job, _("您已无权访问该对象，或它已被删除。"))
    except Exception:  # a bug: the person gets a readable message with the job id, the log gets the trace
        log.exception("job %s (%s) failed", job.pk, job.kind)
        return _fail(job, _("生成文件时出错，已记录在服务器日志中（任务编号 %(id)s）。请稍后重试或联系管理员。") % {"id": job.pk})
    with transaction.atomic():
        job.file.save(filename, ContentFile(body), save=False)
        job.filename, job.content_type = filename, content_type
        job.status, job.progress, job.stage, job.finished_at = Job.Status.DONE, 100, _("已完成"), timezone.now()
        job.save(update_fields=["file", "filename", "content_type", "status", "progress", "stage", "finished_at"])
    return job.status


def _fail(job: Job, message: str) -> str:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, error=message, stage=_("失败"), finished_at=timezone.now()
    )
    return Job.Status.FAILED


# ---------------------------------------------------------------- selectors
def job_get(*, user, pk) -> Job:
    from kechuang.core.access import restrict

    try:
        return restrict(Job.objects.filter(user=user), user).get(pk=pk)
    except (Job.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
