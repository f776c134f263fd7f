"""The dashboard's tables written in Python, byte for byte what dashboard/index.html's loops wrote
(ADR 0051; ``kechuang.core.rows``): industry chains, districts, societies, the funnel, recent agreements.
Rows are the board's dicts (``kechuang.dashboard.selectors``) and agreements."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext, ngettext

from kechuang.core.rows import fixed_url, literal, markup, pk_url, text, ymd

register = template.Library()


def _none() -> str:
    return literal(gettext("暂无"))


@register.simple_tag
def chain_rows(board) -> str:
    """``{% for c in d.chains %}``: needs per chain, linked to the needs list of the chain (and area)."""
    area = getattr(board.scope, "area_code", None)
    href = text(fixed_url("needs:list")) + "?chain="
    district = f"&district={text(area)}" if area else ""
    out = []
    for c in board.chains:
        chain = c["chain"]
        out.append(
            f'<tr><td><a href="{href}{text(chain.code)}{district}">{text(chain.name)}</a></td>'
            f'<td class="muted">{text(chain.task_force)}</td>\n'
            f"<td>{text(c['needs'])}</td><td>{text(c['major'])}</td><td>{text(c['open'])}</td>"
            f"<td>{text(c['signed'])}</td><td>{text(c['experts'])}</td><td>{text(c['achievements'])}</td>\n"
            f'<td><span class="tag gap-{text(c["gap"])}">{text(c["gap_label"])}</span></td></tr>'
        )
    return markup("".join(out))


@register.simple_tag
def district_rows(rows) -> str:
    """``{% for r in d.districts %}`` (or 暂无)."""
    out = [
        f"<tr><td>{text(r['area'].name)}</td><td>{text(r['needs'])}</td><td>{text(r['major'])}</td>"
        f"<td>{text(r['visits'])}</td><td>{text(r['agreements'])}</td><td>{text(r['bases'])}</td></tr>"
        for r in rows
    ]
    return markup("".join(out) or f'<tr><td colspan="6" class="muted">{_none()}</td></tr>')


@register.simple_tag
def society_rows(rows) -> str:
    """``{% for r in d.societies %}`` (or 暂无)."""
    out = [
        f"<tr><td>{text(r['society'].name)}</td><td>{text(r['events'])}</td><td>{text(r['visits'])}</td>"
        f"<td>{text(r['agreements'])}</td><td>{text(r['bases'])}</td></tr>"
        for r in rows
    ]
    return markup("".join(out) or f'<tr><td colspan="5" class="muted">{_none()}</td></tr>')


def _percent(value) -> str:
    """``{% widthratio value 1 100 %}%``, or — for None."""
    if value is None:
        return "—"
    try:
        return f"{round(float(value) / 1.0 * 100)}%"
    except (ValueError, TypeError, OverflowError):
        return "%"


@register.simple_tag
def funnel_rows(rows) -> str:
    """``{% for f in d.funnel %}``: reached, conversion, share of submitted, median days."""
    out = []
    for f in rows:
        days = f.get("median_days")
        if days is not None:
            shown = floatformat(days, "-1")
            days = ngettext("%(median_days)s 天", "%(median_days)s 天", 1 if shown == "1" else 2) % {"median_days": text(shown)}
        out.append(
            f"<tr><td>{text(f['label'])}</td><td>{text(f['reached'])}</td><td>{_percent(f.get('rate'))}</td>\n"
            f"<td>{_percent(f.get('overall'))}</td><td>{'—' if days is None else days}</td></tr>"
        )
    return markup("".join(out))


@register.simple_tag
def agreement_rows(agreements) -> str:
    """``{% for a in agreements %}``: signed, title (linked), kind, amount (or 暂无)."""
    detail = pk_url("followup:agreement_detail")
    out = [
        f'<tr><td>{ymd(a.signed)}</td><td><a href="{detail(a.pk)}">{text(a.title)}</a></td>'
        f"<td>{text(a.get_kind_display())}</td><td>{text(floatformat(a.amount, '-2') or '—')}</td></tr>"
        for a in agreements
    ]
    return markup("".join(out) or f'<tr><td colspan="4" class="muted">{_none()}</td></tr>')
