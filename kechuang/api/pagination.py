"""The one pagination of the API: bounded page size and offset, so no request can ask for everything."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

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
