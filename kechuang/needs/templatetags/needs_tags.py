"""Printing needs in templates: ``{% load needs_tags %}{{ need|need_title:user }}``.

Every template that names a need goes through these filters, which call
``kechuang.needs.selectors.need_label`` — the one place that decides whether the reader sees the
title or "（保密需求）". Lists come from selectors that mark their needs in one query."""

from __future__ import annotations

from django import template
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from kechuang.core.choices import choice_labels
from kechuang.core.rows import literal, markup, pk_url, text, ymd
from kechuang.needs.models import Need
from kechuang.needs.selectors import need_label, need_visible, table_rows, visible_needs

register = template.Library()


@register.filter
def need_title(need, user) -> str:
    """The need's title if ``user`` may see it, else "（保密需求）"; "" without a need."""
    return need_label(user, need)


@register.filter
def need_is_visible(need, user) -> bool:
    """Whether ``user`` may open ``need`` (to decide whether to link to it)."""
    return need_visible(user, need)


@register.filter
def visible_to(needs, user) -> list:
    """The needs of a list that ``user`` may see (counts and lists never reveal a hidden need)."""
    return visible_needs(user, needs or [])


def _status_tags(need, major: str, stalled: str, *, status=None, is_major=None, is_stalled=None) -> str:
    """needs/_status.html (its final newline included); the row's own status and flags when given
    (a table row's light need holds only what its label reads)."""
    status = need.status if status is None else status
    labels = choice_labels(Need._meta.get_field("status"))
    out = f'<span class="tag st-{text(status)}">{text(labels.get(status, status))}</span>'
    if need.is_confidential:
        out += f'<span class="tag conf">{text(need.get_confidentiality_display())}</span>'
    if need.major if is_major is None else is_major:
        out += f'<span class="tag major">{major}</span>'
    if getattr(need, "is_stalled", None) if is_stalled is None else is_stalled:
        out += f'<span class="tag stalled">{stalled}</span>'
    return out + "\n"


@register.simple_tag
def need_status(need) -> str:
    """``{% include "needs/_status.html" %}`` for one need, written in Python (ADR 0051)."""
    return markup(_status_tags(need, literal(gettext("重大")), literal(gettext("停滞"))))


@register.simple_tag(takes_context=True)
def need_rows(context, needs) -> str:
    """The rows of needs/_table.html (what its ``{% for need in needs %}`` wrote), in Python: the
    needs list, the home pages and the other tables of needs print 10–25 of them (ADR 0051).
    Reads ``user``, ``bulk_form`` and ``sort`` from the context as the loop did."""
    user = context.get("user")
    bulk, sort = bool(context.get("bulk_form")), bool(context.get("sort"))
    if needs is None:
        needs = []
    if not hasattr(needs, "__len__"):
        needs = list(needs)
    if not len(needs):
        cols = ("8" if bulk else "7") if sort else "6"
        return markup(f'<tr><td colspan="{cols}" class="muted">{literal(gettext("没有符合条件的需求。"))}</td></tr>')
    detail = pk_url("needs:detail")
    select, major, stalled = literal(gettext("选择")), literal(gettext("重大")), literal(gettext("停滞"))
    unassigned = literal(gettext("未指定")) if sort else ""
    out = []
    for row in table_rows(user, needs):
        need = row.need
        label = text(need_label(user, need))
        html = "\n    <tr>"
        if bulk:
            html += (f'<td><input type="checkbox" name="needs" value="{text(need.pk)}" form="bulk-owner" '
                     f'aria-label="{select} {label}"></td>')
        html += f'<td><a href="{detail(need.pk)}">{label}</a>'
        if sort and need.is_confidential:
            html += f' <span class="tag conf">{text(need.get_confidentiality_display())}</span>'
        status = _status_tags(need, major, stalled, status=row.status, is_major=row.major, is_stalled=row.is_stalled)
        html += (f"</td><td>{text(row.enterprise_name)}</td>\n"
                 f'      <td data-col="chain">{text(row.chain_name)}</td>'
                 f'<td data-col="district">{text(row.district_name)}</td>'
                 f"<td>{status}</td>\n      ")
        if sort:
            html += (f'<td data-testid="owner">{text(row.owner)}</td>' if row.owner
                     else f'<td data-testid="owner"><span class="muted">{unassigned}</span></td>')
        html += f'\n      <td class="muted">{ymd(row.created_at)}</td></tr>\n  '
        out.append(html)
    return markup("".join(out))


@register.simple_tag
def need_history_rows(history) -> str:
    """The need page's status record (what needs/detail.html's ``{% for h in history %}`` wrote), in
    Python: the loop was ~10 % of the page's calls (ADR 0051, amended in session 13)."""
    owner_changed, system = literal(gettext("负责人变更")), text(gettext("系统"))
    out = []
    for h in history:
        if h.from_status == h.to_status:
            tag = f'<span class="tag">{owner_changed}</span>'
        else:
            tag = f'<span class="tag st-{text(h.to_status)}">{text(h.get_to_status_display())}</span>'
        at = template_localtime(h.at)
        when = f"{ymd(at)} {at.hour:02d}:{at.minute:02d}"
        by = text(h.by) if h.by else system
        note = f"<div>{text(h.note)}</div>" if h.note else ""
        out.append(f'<li>{tag} <span class="muted">{when} · {by}</span>{note}</li>')
    return markup("".join(out))
