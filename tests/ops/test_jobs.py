"""Long jobs as background tasks: access checked at the start, progress, the file or a readable
error at the end, the owner alone sees it, and two workers never run the same job."""

from __future__ import annotations

import uuid

import pytest
from django.http import Http404

from kechuang.core.errors import ApplicationError
from kechuang.ops import jobs
from kechuang.ops.models import Job

pytestmark = pytest.mark.django_db


def _queued(user, kind=Job.Kind.BRIEFING_PDF, params=None) -> Job:
    return Job.objects.create(id=uuid.uuid4(), kind=kind, params=params or {"query": ""}, user=user)


def test_briefing_job_runs_and_its_owner_downloads_the_pdf(client_for, world):
    client = client_for("coordinator")
    r = client.post("/jobs/briefing/?district=&junk=1")
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "done" and job.progress == 100 and job.filename.endswith(".pdf")  # immediate backend
    page = client.get(r["Location"]).content.decode()
    assert "下载文件" in page and 'hx-trigger="every 1s"' not in page  # finished: no more polling
    d = client.get(f"/jobs/{job.pk}/download")
    assert d.status_code == 200 and b"".join(d.streaming_content).startswith(b"%PDF")
    assert "attachment" in d["Content-Disposition"]

    # somebody else — even another coordinator-level user — gets 404 for the job, its status and its file
    other = client_for("leadership")
    for url in (f"/jobs/{job.pk}/", f"/jobs/{job.pk}/status", f"/jobs/{job.pk}/download"):
        assert other.get(url).status_code == 404


def test_starting_is_refused_like_the_page_itself(client_for):
    assert client_for("enterprise").post("/jobs/briefing/").status_code == 404
    assert client_for("coordinator").post("/jobs/agendas/987654/").status_code == 404
    assert not Job.objects.exists()


def test_a_running_job_polls_and_shows_its_progress(client_for, world):
    job = _queued(world.users["district"])
    jobs.job_claim(job.pk, "w")
    jobs._progress(job.pk)(40, "汇总数据")
    html = client_for("district").get(f"/jobs/{job.pk}/status").content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html and "汇总数据" in html


def test_a_refusal_ends_as_a_readable_error(world, monkeypatch):
    def refuse(user, params, progress):
        raise ApplicationError("没有可打印的个人议程：本场活动还没有已报名的企业或专家。")

    monkeypatch.setitem(jobs.KINDS, Job.Kind.AGENDAS_PDF, jobs.JobKind(check=lambda u, p: None, build=refuse))
    job = _queued(world.users["coordinator"], Job.Kind.AGENDAS_PDF, {"event": 1})
    assert jobs.job_run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.error.startswith("没有可打印的个人议程") and job.finished_at and not job.file


def test_a_bug_ends_as_an_error_with_the_job_id_and_the_trace_in_the_log(world, monkeypatch, caplog):
    def broken(user, params, progress):
        raise ZeroDivisionError("bug")

    monkeypatch.setitem(jobs.KINDS, Job.Kind.GRID_PDF, jobs.JobKind(check=lambda u, p: None, build=broken))
    job = _queued(world.users["coordinator"], Job.Kind.GRID_PDF, {"event": 1})
    assert jobs.job_run(job.pk) == "failed"
    job.refresh_from_db()
    assert str(job.pk) in job.error and "ZeroDivisionError" not in job.error
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def test_access_lost_before_the_worker_runs_it_is_a_readable_error(world, monkeypatch):
    def gone(user, params, progress):
        raise Http404

    monkeypatch.setitem(jobs.KINDS, Job.Kind.GRID_PDF, jobs.JobKind(check=lambda u, p: None, build=gone))
    job = _queued(world.users["district"], Job.Kind.GRID_PDF, {"event": 1})
    assert jobs.job_run(job.pk) == "failed"
    job.refresh_from_db()
    assert "无权访问" in job.error


def test_a_job_runs_once_even_when_delivered_twice(world):
    job = _queued(world.users["coordinator"])
    assert jobs.job_run(job.pk, "w1") == "done"
    assert jobs.job_run(job.pk, "w2") == "skipped"
    job.refresh_from_db()
    assert job.worker == "w1"


def test_two_workers_claiming_at_the_same_moment_one_wins(db_conf):
    from race import in_thread, race, shared_build_world

    def setup():
        w = shared_build_world()
        return [str(_queued(w.users["coordinator"]).pk) for _ in range(5)]

    ids = in_thread(setup, db_conf)
    for job_id in ids:
        results = race([lambda j=job_id: jobs.job_claim(j, "w1"), lambda j=job_id: jobs.job_claim(j, "w2")], db_conf)
        assert sorted(v for _, v in results) == [False, True], results

    def workers():
        return list(Job.objects.filter(pk__in=ids).values_list("status", flat=True))

    assert in_thread(workers, db_conf) == ["running"] * 5
