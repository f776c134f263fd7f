"""统一社会信用代码 checks, and organisations from Excel (matched by code, then by name)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from xlsx_books import fill_template

from kechuang.intake.engine import kind_for, run_import
from kechuang.intake.template import build_template
from kechuang.orgs.models import Organisation
from kechuang.orgs.validators import check_character, validate_credit_code

VALID = "91350100M000100Y43"  # the standard's worked example


def with_check(first17: str) -> str:
    return first17 + check_character(first17)


def test_check_character():
    validate_credit_code(VALID)
    validate_credit_code(VALID.lower())  # normalised before checking
    validate_credit_code("9135-0100M000 100Y43")
    for bad, why in (
        ("91350100M000100Y44", "校验位"),
        ("91350100M000100Y4", "18 位"),
        ("91350100M000100I43", "无效字符"),
    ):
        with pytest.raises(ValidationError, match=why):
            validate_credit_code(bad)


def test_every_single_character_typo_is_caught():
    """The check character catches any one wrong character (that is what it is for)."""
    from kechuang.orgs.validators import CHARSET

    for i in range(17):
        for c in CHARSET:
            if c == VALID[i]:
                continue
            typo = VALID[:i] + c + VALID[i + 1 :]
            with pytest.raises(ValidationError):
                validate_credit_code(typo)


pytestmark = pytest.mark.django_db


def org_row(name, **over):
    row = {
        "单位名称": name,
        "类型": "企业",
        "统一社会信用代码": with_check("91370285MA3C" + "00001"),
        "所在地区": "莱西市",
        "产业链": "新能源新材料",
        "简介": "锂电池材料企业",
    }
    row.update(over)
    return row


@pytest.fixture
def template(world):
    return build_template(kind_for("organisations"), world.users["coordinator"])


def test_create_then_reimport_then_update_by_code(world, template, tmp_path):
    coord = world.users["coordinator"]
    path = fill_template(template, [org_row("青岛新锂能源科技有限公司")], tmp_path / "a.xlsx")
    assert run_import(coord, "organisations", path, commit=True).count("create") == 1
    again = run_import(coord, "organisations", path, commit=True)
    assert (
        again.count("skip") == 1 and Organisation.objects.filter(name="青岛新锂能源科技有限公司").count() == 1
    )
    renamed = fill_template(template, [org_row("青岛新锂能源科技股份有限公司")], tmp_path / "b.xlsx")
    r = run_import(coord, "organisations", renamed, commit=True)
    assert r.count("update") == 1 and "单位名称" in r.results[0].reason
    assert (
        Organisation.objects.get(credit_code=org_row("x")["统一社会信用代码"]).name
        == "青岛新锂能源科技股份有限公司"
    )


def test_a_wrong_check_character_is_a_cell_error(world, template, tmp_path):
    path = fill_template(
        template, [org_row("青岛某公司", 统一社会信用代码="91370285MA3C000019")], tmp_path / "c.xlsx"
    )
    code = "91370285MA3C00001"
    if check_character(code) == "9":  # keep the row wrong whatever the digits
        path = fill_template(
            template, [org_row("青岛某公司", 统一社会信用代码=code + "8")], tmp_path / "c.xlsx"
        )
    report = run_import(world.users["coordinator"], "organisations", path, commit=True)
    assert (
        not report.ok
        and report.errors[0].column == "统一社会信用代码"
        and "校验位" in report.errors[0].message
    )


def test_blank_cells_keep_what_the_platform_has(world, template, tmp_path):
    coord = world.users["coordinator"]
    path = fill_template(
        template, [org_row("山东领军科技集团", 统一社会信用代码=None, 简介=None)], tmp_path / "d.xlsx"
    )
    world.orgs["ent"].description = "已有简介"
    world.orgs["ent"].save()
    report = run_import(coord, "organisations", path, commit=True)
    assert report.ok
    world.orgs["ent"].refresh_from_db()
    assert world.orgs["ent"].description == "已有简介"


def test_near_names_are_flagged(world, template, tmp_path):
    path = fill_template(
        template, [org_row("山东领军科技集团有限公司", 统一社会信用代码=None)], tmp_path / "e.xlsx"
    )
    report = run_import(world.users["coordinator"], "organisations", path)
    assert report.duplicates and "山东领军科技集团" in report.duplicates[0].duplicates[0]


def test_district_keeps_only_its_own_enterprises(world, tmp_path):
    district = world.users["district"]
    template = build_template(kind_for("organisations"), district)
    path = fill_template(template, [org_row("崂山新公司", 所在地区="崂山区")], tmp_path / "f.xlsx")
    report = run_import(district, "organisations", path, commit=True)
    assert not report.ok and report.errors[0].column == "所在地区"
    path = fill_template(
        template, [org_row("某学会", 类型="全国学会", 统一社会信用代码=None)], tmp_path / "g.xlsx"
    )
    assert not run_import(district, "organisations", path, commit=True).ok
    ok = fill_template(template, [org_row("莱西新材料公司")], tmp_path / "h.xlsx")
    assert run_import(district, "organisations", ok, commit=True).count("create") == 1
    other = fill_template(template, [org_row("崂山某农机公司", 统一社会信用代码=None)], tmp_path / "i.xlsx")
    r = run_import(district, "organisations", other, commit=True)
    assert r.count("skip") == 1 and "不在您的维护范围" in r.results[0].reason


def test_only_coordinators_and_districts_import_organisations(world, template, tmp_path):
    path = fill_template(template, [org_row("某公司名称")], tmp_path / "j.xlsx")
    for role in ("enterprise", "liaison", "expert", "leadership"):
        assert run_import(world.users[role], "organisations", path, commit=True).refused
