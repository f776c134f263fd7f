"""``manage.py notify_due``: the day's reminders in the notification centre (milestones due, stalled needs)."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "生成当天的提醒通知（协议里程碑到期、需求停滞）；可重复运行，不会重复提醒。"

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务队列（django-tasks）执行")

    def handle(self, *args, enqueue=False, **opts):
        if enqueue:
            from kechuang.notifications.tasks import send_due_reminders

            result = send_due_reminders.enqueue()
            self.stdout.write(self.style.SUCCESS(f"已加入任务队列：{result.id}"))
            return
        from kechuang.notifications.services import notify_due

        c = notify_due()
        self.stdout.write(
            self.style.SUCCESS(f"新增提醒：里程碑到期 {c['milestone_due']} 条，需求停滞 {c['need_stalled']} 条。")
        )
