"""``manage.py db_worker``: django-tasks-db's worker, plus a heartbeat row that ``/healthz`` reads.

Same name and options as django-tasks-db's command (``kechuang.ops`` comes before ``django_tasks_db``
in INSTALLED_APPS, so this one is found first); every deployment's worker beats without a new name.
Before its first task the worker makes one tiny briefing PDF (``warm_up_pdf``), so that a user's first
briefing is not the one that loads WeasyPrint and the fonts; a warm-up that fails is logged and the
worker runs on (docs/adr/0040-briefing-pdf-layout.md, "Warm-up").
"""

from __future__ import annotations

import logging
import os
import time

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from kechuang.ops.heartbeat import Heartbeat

logger = logging.getLogger("kechuang.ops.worker")


def warm_up() -> bool:
    """One throwaway PDF through the briefing's path; never raises (missing fonts, a broken
    WeasyPrint install: the worker must still run every other task). Skipped when fontconfig has
    no font at all: WeasyPrint would then kill the process, not raise."""
    start, cpu = time.perf_counter(), time.process_time()
    try:
        from kechuang.dashboard.exports import warm_up_pdf
        from kechuang.dashboard.pdf import fonts_available

        if not fonts_available():
            logger.warning(
                "未找到任何字体，跳过 PDF 预热（安装 fonts-noto-cjk）/ no fonts at all: PDF warm-up skipped "
                "(install fonts-noto-cjk; PDF jobs will fail)"
            )
            return False
        warm_up_pdf()
    except Exception:
        logger.warning("PDF 预热失败，任务进程照常运行 / PDF warm-up failed, the worker runs on", exc_info=True)
        return False
    logger.info(
        "PDF warm-up done",
        extra={"wall_ms": round((time.perf_counter() - start) * 1000), "cpu_ms": round((time.process_time() - cpu) * 1000)},
    )
    return True


class Command(DbWorkerCommand):
    help = "运行后台任务进程（django-tasks-db），并写入心跳供 /healthz 检查"

    def handle(self, *args, **options):
        reloading_parent = options.get("reload") and not options.get("batch") and (
            os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        )
        if reloading_parent:  # the autoreloader's parent only watches files; its child beats
            return super().handle(*args, **options)
        hb = Heartbeat(options["worker_id"])
        hb.start()  # first: a worker warming up is alive for /healthz
        try:
            warm_up()
            return super().handle(*args, **options)
        finally:
            hb.stop()
