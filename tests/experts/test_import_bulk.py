"""Experts, 论文 and 专利 on the bulk path (ADR 0037) write exactly what the per-row path writes.

Each comparison imports the same workbook twice in the same database state — once row by row through
the form and ``expert_create``/``expert_update``/``publication_add``/``patent_add`` (``bulk=False``),
once through the bulk path — each inside a transaction rolled back afterwards, and compares the report,
the experts (with their societies and units), publications, patents, organisations, audit entries, the
dashboard's version bumps and the matching index marks. Database ids are replaced by names, so the
comparison holds on PostgreSQL too (its sequences do not roll back).
"""

from __future__ import annotations

from dataclasses import asdict

import pytest
from django.db import transaction
from django.db.models import Max
from test_import import EXPERT, PAPER, PATENT, fill
from xlsx_books import commit_queries

from kechuang.accounts.models import User
from kechuang.core.models import AuditEntry
from kechuang.dashboard import cache as dash_cache
from kechuang.experts.models import Expert, Patent, Publication
from kechuang.intake.engine import kind_for, run_import
from kechuang.intake.template import build_template
from kechuang.orgs.models import Organisation

pytestmark = pytest.mark.django_db


def expert(name, unit="青岛能源大学", **over):
    return dict(EXPERT, 姓名=name, 工作单位=unit, **over)


EXPERTS = [
    expert("赵正极"),
    expert("钱负极"),  # the same new unit: created once
    expert("王石墨", "某材料大学（青岛校区）"),  # near the platform's 王石墨 at 某材料大学: flagged
    expert("王石墨", "某材料大学", 关键词="石墨烯、规模化制备、储能"),  # the platform's: an update
    expert("王石墨", "某材料大学（崂山校区）"),  # same name again, another new unit: flagged, names the staged one too
    expert("李农机", None),  # the platform's, another society: a skip (liaison) or an update (coordinator)
    expert("孙未填", None, 可对接状态=None),  # no unit, no 可对接状态 (the default: 可对接)
]
PAPERS = [
    PAPER,
    dict(PAPER, 题名="高镍正极材料的表面包覆与循环稳定性！"),  # same title but for punctuation: a skip
    dict(PAPER, 专家姓名="王石墨", 工作单位="某材料大学", 题名="石墨烯的宏量制备"),  # the platform has it: a skip
    dict(PAPER, 专家姓名="王石墨", 工作单位="某材料大学", 题名="石墨烯导热膜"),
    dict(PAPER, 专家姓名="李农机", 工作单位=None, 题名="播种机的排种器设计"),  # liaison: not its expert
    dict(PAPER, 专家姓名="钱负极", 题名="负极材料的预锂化"),
]
PATENTS = [
    PATENT,
    dict(PATENT, 专利名称="另一种名称的同号专利"),  # same number: a skip
    dict(PATENT, 专家姓名="王石墨", 工作单位="某材料大学", 专利名称="石墨烯导热膜的制备方法", 专利号=""),
]
TIMESTAMPS = ("id", "updated_at")


class _Rollback(Exception):
    pass


def _names():
    return (
        dict(Expert.objects.values_list("pk", "name")),
        dict(Organisation.objects.values_list("pk", "name")),
    )


def _audit_row(e, experts, orgs, titles):
    def name(kind, pk):
        return {"experts.expert": experts, "orgs.organisation": orgs}.get(kind, titles.get(kind, {})).get(int(pk))

    changes = dict(e.changes)
    if "expert" in changes:
        changes["expert"] = experts.get(changes["expert"])
    if changes.get("affiliation") is not None:
        changes["affiliation"] = orgs.get(changes["affiliation"])
    if "societies" in changes and isinstance(changes["societies"], list):
        changes["societies"] = [orgs.get(s) for s in changes["societies"]]
    obj = name(e.object_type, e.object_id) if e.object_id else ""
    return repr((e.actor_username, e.action, e.object_type, obj, e.object_repr, sorted(changes.items())))


def _snapshot(user_pk: int, path, *, bulk: bool, monkeypatch) -> dict:
    """Import ``path`` (commit) and describe everything it wrote; then roll it all back."""
    from kechuang.matching import stale as index  # where the signals mark (ADR 0037, session 8)

    marks: list[str] = []
    monkeypatch.setattr(index, "mark_stale", lambda kind, **kw: marks.append(kind))
    user = User.objects.get(pk=user_pk)
    out: dict = {}
    try:
        with transaction.atomic():
            audit0 = AuditEntry.objects.aggregate(m=Max("id"))["m"] or 0
            version0 = dash_cache._version()  # noqa: SLF001
            report = run_import(user, "experts", path, commit=True, bulk=bulk)
            experts, orgs = _names()
            titles = {
                "experts.publication": dict(Publication.objects.values_list("pk", "title")),
                "experts.patent": dict(Patent.objects.values_list("pk", "title")),
            }
            out["report"] = [(r.row, r.action, r.label, r.reason, r.duplicates, r.sheet) for r in report.results]
            out["lines"] = report.lines()
            out["errors"] = [asdict(e) for e in report.errors]
            out["committed"] = report.committed
            out["experts"] = sorted(
                repr(
                    {k: v for k, v in d.items() if k not in TIMESTAMPS}
                    | {"affiliation_id": orgs.get(d["affiliation_id"])}
                )
                for d in Expert.objects.values()
            )
            out["societies"] = sorted(
                (experts[t.expert_id], orgs[t.organisation_id]) for t in Expert.societies.through.objects.all()
            )
            out["orgs"] = sorted(repr({k: v for k, v in d.items() if k != "id"}) for d in Organisation.objects.values())
            out["publications"] = sorted(
                repr({k: v for k, v in d.items() if k != "id"} | {"expert_id": experts[d["expert_id"]]})
                for d in Publication.objects.values()
            )
            out["patents"] = sorted(
                repr({k: v for k, v in d.items() if k != "id"} | {"expert_id": experts[d["expert_id"]]})
                for d in Patent.objects.values()
            )
            out["audit"] = sorted(
                _audit_row(e, experts, orgs, titles) for e in AuditEntry.objects.filter(id__gt=audit0)
            )
            out["dashboard_bumped"] = dash_cache._version() != version0  # noqa: SLF001
            out["index_marks"] = sorted(marks)
            raise _Rollback
    except _Rollback:
        pass
    return out


@pytest.fixture
def papered(world):
    """The platform's 王石墨 already has a paper (a 论文 row with its title is a skip)."""
    Publication.objects.create(expert=world.experts["own"], title="石墨烯的宏量制备", year=2020)
    return world


@pytest.mark.parametrize("role", ["liaison", "coordinator"])
def test_bulk_import_writes_exactly_what_the_per_row_path_writes(papered, tmp_path, monkeypatch, role):
    user = papered.users[role]
    path = fill(
        build_template(kind_for("experts"), user),
        {"专家": EXPERTS, "论文": PAPERS, "专利": PATENTS},
        tmp_path / "e.xlsx",
    )
    one_by_one = _snapshot(user.pk, path, bulk=False, monkeypatch=monkeypatch)
    bulk = _snapshot(user.pk, path, bulk=True, monkeypatch=monkeypatch)
    assert one_by_one["errors"] == [] and one_by_one["committed"]
    assert len(one_by_one["report"]) == len(EXPERTS) + len(PAPERS) + len(PATENTS)
    actions = [(sheet, a) for _, a, *_, sheet in one_by_one["report"]]
    assert ("论文", "skip") in actions and ("论文", "create") in actions and ("专利", "skip") in actions
    assert ("", "update") in actions and sum(1 for *_, d, _ in one_by_one["report"] if d) == 2
    assert sum("organisation.create" in a for a in one_by_one["audit"]) == 3  # 青岛能源大学 and the two 校区
    for part in one_by_one:
        assert bulk[part] == one_by_one[part], part
    assert bulk["dashboard_bumped"]
    assert set(bulk["index_marks"]) == {"expert", "society"}


def test_a_liaison_adds_nothing_to_another_societys_expert_on_the_bulk_path(papered, tmp_path):
    liaison = papered.users["liaison"]
    path = fill(
        build_template(kind_for("experts"), liaison),
        {"专家": [expert("李农机", None)], "论文": [PAPERS[4]]},
        tmp_path / "o.xlsx",
    )
    report = run_import(liaison, "experts", path, commit=True, bulk=True)
    assert report.committed
    assert [(r.action, r.reason) for r in report.results] == [
        ("skip", "平台中已有这位专家（属于其他学会），如需加入本学会请联系市科协"),
        ("skip", "该专家不在您的学会，不能为其添加"),
    ]
    other = papered.experts["other"]
    assert not other.publications.exists()
    assert list(other.societies.values_list("name", flat=True)) == ["中国农业机械学会"]


def test_a_wrong_row_is_reported_the_same_and_nothing_is_written(papered, tmp_path, monkeypatch):
    user = papered.users["liaison"]
    path = fill(
        build_template(kind_for("experts"), user),
        {
            "专家": [*EXPERTS[:2], expert("周", "青岛新材料研究院"), dict(expert("吴职称"), 职称=None)],
            "论文": [*PAPERS[:2], dict(PAPER, 专家姓名="钱不存在")],
        },
        tmp_path / "bad.xlsx",
    )
    experts, pubs, orgs = Expert.objects.count(), Publication.objects.count(), Organisation.objects.count()
    one_by_one = _snapshot(user.pk, path, bulk=False, monkeypatch=monkeypatch)
    bulk = _snapshot(user.pk, path, bulk=True, monkeypatch=monkeypatch)
    assert len(one_by_one["errors"]) == 3 and not one_by_one["committed"]
    assert bulk["errors"] == one_by_one["errors"] and bulk["lines"] == one_by_one["lines"]
    assert bulk["audit"] == one_by_one["audit"] == []
    assert (Expert.objects.count(), Publication.objects.count(), Organisation.objects.count()) == (experts, pubs, orgs)


def test_the_bulk_path_asks_the_database_per_file_not_per_row(world, tmp_path):
    user = world.users["liaison"]
    template = build_template(kind_for("experts"), user)

    def book(n, name):
        return fill(
            template,
            {
                "专家": [expert(f"专家{i:03d}") for i in range(n)],
                "论文": [dict(PAPER, 专家姓名=f"专家{i:03d}", 题名=f"论文{i}") for i in range(n)],
                "专利": [dict(PATENT, 专家姓名=f"专家{i:03d}", 专利号=f"CN{i}") for i in range(n)],
            },
            tmp_path / name,
        )

    few, many = book(3, "few.xlsx"), book(30, "many.xlsx")
    assert commit_queries(user, "experts", many) == commit_queries(user, "experts", few)
    assert commit_queries(user, "experts", many, bulk=False) > commit_queries(user, "experts", few, bulk=False) + 3 * 27  # the path it replaces


@pytest.mark.parametrize("bulk", [True, False])
def test_a_large_file_keeps_the_first_results_and_counts_the_rest(world, tmp_path, monkeypatch, bulk):
    """Past ``listed_results`` a row's result is counted, not kept (memory stays flat as the file
    grows); rows that flag near duplicates are always kept, and the summary is the same."""
    from kechuang.experts.intake import ExpertImport
    from kechuang.intake import engine

    user = world.users["liaison"]
    rows = [expert(f"专家{i:03d}") for i in range(12)] + [expert("王石墨", "某材料大学（青岛校区）")]
    papers = [dict(PAPER, 专家姓名=f"专家{i:03d}", 题名=f"论文{i}") for i in range(12)]
    path = fill(build_template(kind_for("experts"), user), {"专家": rows, "论文": papers}, tmp_path / "l.xlsx")
    full = run_import(user, "experts", path, bulk=bulk)
    monkeypatch.setattr(ExpertImport, "listed_results", 5)
    monkeypatch.setattr(engine, "STAGE_BATCH", 4)  # several batches: results are counted as they become final
    capped = run_import(user, "experts", path, bulk=bulk)
    assert full.ok and capped.ok and len(full.results) == 25 and not full.unlisted
    assert capped.summary() == full.summary() and capped.lines() == full.lines()
    assert [asdict(r) for r in capped.results] == [asdict(r) for r in full.results[:5]] + [asdict(full.results[12])]
    assert capped.unlisted == {"create": 19}
    assert capped.as_dict()["unlisted"] == {"create": 19}


def test_the_page_and_the_command_count_the_unlisted_rows(world, tmp_path, monkeypatch, client):
    from django.core.management import call_command

    from kechuang.experts.intake import ExpertImport
    from kechuang.intake import services

    monkeypatch.setattr(ExpertImport, "listed_results", 2)
    user = world.users["liaison"]
    path = fill(
        build_template(kind_for("experts"), user), {"专家": [expert(f"专家{i:03d}") for i in range(5)]}, tmp_path / "p.xlsx"
    )
    import io

    out = io.StringIO()
    call_command("import_xlsx", "experts", str(path), "--as", "liaison", "--quiet-progress", stdout=out)
    assert "另有 3 行未逐行列出（新建 3 行）。" in out.getvalue()
    from django.core.files.uploadedfile import SimpleUploadedFile

    batch = services.batch_upload(user=user, kind="experts", upload=SimpleUploadedFile("p.xlsx", path.read_bytes()))
    services.start(batch, commit=False)
    client.force_login(user)
    page = client.get(f"/intake/{batch.pk}/").content.decode()
    assert 'data-testid="n-create">5<' in page and "另有 3 行未列出" in page
