"""``manage.py db_worker``: django-tasks-db's worker, plus a heartbeat row that ``/healthz`` reads.

Same name and options as django-tasks-db's command (``kechuang.ops`` comes before ``django_tasks_db``
in INSTALLED_APPS, so this one is found first); every deployment's worker beats without a new name.
"""

from __future__ import annotations

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from kechuang.ops.heartbeat import Heartbeat


class Command(DbWorkerCommand):
    help = "运行后台任务进程（django-tasks-db），并写入心跳供 /healthz 检查"

    def handle(self, *args, **options):
        reloading_parent = options.get("reload") and not options.get("batch") and (
            os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        )
        if reloading_parent:  # the autoreloader's parent only watches files; its child beats
            return super().handle(*args, **options)
        hb = Heartbeat(options["worker_id"])
        hb.start()
        try:
            return super().handle(*args, **options)
        finally:
            hb.stop()
