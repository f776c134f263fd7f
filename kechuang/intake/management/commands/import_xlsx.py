"""``manage.py import_xlsx KIND FILE.xlsx --as USERNAME [--commit]``: the page's importer, on the command line.

Prints the validation report (one line per wrong cell: "第N行 …"), the preview counts, and exits
non-zero when the file is refused or any row is wrong. Writes only with ``--commit``, all or nothing.
``--max-rows N`` lets an operator on the server import a sheet longer than the page accepts (a society's
论文 list of 250,000 rows): the sheet is streamed, so the row limit guards time, not memory (ADR 0019).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kechuang.core.errors import ApplicationError
from kechuang.intake.engine import run_import
from kechuang.intake.workbook import DEFAULT_LIMITS


class Command(BaseCommand):
    help = "从 Excel 导入需求、专家、成果或组织：先校验并预览，加 --commit 才写入（全部成功或全部不写）。"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="needs / organisations / experts / achievements")
        parser.add_argument("file", help="Excel 工作簿（.xlsx）")
        parser.add_argument("--as", dest="username", required=True, help="以该用户的身份和权限导入")
        parser.add_argument("--commit", action="store_true", help="校验全部通过后写入数据库")
        parser.add_argument("--quiet-progress", action="store_true", help="不显示进度条")
        parser.add_argument(
            "--max-rows",
            type=_positive,
            default=DEFAULT_LIMITS.max_rows,
            help=f"每个工作表最多读取的数据行数（默认 {DEFAULT_LIMITS.max_rows}，与网页导入相同）",
        )

    def handle(self, *args, kind, file, username, commit, quiet_progress, max_rows, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"没有启用的用户 {username}。") from None
        progress = None if quiet_progress else _bar(self.stderr)
        try:
            limits = dataclasses.replace(DEFAULT_LIMITS, max_rows=max_rows)
            report = run_import(user, kind, file, commit=commit, progress=progress, limits=limits)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{file}") from None
        if progress:
            self.stderr.write("")
        for line in report.lines():
            self.stdout.write(line)
        for r in report.results:
            if r.action != "skip" or r.reason != "与平台中的记录一致":
                verb = {"create": "新建", "update": "更新", "skip": "跳过"}[r.action]
                self.stdout.write(
                    f"  第{r.row}行 {verb}：{r.label}" + (f"（{r.reason}）" if r.reason else "")
                )
        if report.unlisted:
            more = "，".join(
                f"{verb} {report.unlisted[a]} 行"
                for a, verb in (("create", "新建"), ("update", "更新"), ("skip", "跳过"))
                if report.unlisted.get(a)
            )
            self.stdout.write(f"  另有 {sum(report.unlisted.values())} 行未逐行列出（{more}）。")
        if not report.ok:
            sys.exit(1)
        if not commit:
            self.stdout.write("校验通过，未写入数据库；确认无误后加 --commit 导入。")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"“{text}”不是正整数。")
    return value


def _bar(stream):
    def progress(done):
        stream.write(f"\r已处理 {done} 行", ending="")
        stream.flush()

    return progress
