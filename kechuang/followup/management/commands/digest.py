"""``manage.py digest``: e-mail the daily digest of stalled needs (owners: theirs; coordinators: all)."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "发送每日停滞需求提醒邮件（负责人收到自己的停滞需求，协调员收到全部）。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计，不发送")
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务队列（django-tasks）发送")

    def handle(self, *args, dry_run=False, enqueue=False, **opts):
        if enqueue:
            from kechuang.followup.tasks import send_stalled_digest

            result = send_stalled_digest.enqueue()
            self.stdout.write(self.style.SUCCESS(f"已加入任务队列：{result.id}"))
            return
        from kechuang.followup.digest import send_digest
        from kechuang.notifications.services import notify_due

        if not dry_run:  # the same day's reminders in the notification centre (milestones due, stalled needs)
            c = notify_due()
            self.stdout.write(f"站内提醒：里程碑到期 {c['milestone_due']} 条，需求停滞 {c['need_stalled']} 条。")
        r = send_digest(dry_run=dry_run)
        verb = "将发送" if dry_run else "已发送"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {r.messages} 封提醒邮件，涉及停滞需求 {r.needs} 项；{r.skipped_no_email} 位收件人没有邮箱，已跳过。"
            )
        )
