"""The schedule and event pages and the paper for the day in English: counts agree with their nouns,
brackets are ASCII; the Chinese pages are unchanged."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext
from events_fixtures import build_matchmaking

from kechuang.events import services


@pytest.fixture
def one_table(world):
    mm = build_matchmaking(world, tables=1)
    services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    return mm


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _get(client, url, lang):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()


def test_schedule_page_counts_in_english(world, one_table, client_for):
    page = _get(client_for("coordinator"), f"/events/{one_table.event.pk}/schedule/", "en")
    text = _text(page)
    assert "2 societies, 3 experts · 2 enterprises, 3 representatives · 5 meeting requests accepted" in text
    assert ": 4 morning slots, 2 afternoon slots, 20 minutes each, 1 table" in text
    assert "1 tables" not in text
    assert re.search(r"\d+ meetings? \(chosen from \d+ candidate pairs?\)", text), text
    assert "（" not in page and "）" not in page  # walk-in choices "钱一 (山东领军科技集团)", past runs "3 (2)"
    assert "Table 1" in text and "1号桌" not in text


def test_schedule_page_in_chinese_is_unchanged(world, one_table, client_for):
    page = _get(client_for("coordinator"), f"/events/{one_table.event.pk}/schedule/", "zh-hans")
    text = _text(page)
    assert "2 家学会 3 位专家 · 2 家企业 3 位企业代表 · 已接受的洽谈请求 5 项" in text
    assert "上午 4 场、下午 2 场，每场 20 分钟，1 张洽谈桌" in text
    assert re.search(r"\d+ 场（从 \d+ 个候选配对中选出）", text), text
    assert "1号桌" in text and "钱一（山东领军科技集团）" in page


def test_event_page_in_english_counts_slots_and_tables(world, one_table, client_for):
    client = client_for("coordinator")
    text = _text(_get(client, f"/events/{one_table.event.pk}/", "en"))
    assert "morning: 4 slots (from 09:00)" in text and "afternoon: 2 slots (from 13:30)" in text
    assert "; 1 table" in text and "1 tables" not in text
    zh = _text(_get(client, f"/events/{one_table.event.pk}/", "zh-hans"))
    assert "上午 4 场（09:00 起）" in zh and "；洽谈桌 1 张" in zh


def test_participant_names_their_organisation_in_the_reader_s_brackets(world, mm):
    rep = mm.reps["a"]
    with translation.override("en"):
        assert str(rep) == "钱一 (山东领军科技集团)"
    with translation.override("zh-hans"):
        assert str(rep) == "钱一（山东领军科技集团）"


def test_messages_of_the_schedule_agree_with_their_counts_in_english():
    generated = "排期已生成：%(n_meetings)s 场洽谈，%(status)s。"
    moved = "排期已调整：移动了 %(moved_count)s 场洽谈。"
    registered = "%(name)s已报名，带来 %(count)s 项需求。"
    with translation.override("en"):
        assert ngettext(generated, generated, 1) % {"n_meetings": 1, "status": "Optimal"} == "Schedule generated: 1 meeting, Optimal."
        assert ngettext(moved, moved, 1) % {"moved_count": 1} == "Schedule adjusted: 1 meeting moved."
        assert ngettext(registered, registered, 1) % {"name": "A", "count": 1} == "A registered, bringing 1 need."
        assert ngettext(registered, registered, 2) % {"name": "A", "count": 2} == "A registered, bringing 2 needs."
        cancel = "已记录结果的 %(n)s 场洽谈保持不变。"
        assert ngettext(cancel, cancel, 1) % {"n": 1} == "The 1 meeting with a recorded outcome stays as it is."
        withdraw = "撤回 %(n)s 条待回复的约见请求。"
        assert ngettext(withdraw, withdraw, 1) % {"n": 1} == "1 meeting request awaiting a reply will be withdrawn."
        assert gettext("、").join(["Slot 1", "Slot 2"]) == "Slot 1, Slot 2"
    with translation.override("zh-hans"):
        assert gettext("、").join(["第1场", "第2场"]) == "第1场、第2场"
        assert ngettext(registered, registered, 1) % {"name": "A", "count": 1} == "A已报名，带来 1 项需求。"


def test_event_page_in_english_puts_organisations_in_ascii_brackets(world, one_table, client_for):
    client = client_for("coordinator")
    page = _get(client, f"/events/{one_table.event.pk}/", "en")
    assert "钱一 (山东领军科技集团)" in page and "钱一（" not in page
    assert "钱一（山东领军科技集团）" in _get(client, f"/events/{one_table.event.pk}/", "zh-hans")


def test_a_filter_error_s_label_takes_the_reader_s_colon(world, client_for):
    client = client_for("coordinator")
    en = _get(client, "/needs/?status=nonsense", "en")
    assert "Status: " in _text(en) and "Status：" not in en
    assert "状态：" in _get(client, "/needs/?status=nonsense", "zh-hans")


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "Slot 2 does not exist: this meeting has 1 slot."),
    ("zh-hans", "场次 2 不存在：本次对接会共 1 场。"),
])
def test_a_slot_past_a_one_slot_day_says_slot(lang, said):
    from types import SimpleNamespace

    from kechuang.core.errors import ApplicationError
    from kechuang.events.services._common import valid_slots

    with translation.override(lang), pytest.raises(ApplicationError) as exc:
        valid_slots(SimpleNamespace(n_slots=1), [2])
    assert exc.value.message == said


def test_table_loss_planning_and_slot_messages_agree_with_their_counts_in_english():
    lose = ("%(table)s上已排定的 %(n)s 场洽谈（涉及 %(people)s 人）将立即重新安排到其余 %(left)s 张桌，"
            "移动尽量少；相关参会者的议程随之改变。")
    slot = "场次 %(slot)s 不存在：本次对接会共 %(n_slots)s 场。"
    over = "选出 %(n)s 场现场洽谈，超过全天 %(total_cap)s 个桌次，已去掉价值最低的 %(n2)s 场"
    args = {"table": "Table 1", "n": 1, "people": 2, "left": 1}
    with translation.override("en"):
        assert ngettext(lose, lose, 1) % args == (
            "The 1 scheduled meeting at Table 1 (involving 2 people) will be moved at once to the other tables "
            "(1 left), with as few moves as possible; the agendas of those involved change accordingly.")
        assert ngettext(slot, slot, 1) % {"slot": 3, "n_slots": 1} == "Slot 3 does not exist: this meeting has 1 slot."
        assert ngettext(over, over, 1) % {"n": 2, "total_cap": 1, "n2": 1} == (
            "On-site meetings selected: 2, more than the day's table slots (1); the 1 of lowest value was dropped")
    with translation.override("zh-hans"):
        assert ngettext(lose, lose, 1) % args == (
            "Table 1上已排定的 1 场洽谈（涉及 2 人）将立即重新安排到其余 1 张桌，移动尽量少；相关参会者的议程随之改变。")
        assert ngettext(over, over, 1) % {"n": 2, "total_cap": 1, "n2": 1} == "选出 2 场现场洽谈，超过全天 1 个桌次，已去掉价值最低的 1 场"


def test_paper_for_the_day_uses_ascii_brackets_colons_and_separators_in_english(world, one_table):
    from io import BytesIO

    from openpyxl import load_workbook

    from kechuang.events import exports

    coord, rep = world.users["coordinator"], one_table.reps["a"]
    with translation.override("en"):
        grid = load_workbook(BytesIO(exports.grid_xlsx(coord, one_table.event))).worksheets[0]
        agenda = load_workbook(BytesIO(exports.agenda_xlsx(coord, rep))).active
        html = exports.agendas_html(coord, [rep])
    cells = [v for row in grid.iter_rows(min_row=3, min_col=3, values_only=True) for v in row if v]
    assert cells and all("（" not in v and "）" not in v for v in cells), cells
    assert any(" (山东领军科技集团)\n× " in v or " (" in v for v in cells), cells
    assert agenda["A2"].value.endswith(": 钱一") and "：" not in agenda["A2"].value
    assert "；" not in html and "; " in html
    with translation.override("zh-hans"):
        grid = load_workbook(BytesIO(exports.grid_xlsx(coord, one_table.event))).worksheets[0]
        agenda = load_workbook(BytesIO(exports.agenda_xlsx(coord, rep))).active
        html = exports.agendas_html(coord, [rep])
    cells = [v for row in grid.iter_rows(min_row=3, min_col=3, values_only=True) for v in row if v]
    assert all("（" in v and "）\n× " in v for v in cells), cells
    assert agenda["A2"].value.endswith("：钱一")
    assert "；" in html


def test_the_cancel_confirmation_names_the_participant_in_ascii_brackets(world, one_table, client_for):
    rep = one_table.reps["a"]
    client = client_for("coordinator")
    url = f"/events/participants/{rep.pk}/cancel/"
    en = client.post(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    zh = client.post(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "钱一 (" in en and "钱一（" not in en
    assert "钱一（" in zh
