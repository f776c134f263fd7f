"""``manage.py restore FILE``: an archive from ``backup`` into an empty database (``--force`` to overwrite)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kechuang.ops.backup import fingerprints, restore


class Command(BaseCommand):
    help = "从备份归档恢复数据库和附件（目标数据库须为空，或加 --force）"

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--force", action="store_true", help="覆盖已有数据")

    def handle(self, *args, archive, force, **options):
        try:
            manifest = restore(Path(archive), force=force)
        except (RuntimeError, FileNotFoundError) as e:
            raise CommandError(str(e)) from e
        now = fingerprints()
        bad = sorted(t for t, fp in manifest["tables"].items() if now.get(t) != fp)
        if bad:
            raise CommandError(f"恢复后与备份不一致的表：{', '.join(bad)}")
        self.stdout.write(f"已恢复 {len(manifest['tables'])} 张表，行数与校验和与备份一致")
