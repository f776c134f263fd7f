from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kechuang.api.common import LIST_ERRORS, READ_ERRORS, pk_path
from kechuang.api.pagination import BoundedPagination
from kechuang.core.filters import SEARCH_MAX_CHARS
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


@router.get("/", response={200: list[ExpertOut], **LIST_ERRORS})
@paginate(BoundedPagination)
def list_experts(request, filters: Query[ExpertFilters]):
    return selectors.expert_list(user=request.user, filters={"q": filters.q or ""})


@router.get("/{expert_id}", response={200: ExpertOut, **READ_ERRORS})
def get_expert(request, expert_id: int = pk_path()):
    return selectors.expert_get(user=request.user, pk=expert_id)
