"""``{% sort_th sort "key" "label" %}``: a sortable column header cell (see ``kechuang.core.sorting``)."""

from __future__ import annotations

from django import template

from kechuang.core.sorting import PARAM

register = template.Library()

# query parameters a header link never carries over: the page number (a new order starts at page 1)
# and the export switch (a click on a header shows the page, it does not download)
DROPPED = ("page", "export")


def _header(context, state, key: str, label) -> dict:
    request = context.get("request")
    query = request.GET.copy() if request is not None else None
    if query is not None:
        for name in DROPPED:
            query.pop(name, None)
        query[PARAM] = state.next_value(key)
        href = "?" + query.urlencode()
    else:
        href = f"?{PARAM}={state.next_value(key)}"
    return {
        "href": href,
        "label": label,
        "arrow": state.arrow(key),
        "aria": state.aria(key),
        "key": key,
        "active": key == state.key,
    }


@register.inclusion_tag("core/_sort_th.html", takes_context=True)
def sort_th(context, state, key: str, label):
    """A ``<th>`` whose link sorts the list by ``key`` (for tables)."""
    return _header(context, state, key, label)


@register.inclusion_tag("core/_sort_link.html", takes_context=True)
def sort_link(context, state, key: str, label):
    """The same link alone (for lists of cards: a "排序：" bar above them)."""
    return _header(context, state, key, label)


@register.simple_tag(takes_context=True)
def export_url(context, fmt: str = "xlsx") -> str:
    """This page's URL with its filters and order, asking for the Excel file (``?export=xlsx``)."""
    request = context["request"]
    query = request.GET.copy()
    query.pop("page", None)
    query["export"] = fmt
    return "?" + query.urlencode()
