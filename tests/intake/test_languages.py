"""Template headers and drop-down labels are translated form labels, so a workbook is recognised
whichever language it was made in and whichever language the uploader works in."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from xlsx_books import fill_template, need_row

from kechuang.intake.engine import kind_for, run_import
from kechuang.intake.template import build_template
from kechuang.needs.models import Need

pytestmark = pytest.mark.django_db



row = need_row


# the columns whose cells are translated choice labels (the rest are names, numbers and free text)
TRANSLATED_CELLS = ("需求类型", "保密级别")


def english(text: str) -> str:
    with translation.override("en"):
        return gettext(text)


def template_in(language: str, user) -> bytes:
    with translation.override(language):
        return build_template(kind_for("needs"), user)


def test_the_english_template_really_is_english(world):
    wb = load_workbook(io.BytesIO(template_in("en", world.users["coordinator"])))
    assert wb.sheetnames[0] == english("需求") != "需求"
    headers = [str(c.value).replace(" *", "") for c in wb.worksheets[0][2] if c.value]
    assert english("需解决的主要技术难题") in headers and "需解决的主要技术难题" not in headers
    assert english("预算下限（万元）") in headers


def test_a_chinese_workbook_imports_when_the_uploader_works_in_english(world, tmp_path):
    path = fill_template(template_in("zh-hans", world.users["coordinator"]), [row()], tmp_path / "zh.xlsx")
    with translation.override("en"):
        report = run_import(world.users["coordinator"], "needs", path, commit=True)
    assert report.ok and report.committed and report.count("create") == 1, report.errors
    need = Need.objects.get(title="高镍正极材料稳定性提升")
    assert need.kind == "tech"  # the Chinese drop-down label was recognised
    assert need.confidentiality == "public"


def test_an_english_workbook_imports_when_the_uploader_works_in_chinese(world, tmp_path):
    zh = row("盐碱地智能播种装备研制", **{"行业领域/产业链": "现代农业与农机装备"})
    en = {english(h): (english(v) if h in TRANSLATED_CELLS else v) for h, v in zh.items()}
    assert en[english("保密级别")] != "公开"  # the drop-down label really is English in this workbook
    path = fill_template(template_in("en", world.users["coordinator"]), [en], tmp_path / "en.xlsx")
    with translation.override("zh-hans"):
        report = run_import(world.users["coordinator"], "needs", path, commit=True)
    assert report.ok and report.committed and report.count("create") == 1, report.errors
    need = Need.objects.get(title="盐碱地智能播种装备研制")
    assert need.kind == "tech" and need.confidentiality == "public" and need.chain.name == "现代农业与农机装备"
