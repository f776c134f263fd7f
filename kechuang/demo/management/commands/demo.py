"""``manage.py demo``: load the deterministic demo scenario (fictional data, clearly marked)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kechuang.demo import loader

LOGINS = [
    ("coordinator", "demo-coord-2026", "市科协协调员"),
    ("district", "demo-district-2026", "莱西市工作人员"),
    ("enterprise", "demo-ent-2026", "企业联系人（山东领军科技集团）"),
    ("liaison", "demo-liaison-2026", "学会联络员（中国材料研究学会）"),
    ("expert", "demo-expert-2026", "专家（石墨烯材料）"),
    ("leadership", "demo-lead-2026", "领导（只读）"),
]


class Command(BaseCommand):
    help = "载入演示场景（虚构数据）。--if-empty：仅当数据库为空时载入。"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="数据库已有数据时跳过")
        parser.add_argument("--seed", type=int, default=20201129)
        parser.add_argument("--logins", action="store_true", help="只打印演示账号")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="明确允许在生产配置下载入演示数据（仅用于搭建独立的演示站点）",
        )

    def handle(self, *args, **opts):
        if is_production() and not opts["allow_production"]:
            # The demo creates logins with published passwords: never in a production database.
            raise CommandError(
                "当前为生产环境配置（KECHUANG_ENV=production，DEBUG 关闭），拒绝载入演示数据："
                "演示账号的密码是公开的。如确需搭建独立的演示站点，请加 --allow-production。"
            )
        if not opts["logins"]:
            if not loader.database_is_empty():
                if opts["if_empty"]:
                    self.stdout.write("数据库已有数据，跳过载入演示场景。")
                else:
                    raise CommandError(
                        "数据库不为空：演示场景只能载入空数据库（可删除 var/kechuang.sqlite3 后重试）。"
                    )
            else:
                from kechuang.demo.scenario import build_scenario, scenario_summary

                s = build_scenario(opts["seed"])
                loader.load_scenario(s)
                summary = scenario_summary(s)
                self.stdout.write(self.style.SUCCESS("演示场景已载入（数据均为虚构）："))
                for k, v in summary.items():
                    if not isinstance(v, dict):
                        self.stdout.write(f"  {k}: {v}")
        self.stdout.write("\n演示账号（http://127.0.0.1:8000）：")
        for u, p, label in LOGINS:
            self.stdout.write(f"  {label:<24} 用户名 {u:<12} 密码 {p}")


def is_production() -> bool:
    return getattr(settings, "KECHUANG_ENV", "development") == "production" and not settings.DEBUG
