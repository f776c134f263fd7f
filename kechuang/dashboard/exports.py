"""The briefing in one click: the same figures as the page, as Excel tables (openpyxl) and a PDF
(WeasyPrint, Noto Sans CJK SC). Figures and lists count the same needs: those the user may open
(every need for coordinators; docs/adr/0014-dashboard-confidential-figures.md)."""

from __future__ import annotations

from io import BytesIO

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from kechuang.core.xlsx import safe_cell
from kechuang.dashboard import selectors
from kechuang.dashboard.briefing import detail_sentence, summary_sentence
from kechuang.dashboard.cache import cached_dashboard

LIST_LIMIT = 200  # rows of the list tables; the figures above them count every row the user may open
# The PDF is read, not filtered: the most recent 20 of each list keep it to a few pages (layout is
# what a PDF costs — 16 pages took ~10 s with 200-row lists); the Excel keeps LIST_LIMIT rows.
PDF_LIST_LIMIT = 20


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _days(x: float | None) -> str:
    return "—" if x is None else (f"{x:g}")


def chart_data(d: selectors.Dashboard) -> dict:
    """Plain data for the ECharts on the page (serialised with ``json_script``)."""
    return {
        "months": {
            "x": [m["month"] for m in d.months],
            "needs": [m["needs"] for m in d.months],
            "meetings": [m["meetings"] for m in d.months],
            "visits": [m["visits"] for m in d.months],
            "agreements": [m["agreements"] for m in d.months],
        },
        "chains": {
            "x": [c["chain"].name for c in d.chains],
            "needs": [c["needs"] for c in d.chains],
            "experts": [c["experts"] for c in d.chains],
            "gap": [c["gap"] for c in d.chains],
        },
        "funnel": [{"name": f["label"], "value": f["reached"]} for f in d.funnel],
        "districts": {
            "x": [r["area"].name for r in d.districts],
            "needs": [r["needs"] for r in d.districts],
            "visits": [r["visits"] for r in d.districts],
            "agreements": [r["agreements"] for r in d.districts],
        },
        "societies": {
            "x": [r["society"].short_name or r["society"].name for r in d.societies],
            "events": [r["events"] for r in d.societies],
            "visits": [r["visits"] for r in d.societies],
            "agreements": [r["agreements"] for r in d.societies],
        },
    }


def tables(user, d: selectors.Dashboard, limit: int = LIST_LIMIT) -> list[tuple[str, list[str], list[list]]]:
    """Every table of the briefing as (title, headers, rows); lists show the ``limit`` most recent."""
    h, sc = d.headline, d.scope
    out = [
        (
            gettext("核心指标"),
            [gettext("指标"), gettext("数值"), gettext("口径")],
            [
                [
                    gettext("对接全国学会（家）"),
                    h["societies"],
                    gettext("期内活动、走访、协议或新揭牌基地涉及的全国学会，去重"),
                ],
                [gettext("召开对接会/座谈会（次）"), h["meetings"], gettext("期内举办的对接会和座谈会")],
                [
                    gettext("征集企业需求（项）"),
                    h["needs"],
                    gettext("期内提交的需求，含保密需求")
                    if sc.all_needs
                    else gettext("期内提交且导出人有权查看的需求，保密需求不计入"),
                ],
                [gettext("其中重大需求（项）"), h["major_needs"], gettext("标记为重大需求的")],
                [gettext("走进园区/企业（场次）"), h["visits"], ngettext("期内走访，共走访企业 %(value)s 家次", "期内走访，共走访企业 %(value)s 家次", h["visit_stops"]) % {"value": h['visit_stops']}],
                [gettext("签订合作协议（项）"), h["agreements"], gettext("期内签订；任一签约方在所选地区即计入")],
                [gettext("协议金额（万元）"), round(h["amount"], 2), gettext("期内签订协议金额合计")],
                [
                    gettext("成果转化基地和服务中心（个）"),
                    h["bases"],
                    gettext("截至期末已揭牌，其中期内新揭牌 %(value)s 个") % {"value": h['bases_new']},
                ],
                [gettext("引进学术会议和竞赛（场）"), h["city_events"], ngettext("参与规模合计 %(value)s 人", "参与规模合计 %(value)s 人", h["city_event_scale"]) % {"value": h['city_event_scale']}],
            ],
        ),
        (
            gettext("产业链"),
            [
                gettext("产业链"),
                gettext("产业专班"),
                gettext("需求"),
                gettext("重大需求"),
                gettext("在办需求"),
                gettext("已签约需求"),
                gettext("覆盖专家"),
                gettext("相关成果"),
                gettext("覆盖情况"),
            ],
            [
                [
                    c["chain"].name,
                    c["chain"].task_force,
                    c["needs"],
                    c["major"],
                    c["open"],
                    c["signed"],
                    c["experts"],
                    c["achievements"],
                    selectors.GAP_LABELS[c["gap"]],
                ]
                for c in d.chains
            ],
        ),
        (
            gettext("区市"),
            [gettext("区（市）"), gettext("需求"), gettext("重大需求"), gettext("走访"), gettext("协议"), gettext("基地/中心")],
            [
                [r["area"].name, r["needs"], r["major"], r["visits"], r["agreements"], r["bases"]]
                for r in d.districts
            ],
        ),
        (
            gettext("学会"),
            [gettext("全国学会"), gettext("活动"), gettext("走访"), gettext("协议"), gettext("基地/中心")],
            [[r["society"].name, r["events"], r["visits"], r["agreements"], r["bases"]] for r in d.societies],
        ),
        (
            gettext("月度"),
            [gettext("月份"), gettext("需求"), gettext("对接会"), gettext("走访"), gettext("协议")],
            [[m["month"], m["needs"], m["meetings"], m["visits"], m["agreements"]] for m in d.months],
        ),
        (
            gettext("需求漏斗"),
            [gettext("阶段"), gettext("到达需求数"), gettext("较上一阶段转化率"), gettext("占提交需求比例"), gettext("上一阶段到本阶段天数中位数")],
            [
                [f["label"], f["reached"], _pct(f["rate"]), _pct(f["overall"]), _days(f["median_days"])]
                for f in d.funnel
            ],
        ),
        (
            gettext("合作协议（最近 %(limit)s 项）") % {"limit": limit},
            [gettext("签订日期"), gettext("协议名称"), gettext("类型"), gettext("签约各方"), gettext("金额（万元）")],
            [
                [
                    a.signed.isoformat(),
                    a.title,
                    str(a.get_kind_display()),
                    "、".join(p.name for p in a.parties.all()),
                    float(a.amount) if a.amount is not None else "",
                ]
                for a in selectors.recent_agreements(user, sc, limit)
            ],
        ),
        (
            gettext("重大需求清单（最近 %(limit)s 项）") % {"limit": limit},
            [gettext("提交日期"), gettext("项目名称"), gettext("企业"), gettext("产业链"), gettext("地区"), gettext("状态")],
            [
                [
                    n.created_at.date().isoformat(),
                    n.title,
                    n.enterprise.name,
                    n.chain.name,
                    n.district.name,
                    str(n.get_status_display()),
                ]
                for n in selectors.recent_major_needs(user, sc, limit)
            ],
        ),
    ]
    return out


def _texts(d: selectors.Dashboard) -> tuple[str, str]:
    h = selectors.headline_tuple(d.headline)
    return summary_sentence(h, period=d.scope.period, area=d.scope.area_name), detail_sentence(h)


def briefing_xlsx(user, scope: selectors.Scope) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    d = cached_dashboard(user, scope)
    summary, detail = _texts(d)
    wb = Workbook()
    ws = wb.active
    ws.title = gettext("简报")
    ws["A1"] = safe_cell(gettext("科创中国 · 科技服务对接工作简报（%(area_name)s）") % {"area_name": scope.area_name})
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = safe_cell(
        gettext("统计期间：%(period)s；统计地区：%(area_name)s；生成时间：%(localtime)s") % {"period": scope.period, "area_name": scope.area_name, "localtime": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    )
    ws["A4"] = safe_cell(summary)
    ws["A5"] = safe_cell(detail)
    ws["A7"] = safe_cell(
        gettext("说明：%(needs_rule)s；清单中仅列出导出人有权查看的需求。口径见各表及 docs/adr/0004-dashboard-figures.md、docs/adr/0014-dashboard-confidential-figures.md。") % {"needs_rule": scope.needs_rule}
    )
    for cell in ("A4", "A5", "A7"):
        ws[cell].alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 120
    for r in (4, 5):
        ws.row_dimensions[r].height = 48
    head_fill = PatternFill("solid", fgColor="DCE6F2")
    for title, headers, rows in tables(user, d):
        sh = wb.create_sheet(title.split("（")[0][:31])
        sh.append([safe_cell(h) for h in headers])
        for c in sh[1]:
            c.font = Font(bold=True)
            c.fill = head_fill
        for row in rows:  # every cell defused (formulas) and cleaned (control characters)
            sh.append([safe_cell(c) for c in row])
        for i, hdr in enumerate(headers, start=1):
            width = max([len(str(hdr))] + [len(str(r[i - 1])) for r in rows[:200]]) * 2 + 2
            sh.column_dimensions[sh.cell(1, i).column_letter].width = min(max(width, 8), 60)
        sh.freeze_panes = "A2"
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def pdf_tables(tabs: list[tuple[str, list[str], list[list]]]) -> list[dict]:
    """The tables of the PDF with their column widths (``table-layout: fixed``; kechuang.dashboard.pdf)."""
    from kechuang.dashboard.pdf import column_widths

    return [
        {"title": title, "headers": headers, "rows": rows, "widths": column_widths(headers, rows)}
        for title, headers, rows in tabs
    ]


def briefing_html(user, scope: selectors.Scope) -> str:
    d = cached_dashboard(user, scope)
    summary, detail = _texts(d)
    return render_to_string(
        "dashboard/briefing_pdf.html",
        {
            "d": d,
            "scope": scope,
            "summary": summary,
            "detail": detail,
            "tables": pdf_tables(tables(user, d, PDF_LIST_LIMIT)),
            "generated": timezone.localtime(),
        },
    )


def briefing_pdf(user, scope: selectors.Scope) -> bytes:
    from kechuang.dashboard.pdf import html_to_pdf

    return html_to_pdf(briefing_html(user, scope))


def warm_up_pdf() -> bytes:
    """A one-page briefing made of placeholders, through the same template, stylesheet, fonts and
    WeasyPrint as :func:`briefing_pdf`, and no database read: run once when a task worker starts
    (``manage.py db_worker``), so that the process's first real briefing does not also pay for
    loading WeasyPrint, fontconfig and the CJK font, the user-agent stylesheet and the template
    (~1.5–2 s; docs/adr/0040-briefing-pdf-layout.md, "Warm-up")."""
    from types import SimpleNamespace

    from kechuang.dashboard.pdf import html_to_pdf

    scope = SimpleNamespace(area_name="青岛市", period="2026", needs_rule="")
    rows = [["科创对接 Kechuang 2026", "1", "0.5"]]
    html = render_to_string(
        "dashboard/briefing_pdf.html",
        {
            "d": None,
            "scope": scope,
            "summary": "科创中国 warm-up",
            "detail": "",
            "tables": pdf_tables([("科创对接", ["产业链", "需求", "比例"], rows)]),
            "generated": timezone.localtime(),
        },
    )
    return html_to_pdf(html)
