"""``manage.py reindex``: rebuild the matching indexes (stored vectors) with a progress bar."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from kechuang.matching import index as idx


class Command(BaseCommand):
    help = "重建匹配索引（计算并保存向量）。Rebuild the matching indexes and store their vectors."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=idx.KINDS, action="append", help="只重建这一类（可重复）")
        parser.add_argument("--lexical-only", action="store_true", help="不计算向量，仅关键词索引")
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务（db_worker）执行，立即返回")
        parser.add_argument(
            "--if-needed", action="store_true", help="与 --enqueue 合用：跳过已排队的索引，以及已用当前模型建好的索引"
        )

    def handle(self, *args, kind=None, lexical_only=False, enqueue=False, if_needed=False, **opts):
        kinds = kind or list(idx.KINDS)
        if enqueue:
            # a ready index built with another model (an upgrade changed the embedder) is needed too
            current = "" if lexical_only or not if_needed else idx.current_model_version()
            queued = []
            for k in kinds:
                st = idx.state(k)
                ready = st.status == st.Status.READY and (st.model_version or "") == current
                if if_needed and (st.queued or ready):
                    continue
                idx.mark_stale(k, enqueue=False)
                idx.enqueue_reindex(k, lexical_only)
                queued.append(k)
            self.stdout.write(self.style.SUCCESS(f"已排队重建索引：{'、'.join(queued) or '无需重建'}"))
            return
        failed = []
        for k in kinds:
            bar = tqdm(desc=f"{k:<11}", unit="段", total=0, disable=opts.get("verbosity", 1) == 0)

            def progress(done, total, bar=bar):
                if bar.total != total:
                    bar.total = total
                bar.n = done
                bar.refresh()

            try:
                r = idx.reindex(k, lexical_only=lexical_only, on_progress=progress)
            except Exception as exc:
                bar.close()
                failed.append(k)
                self.stderr.write(self.style.ERROR(f"{k}: 构建失败：{type(exc).__name__}: {exc}"))
                continue
            bar.close()
            note = f"；{'；'.join(r.warnings)}" if r.warnings else ""
            self.stdout.write(
                self.style.SUCCESS(
                    f"{k}: {r.candidates} 个候选，{r.vectors} 个向量（新计算 {r.embedded}）"
                    f"{'，模型 ' + r.model_name if r.model_name else ''}{note}"
                )
            )
        if failed:
            raise CommandError(f"索引构建失败：{'、'.join(failed)}")
