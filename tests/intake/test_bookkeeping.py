"""An import marks each matching index stale once and rebuilds the dashboard facts once, in its transaction."""

from __future__ import annotations

import pytest
from xlsx_books import fill_template

from kechuang.intake.engine import kind_for, run_import
from kechuang.intake.template import build_template
from kechuang.needs.models import Need, NeedStageFact

pytestmark = pytest.mark.django_db

ROW = {
    "需求企业": "山东领军科技集团",
    "需求类型": "技术攻关",
    "行业领域/产业链": "新能源新材料",
    "地区": "莱西市",
    "需求背景": "扩产",
    "需解决的主要技术难题": "需要解决高镍正极材料在循环过程中的结构稳定性和产气问题，提升寿命",
    "期望实现的技术目标": "循环 1000 次容量保持率 90% 以上",
    "保密级别": "公开",
}


def test_index_marked_once_and_facts_written_for_every_new_need(world, tmp_path, monkeypatch):
    from kechuang.matching import stale as index  # where the signals mark (ADR 0037, session 8)

    marks = []
    real = index.mark_stale
    monkeypatch.setattr(index, "mark_stale", lambda kind, **kw: (marks.append(kind), real(kind, **kw)))
    template = build_template(kind_for("needs"), world.users["coordinator"])
    rows = [dict(ROW, 项目名称=f"第{i}项正极材料攻关") for i in range(5)]
    report = run_import(
        world.users["coordinator"], "needs", fill_template(template, rows, tmp_path / "n.xlsx"), commit=True
    )
    assert report.committed
    assert marks == ["need"]  # once for the file, not once per row
    new = Need.objects.filter(title__endswith="项正极材料攻关")
    assert new.count() == 5
    assert NeedStageFact.objects.filter(need__in=new).count() == 5


def test_a_preview_marks_nothing(world, tmp_path):
    from kechuang.matching.models import IndexState

    before = list(IndexState.objects.values_list("kind", "version"))
    template = build_template(kind_for("needs"), world.users["coordinator"])
    path = fill_template(template, [dict(ROW, 项目名称="预览中的正极材料攻关")], tmp_path / "p.xlsx")
    assert run_import(world.users["coordinator"], "needs", path).ok
    assert list(IndexState.objects.values_list("kind", "version")) == before


def test_marking_an_index_stale_does_not_import_the_matching_engine():
    """A process that only writes (``import_xlsx --commit``) marks the indexes through
    ``matching.stale``: scipy, jieba, bm25s and the index module are not imported for it (ADR 0037, session 8)."""
    import subprocess
    import sys

    code = (
        "import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.test'); "
        "django.setup(); "
        "from kechuang.intake.engine import kinds; kinds(); "
        "from kechuang.matching.signals import deferred\nwith deferred(): pass\n"
        "print(sorted(m for m in ('scipy', 'jieba', 'bm25s', 'kechuang.matching.index') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
