"""Writes of the import pages: upload a workbook, check it, commit it — each step one transaction.

Checking and committing run the same engine (``engine.run_import``); small files run in the
request, larger ones as a background task whose progress the page polls. Progress is a small file
beside the upload, not a database row: the import holds the database's write lock for its whole
transaction (all or nothing), and the page must be able to read how far it got meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from kechuang.core.audit import record
from kechuang.core.errors import ApplicationError
from kechuang.intake.engine import kind_for, run_import
from kechuang.intake.models import ImportBatch

log = logging.getLogger(__name__)
B = ImportBatch.Status


def sync_limit() -> int:
    """Files up to this size are checked in the request; larger ones in a background task."""
    return getattr(settings, "KECHUANG_IMPORT_SYNC_BYTES", 256 * 1024)


@transaction.atomic
def batch_upload(*, user, kind: str, upload) -> ImportBatch:
    """Keep the uploaded workbook for checking (nothing of its content is read yet)."""
    spec = kind_for(kind)
    if not spec.allowed(user):
        raise ApplicationError(gettext("您的角色不能导入%(label)s。") % {"label": spec.label})
    if upload is None:
        raise ApplicationError(gettext("请选择要上传的 Excel 文件。"), field_errors={"file": [gettext("请选择文件。")]})
    if upload.size > settings.KECHUANG_MAX_UPLOAD_BYTES:
        mb = settings.KECHUANG_MAX_UPLOAD_BYTES // 1048576
        raise ApplicationError(
            gettext("文件过大：不能超过 %(mb)s MB，请拆分后上传。") % {"mb": mb}, field_errors={"file": [gettext("文件过大。")]}
        )
    name = Path(upload.name or "upload.xlsx").name[:255]
    batch = ImportBatch(user=user, kind=kind, filename=name, size=upload.size)
    batch.file.save(name, upload, save=False)
    batch.save()
    record(user, "intake.upload", batch, {"kind": kind, "file": name, "size": upload.size})
    return batch


def start(batch: ImportBatch, *, commit: bool) -> None:
    """Run the check (or the commit) now for a small file, or hand it to a worker."""
    if batch.size <= sync_limit():
        run_batch(batch.pk, commit=commit)
    else:
        from kechuang.intake.tasks import run_batch_task

        run_batch_task.enqueue(batch.pk, commit)


def batch_commit(*, user, batch: ImportBatch) -> ImportBatch:
    """Ask for the checked file to be written; only its uploader, only once, only when it was clean."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.user_id != user.pk:
            raise ApplicationError(gettext("只有上传人可以确认导入。"))
        if batch.status == B.COMMITTED:
            raise ApplicationError(gettext("该文件已经导入过了。"))
        if batch.status != B.CHECKED:
            raise ApplicationError(gettext("该文件尚未通过校验，不能导入。"))
        batch.status = B.COMMITTING
        batch.save(update_fields=["status"])
    start(batch, commit=True)
    batch.refresh_from_db()
    return batch


def progress_path(batch: ImportBatch) -> Path:
    """Where the worker writes how far it got (a directory all web and worker processes share)."""
    folder = Path(
        getattr(settings, "KECHUANG_PROGRESS_DIR", "") or Path(tempfile.gettempdir()) / "kechuang-progress"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"import-{batch.pk}.json"


def read_progress(batch: ImportBatch) -> int:
    try:
        return int(json.loads(progress_path(batch).read_text()).get("rows", 0))
    except (OSError, ValueError):
        return 0


def run_batch(batch_id: int, *, commit: bool) -> None:
    """Check or commit one batch; its status and report say how it ended, whatever happens."""
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    if not commit:
        ImportBatch.objects.filter(pk=batch_id).update(status=B.CHECKING)
    ppath = progress_path(batch)

    def progress(rows: int) -> None:
        with contextlib.suppress(OSError):  # progress is a courtesy; the import does not depend on it
            ppath.write_text(json.dumps({"rows": rows}))

    try:
        # the engine reads a local file; the stored upload may live in any storage backend
        with batch.file.open("rb") as src, tempfile.NamedTemporaryFile(suffix=".xlsx") as local:
            shutil.copyfileobj(src, local)
            local.flush()
            report = run_import(
                batch.user, batch.kind, local.name, commit=commit, progress=progress, filename=batch.filename
            )
    except Exception:
        log.exception("import batch %s failed", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(
            status=B.FAILED,
            finished_at=timezone.now(),
            report={
                "refused": gettext("处理失败：服务器内部错误，文件中的数据一条也没有写入。请联系管理员（已记录日志）。"),
                "ok": False,
                "errors": [],
                "results": [],
            },
        )
        return
    if commit:
        status = B.COMMITTED if report.committed else B.INVALID
    else:
        status = B.CHECKED if report.ok else B.INVALID
    ImportBatch.objects.filter(pk=batch_id).update(
        status=status, report=report.as_dict(), finished_at=timezone.now()
    )
