"""The experts list's loops written in Python, byte for byte what experts/list.html's loops wrote
(ADR 0051; ``kechuang.core.rows``): its 30 rows, the research-field options and the service teams."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext, ngettext

from kechuang.core.rows import literal, markup, pk_url, text

register = template.Library()


@register.simple_tag
def expert_rows(cards) -> str:
    """``{% for e in cards %}<tr>…</tr>\n{% empty %}…{% endfor %}\n``."""
    cards = list(cards or [])
    if not cards:
        return markup(f'<tr><td colspan="6" class="muted">{literal(gettext("没有符合条件的专家。"))}</td></tr>\n')
    detail = pk_url("experts:detail")
    out = []
    for e in cards:
        societies = "".join(f'<span class="tag">{text(s)}</span>' for s in e.societies)
        fields = "".join(f'<span class="tag">{text(f)}</span>' for f in (e.fields or [])[:3])
        out.append(
            f'<tr><td><a href="{detail(e.pk)}">{text(e.name)}</a></td><td>{text(e.title)}</td>'
            f"<td>{text(e.affiliation)}</td>\n<td>{societies}</td>\n<td>{fields}</td>"
            f"<td>{text(e.availability_label)}</td></tr>\n"
        )
    return markup("".join(out) + "\n")


@register.simple_tag
def field_options(choices, selected) -> str:
    """``{% for f in field_choices %}<option …>{% endfor %}`` (the selected field marked)."""
    out = []
    for f in choices:
        value = text(f)
        out.append(f'<option value="{value}"{" selected" if selected == f else ""}>{value}</option>')
    return markup("".join(out))


@register.simple_tag
def team_items(teams) -> str:
    """``{% for t in teams %}<li>…</li>{% endfor %}``."""
    out = []
    for t in teams:
        n = t.n_experts
        experts = ngettext("%(n)s 位专家", "%(n)s 位专家", n) % {"n": text(n)}
        out.append(f'<li>{text(t.name)} <span class="muted">{text(t.theme)} · {experts}</span></li>')
    return markup("".join(out))
