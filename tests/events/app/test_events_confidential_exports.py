"""A confidential need on a meeting or a request is named only to readers who may open it: on the
event page, the agenda page, every PDF and Excel file; and every Excel cell is inert data."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pdf_text import pdf_text

from kechuang.core.models import AuditEntry
from kechuang.events import services
from kechuang.events.models import Meeting, MeetingRequest
from kechuang.needs.selectors import HIDDEN_LABEL

SECRET = "保密的石墨烯配方"  # conf_ent: confidentiality "matched", of 山东领军科技集团 (tests/conftest.py)


@pytest.fixture
def conf_day(world, mm):
    """The schedule of the day, with 钱一's meetings about the confidential need (as the planner may
    choose it: it is one of the needs 钱一 brings) and one request naming it."""
    services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    conf = world.needs["conf_ent"]
    n = Meeting.objects.filter(event=mm.event, enterprise=mm.reps["a"], status="scheduled").update(need=conf)
    assert n >= 2
    MeetingRequest.objects.filter(pk=mm.requests[0].pk).update(need=conf)
    return mm


def _xlsx_text(content: bytes) -> str:
    wb = load_workbook(BytesIO(content))
    return "".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)


def _bodies(client, mm) -> dict[str, str]:
    ev, rep = mm.event.pk, mm.reps["a"].pk
    out = {}
    for url in (
        f"/events/{ev}/",
        f"/events/participants/{rep}/",
        f"/events/{ev}/schedule/",
        f"/events/participants/{rep}/agenda.pdf",
        f"/events/participants/{rep}/agenda.xlsx",
        f"/events/{ev}/schedule/agendas.pdf",
        f"/events/{ev}/schedule/grid.pdf",
        f"/events/{ev}/schedule/grid.xlsx",
        f"/events/{ev}/schedule/table-cards.pdf",
    ):
        resp = client.get(url)
        assert resp.status_code in (200, 404), (url, resp.status_code)
        if resp.status_code == 404:
            continue
        ctype = resp["Content-Type"]
        if "pdf" in ctype:
            out[url] = pdf_text(resp.content)
        elif "spreadsheet" in ctype:
            out[url] = _xlsx_text(resp.content)
        else:
            out[url] = resp.content.decode()
    for m in Meeting.objects.filter(event=mm.event, enterprise=mm.reps["a"], status="scheduled"):
        resp = client.get(f"/events/meetings/{m.pk}/")
        if resp.status_code == 200:
            out[f"/events/meetings/{m.pk}/"] = resp.content.decode()
    return out


@pytest.mark.parametrize("role", ["leadership", "liaison", "expert", "district"])
def test_readers_who_may_not_see_the_need_read_its_placeholder(world, conf_day, client_for, role):
    bodies = _bodies(client_for(role), conf_day)
    assert any(re.search(r"agenda|grid|schedule/$", u) for u in bodies), bodies.keys()
    leaks = [u for u, text in bodies.items() if SECRET in re.sub(r"\s+", "", text)]
    assert not leaks, f"{role} reads the confidential need on {leaks}"
    assert any(HIDDEN_LABEL in text for text in bodies.values())


@pytest.mark.parametrize("role", ["coordinator", "enterprise"])
def test_readers_who_may_see_the_need_read_its_title(world, conf_day, client_for, role):
    bodies = _bodies(client_for(role), conf_day)
    for url in (
        f"/events/participants/{conf_day.reps['a'].pk}/agenda.xlsx",
        f"/events/participants/{conf_day.reps['a'].pk}/",
    ):
        assert SECRET in bodies[url], (role, url)
    if role == "coordinator":
        assert SECRET in bodies[f"/events/{conf_day.event.pk}/schedule/grid.xlsx"]
        assert SECRET in re.sub(r"\s+", "", bodies[f"/events/{conf_day.event.pk}/schedule/table-cards.pdf"])


def test_counts_of_needs_brought_do_not_reveal_a_hidden_need(world, conf_day, client_for):
    """钱一 brings a public and a confidential need: 2 for those who may see both, 1 for the others."""

    def brought(role) -> int:
        html = client_for(role).get(f"/events/{conf_day.event.pk}/").content.decode()
        table = html[html.index('data-testid="rep-table"') :]
        row = re.search(r">钱一</a>.*?</tr>", table, re.S).group(0)
        return int(re.findall(r"<td>(\d+)</td>", row)[0])

    assert brought("coordinator") == 2 and brought("enterprise") == 2
    assert brought("leadership") == 1 and brought("liaison") == 1


def test_reading_a_confidential_need_in_an_export_is_audited(world, conf_day, client_for):
    conf = world.needs["conf_ent"]
    entries = AuditEntry.objects.filter(action="need.view_confidential", object_id=str(conf.pk))
    client_for("enterprise").get(f"/events/participants/{conf_day.reps['a'].pk}/agenda.xlsx")
    assert not entries.exists()  # the enterprise reading its own need is no confidentiality event
    client_for("leadership").get(f"/events/{conf_day.event.pk}/schedule/grid.xlsx")
    assert not entries.exists()  # it was not shown
    client_for("coordinator").get(f"/events/{conf_day.event.pk}/schedule/grid.xlsx")
    e = entries.get()  # once per request, although it is on several rows
    assert e.actor == world.users["coordinator"] and e.changes["via"] == "list"


# ---------------------------------------------------------------- Excel cells are data


def test_formulas_and_control_characters_in_every_event_export(world, mm, client_for):
    from kechuang.needs.models import Need

    Need.objects.filter(pk=world.needs["pub_laixi"].pk).update(title='=WEBSERVICE("http://x")')
    Need.objects.filter(pk=world.needs["pub_zone"].pk).update(title="铃声\x07需求\x1b名称")
    mm.reps["b"].name = "@SUM(1+1)"
    mm.reps["b"].save()
    mm.event.title = "+测试对接会"
    mm.event.save()
    services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    # both needs on meetings, whatever the planner chose
    Meeting.objects.filter(event=mm.event, enterprise=mm.reps["a"]).update(need=world.needs["pub_laixi"])
    Meeting.objects.filter(event=mm.event, enterprise=mm.reps["b"]).update(need=world.needs["pub_zone"])
    client = client_for("coordinator")
    ev = mm.event.pk
    files = {
        "grid": client.get(f"/events/{ev}/schedule/grid.xlsx"),
        "agenda_a": client.get(f"/events/participants/{mm.reps['a'].pk}/agenda.xlsx"),
        "agenda_b": client.get(f"/events/participants/{mm.reps['b'].pk}/agenda.xlsx"),
        "agenda_own": client.get(f"/events/participants/{mm.experts['own'].pk}/agenda.xlsx"),
    }
    values = []
    for name, resp in files.items():
        assert resp.status_code == 200, name
        wb = load_workbook(BytesIO(resp.content))
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (name, cell.coordinate, cell.value)
                    if cell.value is not None:
                        values.append(cell.value)
    texts = [v for v in values if isinstance(v, str)]
    assert '\'=WEBSERVICE("http://x")' in texts
    assert "'+测试对接会" in texts
    assert any(v.startswith("'@SUM(1+1)") for v in texts)
    assert "铃声需求名称" in texts  # present, without the control characters
    assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", v) for v in texts)
    assert not any(v.startswith(("=", "+", "-", "@")) for v in texts)
    for url in (
        f"/events/{ev}/",
        f"/events/{ev}/schedule/",
        f"/events/{ev}/schedule/grid.pdf",
        f"/events/{ev}/schedule/agendas.pdf",
        f"/events/{ev}/schedule/table-cards.pdf",
        f"/events/participants/{mm.reps['b'].pk}/agenda.pdf",
    ):
        assert client.get(url).status_code == 200, url
