"""The bulk path (ADR 0037) writes exactly what the per-row path writes, with queries per file, not per row.

Each comparison imports the same workbook twice in the same database state — once row by row through
the form and ``need_submit``/``need_update`` (``bulk=False``), once through the bulk path — each inside
a transaction rolled back afterwards, and compares the report, the needs, their history and dashboard
stage facts, the audit entries, the notifications, the dashboard and the matching index.
"""

from __future__ import annotations

from dataclasses import asdict

import pytest
from django.db import transaction
from django.db.models import Max
from xlsx_books import NEED_PROBLEM, commit_queries, fill_template, need_row

from kechuang.accounts.models import User
from kechuang.core.models import AuditEntry
from kechuang.dashboard import cache as dash_cache
from kechuang.dashboard import selectors as dash
from kechuang.intake.engine import kind_for, run_import
from kechuang.intake.template import build_template
from kechuang.needs.models import Need, NeedStageFact, NeedStatusChange
from kechuang.notifications.models import Notification

pytestmark = pytest.mark.django_db

PROBLEM = NEED_PROBLEM
TIMESTAMPS = ("id", "created_at", "updated_at", "status_changed_at")


row = need_row


ROWS = [
    row("高镍正极材料稳定性提升研究"),
    row("高镍正极材料稳定性提升研究二"),  # near the row above, which is staged (not yet written) on the bulk path
    row("石墨烯规模化制备技术"),  # near the world's 石墨烯规模化制备
    row("保密的固态电解质配方攻关", **{"保密级别": "仅协调员可见"}),
    row("仅对专家可见的隔膜涂覆工艺", **{"保密级别": "仅对匹配专家可见", "预算上限（万元）": None}),
    row("石墨烯规模化制备", **{"需解决的主要技术难题": PROBLEM + "（第二版）"}),  # the world's need: an update
    row("开发区石墨提纯", **{"地区": "莱西市"}),  # another existing need, changed district
]


class _Rollback(Exception):
    pass


def _snapshot(user_pk: int, path, *, bulk: bool, monkeypatch) -> dict:
    """Import ``path`` (commit) and describe everything it wrote; then roll it all back."""
    from kechuang.matching import stale as index  # where the signals mark (ADR 0037, session 8)

    marks: list[str] = []
    monkeypatch.setattr(index, "mark_stale", lambda kind, **kw: marks.append(kind))
    user = User.objects.get(pk=user_pk)  # fresh: a user object remembers the confidential needs it was shown
    out: dict = {}
    try:
        with transaction.atomic():
            audit0 = AuditEntry.objects.aggregate(m=Max("id"))["m"] or 0
            history0 = NeedStatusChange.objects.aggregate(m=Max("id"))["m"] or 0
            notes0 = Notification.objects.aggregate(m=Max("id"))["m"] or 0
            version0 = dash_cache._version()  # noqa: SLF001
            months0 = dash_cache._month_versions([dash_cache.month_of(dash_cache.timezone.now())])  # noqa: SLF001
            report = run_import(user, "needs", path, commit=True, bulk=bulk)
            title = dict(Need.objects.values_list("pk", "title"))
            out["report"] = [(r.row, r.action, r.label, r.reason, r.duplicates, r.sheet) for r in report.results]
            out["lines"] = report.lines()
            out["errors"] = [asdict(e) for e in report.errors]
            out["needs"] = sorted(
                (repr({k: v for k, v in d.items() if k not in TIMESTAMPS}) for d in Need.objects.values()),
            )
            out["history"] = sorted(
                (title[h.need_id], h.from_status, h.to_status, h.by_id, h.note)
                for h in NeedStatusChange.objects.filter(id__gt=history0)
            )
            out["facts"] = sorted(
                (title[f["need_id"]], f["reached"], *(v for k, v in f.items() if k.startswith("days_")))
                for f in NeedStageFact.objects.values()
            )
            out["audit"] = sorted(
                repr(
                    (
                        e.actor_username,
                        e.action,
                        e.object_type,
                        title.get(int(e.object_id)) if e.object_type == "needs.need" else e.object_id,
                        e.object_repr,
                        e.changes,
                    )
                )
                for e in AuditEntry.objects.filter(id__gt=audit0)
            )
            out["notifications"] = sorted(
                repr((n.recipient_id, n.kind, n.params, title.get(n.need_id)))
                for n in Notification.objects.filter(id__gt=notes0)
            )
            out["dashboard_bumped"] = (
                dash_cache._version() != version0,  # noqa: SLF001
                dash_cache._month_versions([dash_cache.month_of(dash_cache.timezone.now())]) != months0,  # noqa: SLF001
            )
            out["index_marks"] = marks
            raise _Rollback
    except _Rollback:
        pass
    return out


@pytest.mark.parametrize("role", ["coordinator", "district", "enterprise"])
def test_bulk_import_writes_exactly_what_the_per_row_path_writes(world, tmp_path, monkeypatch, role):
    user = world.users[role]
    rows = [{k: v for k, v in r.items() if not (role == "enterprise" and k == "需求企业")} for r in ROWS]
    path = fill_template(build_template(kind_for("needs"), user), rows, tmp_path / "n.xlsx")
    one_by_one = _snapshot(user.pk, path, bulk=False, monkeypatch=monkeypatch)
    bulk = _snapshot(user.pk, path, bulk=True, monkeypatch=monkeypatch)
    assert one_by_one["errors"] == [] and len(one_by_one["report"]) == len(ROWS)
    assert {a for _, a, *_ in one_by_one["report"]} >= {"create"}
    assert any(d for *_, d, _ in one_by_one["report"])  # the near matches are part of the comparison
    assert any("need.view_confidential" in a for a in one_by_one["audit"]) or role == "enterprise"
    for part in one_by_one:
        assert bulk[part] == one_by_one[part], part
    assert bulk["dashboard_bumped"] == (True, True)
    assert bulk["index_marks"] == ["need"]


def test_a_wrong_row_is_reported_the_same_and_nothing_is_written(world, tmp_path, monkeypatch):
    user = world.users["coordinator"]
    rows = [
        *ROWS[:3],
        row("短"),  # too short (clean_title)
        row("预算颠倒的需求项目", **{"预算下限（万元）": 300}),  # clean(): max below min
        row("产业链不存在的需求", **{"行业领域/产业链": "不存在的产业链"}),
        row("高镍正极材料稳定性提升研究"),  # same key as row 3
    ]
    path = fill_template(build_template(kind_for("needs"), user), rows, tmp_path / "bad.xlsx")
    before = Need.objects.count()
    one_by_one = _snapshot(user.pk, path, bulk=False, monkeypatch=monkeypatch)
    bulk = _snapshot(user.pk, path, bulk=True, monkeypatch=monkeypatch)
    assert len({e["row"] for e in one_by_one["errors"]}) == 4
    assert bulk["errors"] == one_by_one["errors"] and bulk["lines"] == one_by_one["lines"]
    assert bulk["audit"] == one_by_one["audit"] == []  # not committed: nothing, not even intake.commit
    assert Need.objects.count() == before


def test_the_bulk_path_asks_the_database_per_file_not_per_row(world, tmp_path):
    user = world.users["coordinator"]
    template = build_template(kind_for("needs"), user)
    few = fill_template(template, [row(f"第{i}号正极材料攻关") for i in range(3)], tmp_path / "few.xlsx")
    many = fill_template(template, [row(f"第{i}号正极材料攻关") for i in range(30)], tmp_path / "many.xlsx")
    assert commit_queries(user, "needs", many) == commit_queries(user, "needs", few)
    assert commit_queries(user, "needs", many, bulk=False) > commit_queries(user, "needs", few, bulk=False) + 27  # the path it replaces


def test_the_dashboard_counts_needs_written_by_the_bulk_path(world, tmp_path):
    """``bulk_create`` sends no ``post_save``: without ``bulk_written`` the cached figures would stay old."""
    user = world.users["coordinator"]
    before = asdict(dash_cache.cached_dashboard(user, dash.dashboard_scope(user=user)))
    path = fill_template(
        build_template(kind_for("needs"), user), [row(f"看板第{i}项正极攻关") for i in range(3)], tmp_path / "d.xlsx"
    )
    assert run_import(user, "needs", path, commit=True, bulk=True).committed
    cached = asdict(dash_cache.cached_dashboard(user, dash.dashboard_scope(user=user)))
    fresh = asdict(dash.dashboard(user, dash.dashboard_scope(user=user)))
    cached.pop("scope"), fresh.pop("scope"), before.pop("scope")
    assert fresh != before  # three more needs counted
    assert cached == fresh


def test_the_matching_index_is_marked_once_for_a_bulk_import(world, tmp_path, monkeypatch):
    from kechuang.matching import stale as index  # where the signals mark (ADR 0037, session 8)

    marks = []
    monkeypatch.setattr(index, "mark_stale", lambda kind, **kw: marks.append(kind))
    user = world.users["coordinator"]
    path = fill_template(
        build_template(kind_for("needs"), user), [row(f"索引第{i}项正极攻关") for i in range(3)], tmp_path / "m.xlsx"
    )
    assert run_import(user, "needs", path, commit=True, bulk=True).committed
    assert marks == ["need"]


def test_near_titles_are_the_ones_difflib_finds(world):
    """The character-count bounds in ``likely_duplicates`` skip only pairs difflib would reject."""
    import random
    from difflib import SequenceMatcher

    from kechuang.intake.spec import norm
    from kechuang.needs.intake import MAX_SIMILAR, SIMILAR, NeedImport
    from kechuang.needs.selectors import mark_visible

    rng = random.Random(20261201)
    chars = "高镍正极材料稳定性提升研究石墨烯关键技术攻关第一二三项 A"
    user, ent = world.users["coordinator"], world.orgs["ent"]
    flagged = 0
    for _ in range(200):
        titles = ["".join(rng.choice(chars) for _ in range(rng.randint(4, 14))) for _ in range(12)]
        needs = [Need(pk=i + 1, title=t, enterprise=ent, confidentiality="public") for i, t in enumerate(titles)]
        mark_visible(user, needs)
        title = rng.choice(titles[:6]) + rng.choice(["", "二", "研究"])
        found = NeedImport().likely_duplicates(user, {"enterprise": ent, "title": title}, {"by_enterprise": {ent.pk: needs}})
        expected = []
        for n in reversed(needs):
            ratio = SequenceMatcher(None, norm(title), norm(n.title)).ratio()
            if norm(n.title) != norm(title) and ratio >= SIMILAR and len(expected) < MAX_SIMILAR:
                expected.append(f"与“{n.title}”相似（{ratio:.0%}），可能是同一需求从不同渠道提交")
        assert found == expected
        flagged += bool(found)
    assert flagged > 50  # the comparison is not vacuous


@pytest.mark.parametrize("role", ["coordinator", "district"])
def test_a_re_import_reports_and_writes_what_the_per_row_path_does(world, tmp_path, monkeypatch, role):
    """Rows already on the platform (skips — confidential ones too —, an update): same report, same
    records, both paths; the re-imported needs' 产业链/地区 are compared without a query each."""
    user = world.users[role]
    template = build_template(kind_for("needs"), user)
    assert run_import(user, "needs", fill_template(template, ROWS, tmp_path / "first.xlsx"), commit=True).committed
    again = [*ROWS[:-1], row("开发区石墨提纯", **{"地区": "莱西市", "预算上限（万元）": 260})]  # the last one changes
    path = fill_template(template, again, tmp_path / "again.xlsx")
    one_by_one = _snapshot(user.pk, path, bulk=False, monkeypatch=monkeypatch)
    bulk = _snapshot(user.pk, path, bulk=True, monkeypatch=monkeypatch)
    actions = [a for _, a, *_ in one_by_one["report"]]
    assert actions.count("skip") >= 5, one_by_one["lines"]
    if role == "coordinator":
        assert "update" in actions
    else:  # the world's need was not submitted by this district user: a skip that says why
        assert "不能通过导入修改" in one_by_one["report"][-1][3]
    assert any("need.view_confidential" in a for a in one_by_one["audit"])  # confidential skips are labelled
    for part in one_by_one:
        assert bulk[part] == one_by_one[part], part


def test_an_unchanged_re_imported_row_asks_one_query(world, tmp_path):
    """Reading the need it names; its relations and its visibility come with the file (not 4 queries)."""
    user = world.users["coordinator"]
    template = build_template(kind_for("needs"), user)
    few = fill_template(template, [row(f"第{i}号复导正极材料攻关") for i in range(3)], tmp_path / "few.xlsx")
    many = fill_template(template, [row(f"第{i}号复导正极材料攻关") for i in range(30)], tmp_path / "many.xlsx")
    assert run_import(user, "needs", many, commit=True).committed
    assert commit_queries(user, "needs", many) - commit_queries(user, "needs", few) == 27


@pytest.mark.parametrize("role", ["coordinator", "district"])
def test_batches_of_two_report_and_write_what_the_per_row_path_does(world, tmp_path, monkeypatch, role):
    """Near titles of needs written in an earlier batch (kept lean since, issue 10), and the labels
    of confidential ones, are what the per-row path reports."""
    from kechuang.intake import engine

    monkeypatch.setattr(engine, "STAGE_BATCH", 2)
    user = world.users[role]
    rows = [
        *ROWS,
        row("保密的固态电解质配方攻关二", **{"保密级别": "仅协调员可见"}),  # near row 4, two batches back
        row("高镍正极材料稳定性提升研究三"),  # near rows 1 and 2, written batches ago
    ]
    path = fill_template(build_template(kind_for("needs"), user), rows, tmp_path / "b.xlsx")
    one_by_one = _snapshot(user.pk, path, bulk=False, monkeypatch=monkeypatch)
    bulk = _snapshot(user.pk, path, bulk=True, monkeypatch=monkeypatch)
    assert one_by_one["errors"] == [] and len(one_by_one["report"]) == len(rows)
    assert len(one_by_one["report"][-1][4]) == 2 and one_by_one["report"][-2][4]  # flagged across batches
    for part in one_by_one:
        assert bulk[part] == one_by_one[part], part


def test_needs_written_by_the_bulk_path_are_kept_without_their_texts(world, tmp_path, monkeypatch):
    """Issue 10: what an import keeps of each need it created for the rest of the file (re-import
    lookup, near titles and their labels) is what it reads of the needs already there — not the
    long texts (背景, 难题, 目标), the row's data or the title's character counts — so the memory
    it holds per row does not grow with the file's texts."""
    from kechuang.intake import engine
    from kechuang.needs import intake
    from kechuang.needs.selectors import _mark

    monkeypatch.setattr(engine, "STAGE_BATCH", 3)
    contexts = []
    context = intake.NeedImport.context
    monkeypatch.setattr(intake.NeedImport, "context", lambda self, user: contexts.append(context(self, user)) or contexts[-1])
    user = world.users["coordinator"]
    rows = [row(f"第{i}号正极材料攻关", **{"保密级别": "仅协调员可见" if i % 2 else "公开"}) for i in range(7)]
    path = fill_template(build_template(kind_for("needs"), user), rows, tmp_path / "k.xlsx")
    report = run_import(user, "needs", path, commit=True, bulk=True)
    assert report.committed and report.count("create") == 7
    created = [n for needs in contexts[0]["by_enterprise"].values() for n in needs if n.title.endswith("号正极材料攻关")]
    assert len(created) == 7
    read = ("id", "title", "enterprise_id", "confidentiality", "status", "district_id", "submitted_by_id")
    allowed = {*read, "_state", "_intake_title", _mark(user)}
    for n in created:
        assert n.pk is not None and set(vars(n)) <= allowed, set(vars(n)) - allowed
        assert {"background", "problem", "goal", "keywords"} <= n.get_deferred_fields()
        assert not n._state.fields_cache  # noqa: SLF001  (the enterprise, district, user objects)
        assert all(isinstance(v, str) for v in vars(n).get("_intake_title", ()))  # title and norm(title) only
    assert sum("_intake_title" in vars(n) for n in created) >= 6  # compared with the rows after them
    # what they still answer is right (a deferred field is read again from the database)
    assert {n.problem for n in created} == {PROBLEM}


def test_the_forms_of_written_batches_do_not_wait_for_the_collector(world, tmp_path, monkeypatch):
    """Issue 10: a staged row's form is a reference cycle; once its batch is written it is freed
    then, not left as garbage until a rare collection (with the import's collector thresholds,
    after the end of a large file: kilobytes per row)."""
    import gc

    from kechuang.intake import engine
    from kechuang.needs.forms import NeedForm

    monkeypatch.setattr(engine, "STAGE_BATCH", 3)
    left = []
    read_part = engine._read_part  # noqa: SLF001

    def counted(*a, **kw):
        read_part(*a, **kw)
        left.append(sum(isinstance(o, NeedForm) for o in gc.get_objects()))

    monkeypatch.setattr(engine, "_read_part", counted)
    user = world.users["coordinator"]
    rows = [row(f"第{i}号回收正极材料攻关") for i in range(10)]
    path = fill_template(build_template(kind_for("needs"), user), rows, tmp_path / "g.xlsx")
    gc.collect()
    assert run_import(user, "needs", path, commit=True, bulk=True).committed
    assert left == [1]  # the file's one prototype form (``_form_for``); no row's form is left over
