from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

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


@router.get("/", response=list[ExpertOut])
@paginate(BoundedPagination)
def list_experts(request, filters: Query[ExpertFilters]):
    return selectors.expert_list(user=request.user, filters={"q": filters.q or ""})


@router.get("/{int:expert_id}", response=ExpertOut)
def get_expert(request, expert_id: int):
    return selectors.expert_get(user=request.user, pk=expert_id)
