"""Printing needs in templates: ``{% load needs_tags %}{{ need|need_title:user }}``.

Every template that names a need goes through these filters, which call
``kechuang.needs.selectors.need_label`` — the one place that decides whether the reader sees the
title or "（保密需求）". Lists come from selectors that mark their needs in one query."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, escape
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext

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
        by = text(str(h.by)) if h.by else system
        note = f"<div>{text(h.note)}</div>" if h.note else ""
        out.append(f'<li>{tag} <span class="muted">{when} · {by}</span>{note}</li>')
    return markup("".join(out))


@register.simple_tag
def owner_select(form) -> str:
    """``{{ form.owner }}`` of an unbound ``OwnerForm`` (the need page's 跟进负责人 card), written in Python:
    the candidates read as tuples of the columns their labels print (``forms.OWNER_OPTION_COLUMNS``), not as
    accounts through the widget's option dicts and templates — ~10,000 calls of the coordinator's need page
    (ADR 0051, amended in session 16). The markup is ``core.renderers``'s ``<select>``'s; the attributes,
    value and empty label come from the bound field as Django's widget takes them. A bound form (a POST
    whose errors are shown), or a widget other than a plain Select, is rendered by Django."""
    from django import forms

    from kechuang.core.renderers import OPTION, SELECT, _attrs
    from kechuang.needs.forms import OWNER_OPTION_COLUMNS, owner_option_label

    bf = form["owner"]
    field, widget = bf.field, bf.field.widget
    if (form.is_bound or type(widget) is not forms.Select or widget.template_name != SELECT
            or widget.option_template_name != OPTION or widget.allow_multiple_selected):
        return bf.as_widget()
    attrs = bf.build_widget_attrs({}, widget)
    if bf.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bf.auto_id)
    values = set(widget.format_value(bf.value()))
    options = [] if field.empty_label is None else [("", field.empty_label)]
    options += [(pk, owner_option_label(*label)) for pk, *label in field.queryset.values_list(*OWNER_OPTION_COLUMNS)]
    out = [f'<select name="{conditional_escape(bf.html_name)}"{_attrs(widget.build_attrs(widget.attrs, attrs))}>']
    chosen = False
    for value, label in options:
        value = str(value)
        selected = not chosen and value in values
        chosen = chosen or selected
        out.append(f'\n  <option value="{escape(value)}"{" selected" if selected else ""}>{text(label)}'
                   "</option>\n")
    out.append("\n</select>")
    return markup("".join(out))


_FIELD_LABELS: dict[str, tuple] = {}


def _field_labels() -> tuple:
    """The fields card's labels as ``{% translate %}`` printed them, translated once per language (as
    ``core.choices`` keeps choice labels): 17 ``gettext`` calls a page otherwise."""
    language = get_language()
    labels = _FIELD_LABELS.get(language)
    if labels is None:
        labels = _FIELD_LABELS[language] = tuple(literal(m) for m in (
            gettext("需求企业"), gettext("需求类型"), gettext("行业领域/产业链"), gettext("地区"), gettext("需求背景"),
            gettext("需解决的主要技术难题"), gettext("期望实现的技术目标"), gettext("关键词"), gettext("预算"),
            gettext("期限"), gettext("来源"), gettext("跟进负责人"), gettext("联系人"), gettext("联系电话"),
            gettext("面议"), gettext("未指定"),
        ))
    return labels


@register.simple_tag
def need_fields(need, can_see_contact) -> str:
    """The need page's fields card (what needs/detail.html's ``<dl class="fields">`` held), in Python: its
    17 ``{% translate %}`` and 20 printed values were a sixth of the page's calls (ADR 0051, amended in
    session 16). Values printed with ``text`` as ``{{ }}`` does, labels as ``{% translate "…" %}``
    does (``_field_labels``); ``|default:"—"`` prints "—" for any false value, as the filter does."""

    def dd(value) -> str:
        return text(value) if value else "—"

    (enterprise, kind, chain_label, district, background, problem, goal, keywords_label, budget_label, deadline,
     source, owner_label, contact, phone, negotiable, unassigned) = _field_labels()
    chain = need.chain
    keywords = need.keywords if need.keywords is not None else []
    keywords = "".join(f'<span class="tag">{text(k)}</span>' for k in keywords) or "—"
    if need.budget_min or need.budget_max:
        budget = gettext("%(budget_min)s–%(budget_max)s 万元") % {
            "budget_min": text(need.budget_min or "?"), "budget_max": text(need.budget_max or "?")}
    else:
        budget = negotiable
    owner = need.owner
    rows = [
        (enterprise, text(need.enterprise.name)),
        (kind, text(need.get_kind_display())),
        (chain_label, text(chain.name) + (f"（{text(chain.task_force)}）" if chain.task_force else "")),
        (district, text(need.district.name)),
        (background, text(need.background)),
        (problem, text(need.problem)),
        (goal, text(need.goal)),
        (keywords_label, keywords),
        (budget_label, budget),
        (deadline, ymd(need.deadline) or "—"),
        (source, text(need.get_source_display())),
        (owner_label, text(str(owner)) if owner else unassigned),
    ]
    out = "".join(f"  <dt>{label}</dt><dd>{value}</dd>\n" for label, value in rows) + "  "
    if can_see_contact:
        out += (f'<dt>{contact}</dt><dd data-testid="need-contact">{dd(need.contact_name)}</dd>\n'
                f'  <dt>{phone}</dt><dd data-testid="need-phone">{dd(need.contact_phone)}</dd>')
    return markup(out)


