"""Paper for the day: per-participant agendas, the master grid and table cards as PDF
(WeasyPrint, "Noto Sans CJK SC" from Debian's fonts-noto-cjk) and Excel (openpyxl).

Everything goes through the selectors, so a file shows exactly what its reader may see."""

from __future__ import annotations

from io import BytesIO

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from kechuang.core.collector import collector_off
from kechuang.core.templatetags.punctuation import bracketed, colon
from kechuang.core.xlsx import safe_cell
from kechuang.events import selectors
from kechuang.events.models import Event, Meeting, Participant, Table
from kechuang.needs.selectors import need_label


def _html(template: str, user, ctx: dict) -> str:
    # ``user`` is the reader: templates name needs through ``needs_tags.need_title`` for them
    return render_to_string(template, {**ctx, "user": user, "printed_at": timezone.localtime()})


def _to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    with collector_off():  # ADR 0060
        return HTML(string=html).write_pdf()


def _pdf(template: str, user, ctx: dict) -> bytes:
    return _to_pdf(_html(template, user, ctx))


def _agenda_ctx(user, p: Participant) -> dict:
    return {
        "p": p,
        "rows": selectors.agenda(user=user, participant=p),
        "needs": list(selectors.participant_needs(user=user, participant=p)),
    }


def agendas_html(user, participants: list[Participant]) -> str:
    """The HTML ``agendas_pdf`` prints (bench/events/pdf_collector.py times its rendering)."""
    event = participants[0].event
    return _html(
        "events/pdf/agendas.html",
        user,
        {
            "event": event,
            "day": selectors.meeting_day(event),
            "agendas": [_agenda_ctx(user, p) for p in participants],
        },
    )


def agendas_pdf(user, participants: list[Participant]) -> bytes:
    """One page per participant: their slots, tables, counterparts and topics."""
    return _to_pdf(agendas_html(user, participants))


def grid_html(user, event: Event) -> str:
    return _html("events/pdf/grid.html", user, {"event": event, "grid": selectors.grid(user=user, event=event)})


def grid_pdf(user, event: Event) -> bytes:
    return _to_pdf(grid_html(user, event))


def table_cards_pdf(user, event: Event) -> bytes:
    """A card per table (to stand on it): the table's meetings through the day."""
    day = selectors.meeting_day(event)
    meetings = list(selectors.meeting_list(user=user, event=event))
    cards = []
    for t in Table.objects.filter(event=event, active=True).order_by("number"):
        rows = [
            {"m": m, "label": day.slot_label(m.slot), "session": day.session_label(m.slot)}
            for m in meetings
            if m.table_id == t.pk
        ]
        cards.append({"table": t, "meetings": rows})
    return _pdf("events/pdf/table_cards.html", user, {"event": event, "day": day, "cards": cards})


# ------------------------------------------------------------------ Excel


def _book():
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    return (
        wb,
        Font(bold=True),
        PatternFill("solid", fgColor="EEF2F7"),
        Alignment(wrap_text=True, vertical="top"),
    )


def _title_font():
    from openpyxl.styles import Font

    return Font(bold=True, size=14)


def _append(ws, values) -> None:
    """Every row the platform writes goes through ``safe_cell`` (formulas inert, control characters out)."""
    ws.append([safe_cell(v) for v in values])


def _save(wb) -> bytes:
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


AGENDA_HEADERS = [gettext_lazy("场次"), gettext_lazy("时间"), gettext_lazy("时段"), gettext_lazy("洽谈桌"), gettext_lazy("洽谈对象"), gettext_lazy("单位"), gettext_lazy("洽谈需求"), gettext_lazy("备注")]


def agenda_rows(user, p: Participant) -> list[list]:
    out = []
    for r in selectors.agenda(user=user, participant=p):
        m: Meeting | None = r.meeting
        if m is not None:
            other = r.counterpart
            org = other.organisation.name if other and other.organisation_id else ""
            note = gettext("现场加场") if m.origin == Meeting.Origin.WALK_IN else ""
            out.append(
                [
                    r.slot,
                    r.label,
                    r.session,
                    m.place + (f"\n{m.join_link}" if m.join_link else ""),
                    other.name if other else "",
                    org,
                    need_label(user, m.need),
                    note,
                ]
            )
        else:
            out.append([r.slot, r.label, r.session, "", "", "", "", gettext("不能参加") if r.unavailable else gettext("空闲")])
    return out


def agenda_xlsx(user, p: Participant) -> bytes:
    wb, bold, fill, wrap = _book()
    ws = wb.active
    ws.title = gettext("议程")
    _append(ws, [p.event.title])
    ws["A1"].font = _title_font()
    _append(ws, [f"{p.get_kind_display()}{colon()}{p.name}", p.organisation.name if p.organisation_id else ""])
    _append(ws, [])
    _append(ws, AGENDA_HEADERS)
    for c in ws[4]:
        c.font, c.fill = bold, fill
    for row in agenda_rows(user, p):
        _append(ws, row)
    for col, width in zip("ABCDEFGH", (6, 14, 6, 10, 12, 28, 36, 10)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A5"
    return _save(wb)


def grid_xlsx(user, event: Event) -> bytes:
    """Sheet 1: the master grid (slots × tables); sheet 2: every meeting as a row."""
    g = selectors.grid(user=user, event=event)
    wb, bold, fill, wrap = _book()
    ws = wb.active
    ws.title = gettext("总排期")
    _append(ws, [event.title])
    ws["A1"].font = _title_font()
    if g is None:
        return _save(wb)
    online_col = [gettext("线上")] if g.has_online else []
    _append(ws, [gettext("场次"), gettext("时间"), *[str(t) + ("" if t.active else gettext("（停用）")) for t in g.tables], *online_col])
    for c in ws[2]:
        c.font, c.fill = bold, fill
    for r in g.rows:
        _append(
            ws,
            [
                r["slot"],
                f"{r['session']} {r['label']}",
                *[
                    f"{m.enterprise.name}{bracketed(m.enterprise.organisation.short_name or m.enterprise.organisation.name)}\n× {m.expert.name}"
                    if m
                    else ""
                    for m in r["cells"]
                ],
                *(
                    ["\n".join(f"{m.enterprise.name} × {m.expert.name}" for m in r["online"])]
                    if g.has_online
                    else []
                ),
            ],
        )
        for c in ws[ws.max_row]:
            c.alignment = wrap
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 16
    from openpyxl.utils import get_column_letter

    for i in range(len(g.tables)):
        ws.column_dimensions[get_column_letter(3 + i)].width = 20
    ws.freeze_panes = "C3"
    ls = wb.create_sheet(gettext("洽谈清单"))
    _append(
        ls, [gettext("场次"), gettext("时间"), gettext("洽谈桌"), gettext("企业代表"), gettext("企业"), gettext("专家"), gettext("学会"), gettext("洽谈需求"), gettext("状态"), gettext("现场结果")]
    )
    for c in ls[1]:
        c.font, c.fill = bold, fill
    for m in selectors.meeting_list(user=user, event=event):
        _append(
            ls,
            [
                m.slot,
                g.day.slot_label(m.slot),
                m.place,
                m.enterprise.name,
                m.enterprise.organisation.name if m.enterprise.organisation_id else "",
                m.expert.name,
                m.expert.organisation.name if m.expert.organisation_id else "",
                need_label(user, m.need),
                m.get_status_display(),
                m.get_outcome_display() if m.outcome else "",
            ],
        )
    return _save(wb)
