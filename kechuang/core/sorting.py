"""Sorting a list page by a column: ``?sort=<key>`` (ascending) or ``?sort=-<key>`` (descending).

Each list names its sortable columns once (a whitelist: key → database fields); anything else in
``?sort=`` — an unknown key, a field name, a lookup across a relation — is ignored and the list keeps
its default order, never a server error. Every order ends with the primary key, so rows with equal
values keep a stable order across pages (and across SQLite and PostgreSQL); empty values sort last
in both directions on both databases.

A view::

    SORT = Sorting({"title": "title", "created": "created_at"}, default="-created")
    qs, sort = SORT.apply(qs, request)          # the page and its Excel export both use ``qs``

and its template::

    {% load sorting %}<tr>{% sort_th sort "title" _("项目名称") %}…</tr>

The header cell holds a link that keeps every other query parameter (filters), drops the page
number, shows an arrow on the active column and carries ``aria-sort`` for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, QuerySet

PARAM = "sort"


@dataclass(frozen=True)
class SortState:
    """The order a page is shown in: which column, which direction (for headers and exports)."""

    key: str
    descending: bool
    sorting: Sorting

    @property
    def value(self) -> str:
        return ("-" if self.descending else "") + self.key

    def next_value(self, key: str) -> str:
        """The ``?sort=`` value a click on column ``key`` asks for: the active one flips."""
        if key == self.key:
            return key if self.descending else f"-{key}"
        return f"-{key}" if key in self.sorting.descending_first else key

    def arrow(self, key: str) -> str:
        if key != self.key:
            return ""
        return "▼" if self.descending else "▲"

    def aria(self, key: str) -> str:
        if key != self.key:
            return "none"
        return "descending" if self.descending else "ascending"


class Sorting:
    """The sortable columns of one list.

    ``columns`` maps a key (what the URL says) to one field or a tuple of fields (what the database
    orders by); ``default`` is a key with an optional ``-``; ``descending_first`` lists columns whose
    first click sorts descending (dates, amounts: newest or largest first).
    """

    def __init__(
        self,
        columns: dict[str, str | tuple[str, ...]],
        *,
        default: str,
        descending_first: tuple[str, ...] = (),
        tiebreak: str = "pk",
    ):
        self.columns = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in columns.items()}
        if default.lstrip("-") not in self.columns:
            raise ValueError(f"default sort {default!r} is not a column")
        self.default = default
        self.descending_first = frozenset(descending_first)
        self.tiebreak = tiebreak

    def parse(self, value) -> SortState:
        """The state asked for by ``value`` (a ``?sort=`` string), or the default when it is not allowed."""
        text = str(value or "").strip()
        descending = text.startswith("-")
        key = text[1:] if descending else text
        if key not in self.columns:
            key, descending = self.default.lstrip("-"), self.default.startswith("-")
        return SortState(key=key, descending=descending, sorting=self)

    def order(self, qs: QuerySet, state: SortState) -> QuerySet:
        fields = [*self.columns[state.key], self.tiebreak]
        if state.descending:
            exprs = [F(f).desc(nulls_last=True) for f in fields]
        else:
            exprs = [F(f).asc(nulls_last=True) for f in fields]
        return qs.order_by(*exprs)

    def apply(self, qs: QuerySet, request_or_value) -> tuple[QuerySet, SortState]:
        """``qs`` in the order the request asks for (``?sort=``), and that order for the template."""
        value = request_or_value
        if hasattr(request_or_value, "GET"):
            value = request_or_value.GET.get(PARAM, "")
        state = self.parse(value)
        return self.order(qs, state), state
