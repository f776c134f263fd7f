from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view

from kechuang.api.common import LIST_ERRORS, READ_ERRORS, pk_path
from kechuang.api.pagination import paginate_rows
from kechuang.core.filters import SEARCH_MAX_CHARS
from kechuang.core.pagecache import cached_page
from kechuang.experts import selectors

router = Router(tags=["experts"])


class ExpertOut(Schema):
    id: int
    name: str
    title: str
    affiliation: str | None
    fields: list[str]
    keywords: list[str]
    availability: str

    @staticmethod
    def resolve_affiliation(obj):
        return obj.affiliation.name if obj.affiliation else None


class ExpertFilters(Schema):
    q: str | None = Field(None, max_length=SEARCH_MAX_CHARS)


EXPERT_OUT_FIELDS = tuple(ExpertOut.model_fields)  # the columns of selectors.API_ROW_COLUMNS, named


def _expert_rows(request, page) -> list[dict]:
    """The page's rows as ``ExpertOut`` prints them (its fields, in order; ADR 0054)."""
    return [dict(zip(EXPERT_OUT_FIELDS, row, strict=True)) for row in selectors.for_api_rows(page)]


@router.get("/", response={200: list[ExpertOut], **LIST_ERRORS})
@decorate_view(cached_page)  # a browser session's read, kept as the experts page is (ADR 0059)
@paginate_rows()
def list_experts(request, filters: Query[ExpertFilters]):
    return selectors.expert_list(user=request.user, filters={"q": filters.q or ""}), _expert_rows


@router.get("/{expert_id}", response={200: ExpertOut, **READ_ERRORS})
@decorate_view(cached_page)
def get_expert(request, expert_id: int = pk_path()):
    return selectors.expert_get(user=request.user, pk=expert_id)
