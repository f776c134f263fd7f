"""``manage.py import_template KIND --out FILE.xlsx [--as USERNAME]``: the template a user fills."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kechuang.core.errors import ApplicationError
from kechuang.intake.engine import kind_for, kinds
from kechuang.intake.template import build_template


class Command(BaseCommand):
    help = "生成某类数据的 Excel 导入模板（表头即表单标签，分类列带下拉列表）。"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="needs / organisations / experts / achievements")
        parser.add_argument("--out", required=True, help="输出文件（.xlsx）")
        parser.add_argument(
            "--as", dest="username", help="以该用户的权限范围生成下拉列表（默认：第一个协调员）"
        )

    def handle(self, *args, kind, out, username, **options):
        try:
            spec = kind_for(kind)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        user = _user(username)
        if not spec.allowed(user):
            raise CommandError(f"用户 {user.username} 不能导入{spec.label}。")
        with open(out, "wb") as fh:
            fh.write(build_template(spec, user))
        self.stdout.write(f"已生成{spec.label}导入模板：{out}（可导入的类型：{'、'.join(kinds())}）")


def _user(username):
    User = get_user_model()
    if username:
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"没有启用的用户 {username}。") from None
    user = User.objects.filter(is_active=True, role="coordinator").order_by("pk").first()
    if user is None:
        raise CommandError("请用 --as 指定用户。")
    return user
