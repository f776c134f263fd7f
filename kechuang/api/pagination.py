"""The one pagination of the API: bounded page size and offset, so no request can ask for everything."""

from __future__ import annotations

import json
from functools import partial, wraps

from django.http import HttpResponse
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, make_response_paginated
from ninja.responses import NinjaJSONEncoder
from ninja.utils import contribute_operation_args, contribute_operation_callback

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
MAX_OFFSET = 1_000_000


class BoundedPagination(LimitOffsetPagination):
    """``limit`` 1–200 (default 50), ``offset`` 0–1,000,000; anything else is a 422 with the rule named."""

    class Input(Schema):
        limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="每页条数（1–200）")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)


class ListedNeedsPagination(BoundedPagination):
    """A page whose rows show needs: the confidential ones the caller is shown are audited, as an
    export of that list is (``via="api:<list>"``); the API is a bulk read like an export."""

    via = "api:needs"

    @staticmethod
    def needs_of(rows) -> list:
        return list(rows)

    def paginate_queryset(self, queryset, pagination, request, **params):
        from kechuang.needs.selectors import record_listed_views, visible_needs

        page = super().paginate_queryset(queryset, pagination, request, **params)
        rows = list(page[self.items_attribute])
        page[self.items_attribute] = rows
        needs = [n for n in self.needs_of(rows) if n is not None]
        record_listed_views(request.user, visible_needs(request.user, needs), via=self.via)
        return page


class ListedMatchesPagination(ListedNeedsPagination):
    via = "api:matches"

    @staticmethod
    def needs_of(rows) -> list:
        return [m.need for m in rows]


class ListedNeedRefsPagination(ListedNeedsPagination):
    """Meeting requests and meetings: each may name the need it is about."""

    via = "api:events"

    @staticmethod
    def needs_of(rows) -> list:
        return [r.need for r in rows if r.need_id]


def paginate_rows(paginator_class: type[BoundedPagination] = BoundedPagination):
    """``@paginate(paginator_class)`` for a list that prints its rows itself (ADR 0054).

    The same query parameters (``limit``, ``offset``: the same 422s) and the same documented response
    (``Paged<Item>``: ``items`` then ``count``) as ninja's ``@paginate``, but the view returns
    ``(queryset, rows)``: ``queryset`` is counted as ``@paginate`` counts it, and ``rows(request, page)``
    turns the page's slice of it into the items as plain JSON-able dicts in the schema's field order,
    dumped as ninja dumps a validated schema (same encoder, same content type): no model instance, no
    per-row pydantic validation. The dicts must be what the schema would have printed:
    tests/api/test_api_rows.py compares the bytes with the schema-based lists of before."""
    paginator = paginator_class()

    def wrapper(func):
        @wraps(func)
        def view(request, **kwargs):
            pagination = kwargs.pop("ninja_pagination", None)
            if pagination is None:
                pagination = paginator.Input()
            queryset, rows = func(request, **kwargs)
            offset, limit = pagination.offset, min(pagination.limit, paginator.max_limit)
            body = {paginator.items_attribute: rows(request, queryset[offset : offset + limit]),
                    "count": paginator._items_count(queryset)}
            return HttpResponse(json.dumps(body, cls=NinjaJSONEncoder), content_type="application/json; charset=utf-8")

        contribute_operation_args(view, "ninja_pagination", paginator.Input, paginator.InputSource)
        contribute_operation_callback(view, partial(make_response_paginated, paginator))
        view._ninja_is_paginated = True
        return view

    return wrapper
