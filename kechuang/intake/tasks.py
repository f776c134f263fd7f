"""Background work for large imports (django-tasks): the same ``run_batch`` the page runs for small files."""

from __future__ import annotations

from django_tasks import task


@task()
def run_batch_task(batch_id: int, commit: bool) -> None:
    from kechuang.intake.services import run_batch

    run_batch(batch_id, commit=commit)
