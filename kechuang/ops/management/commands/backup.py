"""``manage.py backup --out FILE``: the database (online) and the uploaded files in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand

from kechuang.ops.backup import backup


class Command(BaseCommand):
    help = "备份数据库和上传的附件到一个归档文件（tar.gz）"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="归档文件路径，例如 /var/backups/kechuang/2026-11-30.tar.gz")

    def handle(self, *args, out, **options):
        manifest = backup(Path(out))
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(f"已备份 {len(manifest['tables'])} 张表、{rows} 行到 {out}")
