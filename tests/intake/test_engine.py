"""The Excel importer: template → report → preview → commit, all or nothing, inside the user's scope."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from xlsx_books import NEED_PROBLEM, fill_template, need_row

from kechuang.core.models import AuditEntry
from kechuang.intake.engine import kind_for, run_import
from kechuang.intake.template import build_template
from kechuang.needs.models import Need

pytestmark = pytest.mark.django_db

PROBLEM = NEED_PROBLEM


row = need_row


@pytest.fixture
def template(world):
    return build_template(kind_for("needs"), world.users["coordinator"])


def test_template_headers_are_the_forms_labels_with_drop_downs(world, template):
    wb = load_workbook(io.BytesIO(template))
    ws = wb["需求"]
    headers = [str(c.value).replace(" *", "") for c in ws[2] if c.value]
    for h in (
        "需求企业",
        "项目名称",
        "需求类型",
        "行业领域/产业链",
        "地区",
        "需求背景",
        "需解决的主要技术难题",
        "期望实现的技术目标",
        "关键词",
        "预算下限（万元）",
        "预算上限（万元）",
        "期限",
        "保密级别",
    ):
        assert h in headers
    assert ws["B2"].comment is not None  # every header says what to write
    lists = wb["选项"]
    assert lists.sheet_state == "hidden"
    values = {c.value for col in lists.iter_cols() for c in col}
    assert {"新能源新材料", "莱西市", "公开"} <= values
    assert len(ws.data_validations.dataValidation) >= 4  # enterprise, kind, chain, district, confidentiality


def test_the_empty_template_reads_back_as_zero_rows(world, template, tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(template)
    report = run_import(world.users["coordinator"], "needs", path)
    assert report.ok and report.rows == 0


def test_valid_rows_preview_writes_nothing_and_commit_writes_them_once(world, template, tmp_path):
    path = fill_template(
        template,
        [row(), row("盐碱地智能播种装备研制", **{"行业领域/产业链": "现代农业与农机装备"})],
        tmp_path / "n.xlsx",
    )
    before = Need.objects.count()
    preview = run_import(world.users["coordinator"], "needs", path)
    assert preview.ok and preview.count("create") == 2 and not preview.committed
    assert Need.objects.count() == before
    done = run_import(world.users["coordinator"], "needs", path, commit=True)
    assert done.committed and done.count("create") == 2
    need = Need.objects.get(title="高镍正极材料稳定性提升")
    assert need.keywords == ["高镍", "正极材料", "循环寿命"]
    assert need.deadline == date(2031, 6, 30) and need.budget_max == 200
    assert need.status == "submitted" and need.history.count() == 1
    assert AuditEntry.objects.filter(action="intake.commit").count() == 1
    assert AuditEntry.objects.filter(action="need.submit", object_id=str(need.pk)).exists()
    again = run_import(world.users["coordinator"], "needs", path, commit=True)
    assert again.count("create") == 0 and again.count("skip") == 2
    assert Need.objects.count() == before + 2


def test_a_changed_row_updates_the_need_it_names(world, template, tmp_path):
    run_import(
        world.users["coordinator"],
        "needs",
        fill_template(template, [row()], tmp_path / "a.xlsx"),
        commit=True,
    )
    changed = fill_template(template, [row(**{"预算上限（万元）": 300})], tmp_path / "b.xlsx")
    report = run_import(world.users["coordinator"], "needs", changed, commit=True)
    assert report.count("update") == 1 and "预算上限" in report.results[0].reason
    assert Need.objects.get(title="高镍正极材料稳定性提升").budget_max == 300


def test_any_wrong_row_writes_nothing_and_each_error_names_row_and_column(world, template, tmp_path):
    rows = [
        row(),
        row("盐碱地智能播种装备", **{"地区": "火星"}),
        row("短", **{"需求类型": "随便"}),
        row("智能产线视觉检测", **{"预算下限（万元）": "很多"}),
    ]
    path = fill_template(template, rows, tmp_path / "bad.xlsx")
    before = Need.objects.count()
    report = run_import(world.users["coordinator"], "needs", path, commit=True)
    assert not report.ok and not report.committed
    assert Need.objects.count() == before
    lines = report.lines()
    assert any(line.startswith("第4行") and "地区" in line and "火星" in line for line in lines)
    assert any(line.startswith("第5行") and "需求类型" in line for line in lines)
    assert any(
        line.startswith("第5行") and "项目名称" in line and "至少填写 4 个字" in line for line in lines
    ), lines
    assert any(line.startswith("第6行") and "请输入整数金额" in line for line in lines)
    assert not any(line.startswith("第3行") for line in lines[:-1])
    err = next(e for e in report.errors if e.row == 4)
    assert err.letter == "E"  # the column as Excel shows it


def test_formulas_are_refused_cell_by_cell(world, template, tmp_path):
    path = fill_template(
        template, [row(**{"需求背景": '=HYPERLINK("http://evil","点我")'})], tmp_path / "f.xlsx"
    )
    report = run_import(world.users["coordinator"], "needs", path, commit=True)
    assert not report.ok and "不接受公式" in report.errors[0].message


def test_same_key_twice_in_one_file_is_an_error(world, template, tmp_path):
    path = fill_template(template, [row(), row()], tmp_path / "d.xlsx")
    report = run_import(world.users["coordinator"], "needs", path)
    assert [e.row for e in report.errors] == [4] and "与第3行重复" in report.errors[0].message


def test_likely_duplicates_are_flagged_for_a_person(world, template, tmp_path):
    path = fill_template(template, [row("石墨烯规模化制备技术")], tmp_path / "s.xlsx")  # cf. 石墨烯规模化制备
    report = run_import(world.users["coordinator"], "needs", path)
    assert report.ok and report.count("create") == 1
    assert report.duplicates and "石墨烯规模化制备" in report.duplicates[0].duplicates[0]


def test_a_district_imports_only_into_its_own_area(world, tmp_path):
    district = world.users["district"]
    template = build_template(kind_for("needs"), district)
    assert "崂山区" not in {
        c.value for col in load_workbook(io.BytesIO(template))["选项"].iter_cols() for c in col
    }
    path = fill_template(template, [row(**{"地区": "崂山区"})], tmp_path / "x.xlsx")
    report = run_import(district, "needs", path, commit=True)
    assert not report.ok and report.errors[0].column == "地区"
    path2 = fill_template(
        template, [row("崂山企业的需求", **{"需求企业": "崂山某农机公司"})], tmp_path / "y.xlsx"
    )
    report2 = run_import(district, "needs", path2, commit=True)
    assert not report2.ok and report2.errors[0].column == "需求企业"


def test_roles_that_cannot_submit_needs_cannot_import_them(world, template, tmp_path):
    path = fill_template(template, [row()], tmp_path / "n.xlsx")
    for role in ("liaison", "expert", "leadership"):
        report = run_import(world.users[role], "needs", path, commit=True)
        assert report.refused and not report.committed


def test_a_confidential_duplicate_is_named_only_as_the_reader_may_see_it(world, tmp_path):
    """An enterprise sees its own confidential need; the label helper decides, not the importer."""
    ent = world.users["enterprise"]
    template = build_template(kind_for("needs"), ent)
    r = row("保密的石墨烯配方改进")
    r.pop("需求企业")
    report = run_import(ent, "needs", fill_template(template, [r], tmp_path / "e.xlsx"))
    assert report.ok
    assert any("保密的石墨烯配方" in d for d in report.duplicates[0].duplicates)


def test_a_crash_mid_import_leaves_nothing(world, template, tmp_path, monkeypatch):
    rows = [row(f"第{i}个正极材料攻关项目") for i in range(5)]
    path = fill_template(template, rows, tmp_path / "c.xlsx")
    from kechuang.needs import intake as needs_intake

    real = needs_intake.services.need_submit
    calls = {"n": 0}

    def dying(**kw):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("killed")
        return real(**kw)

    monkeypatch.setattr(needs_intake.services, "need_submit", dying)
    before = Need.objects.count()
    with pytest.raises(RuntimeError):
        run_import(world.users["coordinator"], "needs", path, commit=True, bulk=False)
    assert Need.objects.count() == before


def test_a_crash_inside_the_bulk_write_leaves_nothing(world, template, tmp_path, monkeypatch):
    """The bulk path dies after the needs and their history are inserted, before the audit entries."""
    from kechuang.core.models import AuditEntry
    from kechuang.needs import services
    from kechuang.needs.models import NeedStatusChange

    path = fill_template(template, [row(f"第{i}个正极材料攻关项目") for i in range(5)], tmp_path / "c.xlsx")

    def dying(*args, **kw):
        assert Need.objects.filter(title__endswith="个正极材料攻关项目").count() == 5  # written, not kept
        raise RuntimeError("killed")

    monkeypatch.setattr(services, "record_many", dying)
    counts = (Need.objects.count(), NeedStatusChange.objects.count(), AuditEntry.objects.count())
    with pytest.raises(RuntimeError):
        run_import(world.users["coordinator"], "needs", path, commit=True, bulk=True)
    assert (Need.objects.count(), NeedStatusChange.objects.count(), AuditEntry.objects.count()) == counts


def test_the_collector_is_tuned_only_while_an_import_runs(world, template, tmp_path, monkeypatch):
    """ADR 0044: during an import the young generation collects less often and what existed before
    is frozen; afterwards — committed, refused row or crash — the process's settings are back."""
    import gc

    from kechuang.intake import engine
    from kechuang.needs import intake as needs_intake

    path = fill_template(template, [row()], tmp_path / "g.xlsx")
    before = gc.get_threshold()
    seen = []
    real = needs_intake.NeedImport.context

    def context(self, user):
        seen.append((gc.get_threshold(), gc.get_freeze_count() > 0))
        return real(self, user)

    monkeypatch.setattr(needs_intake.NeedImport, "context", context)
    assert run_import(world.users["coordinator"], "needs", path, commit=True).committed
    assert seen == [((max(engine.IMPORT_GC_GEN0, before[0]), *before[1:]), True)]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0

    def dying(self, user):
        raise RuntimeError("killed")

    monkeypatch.setattr(needs_intake.NeedImport, "context", dying)
    with pytest.raises(RuntimeError):
        run_import(world.users["coordinator"], "needs", path, commit=True)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_overlapping_imports_restore_the_collector_once_the_last_one_ends():
    """Two imports in one process (two threads of a web process): the first to finish must not
    restore the defaults under the other; objects the process froze itself stay frozen."""
    import gc

    from kechuang.intake.engine import IMPORT_GC_GEN0, _collector_tuned

    before = gc.get_threshold()
    first, second = _collector_tuned(), _collector_tuned()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold()[0] == max(IMPORT_GC_GEN0, before[0]) and gc.get_freeze_count() > 0
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0

    gc.freeze()  # e.g. a server that freezes its start-up objects before forking
    try:
        with _collector_tuned():
            pass
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
