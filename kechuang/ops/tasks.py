"""Background work of the ops app (django-tasks): run one long job."""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: str) -> str:
    from kechuang.ops.jobs import job_run

    return job_run(job_id)
