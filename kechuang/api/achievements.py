"""Achievements (科技成果) as the achievements page shows them."""

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kechuang.api.common import LIST_ERRORS, READ_ERRORS, apply_ordering, ordering_field, pk_path
from kechuang.api.pagination import BoundedPagination
from kechuang.core.filters import SEARCH_MAX_CHARS
from kechuang.experts import selectors

router = Router(tags=["achievements"])
ORDERING = {"title": "title", "maturity": ("maturity", "title")}


class AchievementOut(Schema):
    id: int
    title: str
    description: str
    owner_society: str | None
    owner_society_id: int | None
    owner_expert: str | None
    maturity: str
    ip: str
    transfer_mode: str
    chain: str | None
    fields: list[str]

    @staticmethod
    def resolve_owner_society(obj):
        return obj.owner_society.name if obj.owner_society_id else None

    @staticmethod
    def resolve_owner_expert(obj):
        return obj.owner_expert.name if obj.owner_expert_id else None

    @staticmethod
    def resolve_chain(obj):
        return obj.chain.code if obj.chain_id else None

    @staticmethod
    def resolve_fields(obj):
        return [str(f) for f in (obj.fields or [])]


class AchievementFilters(Schema):
    q: str | None = Field(None, max_length=SEARCH_MAX_CHARS)
    society: int | None = Field(None, ge=1, le=2**31 - 1, description="所属学会 id")
    ordering: str | None = ordering_field(ORDERING)


@router.get("/", response={200: list[AchievementOut], **LIST_ERRORS}, url_name="achievement_list")
@paginate(BoundedPagination)
def list_achievements(request, filters: Query[AchievementFilters]):
    qs = selectors.achievement_list(user=request.user, filters=filters.dict(exclude_none=True))
    return apply_ordering(qs.order_by("title", "pk"), ORDERING, filters.ordering)


@router.get("/{achievement_id}", response={200: AchievementOut, **READ_ERRORS}, url_name="achievement_get")
def get_achievement(request, achievement_id: int = pk_path()):
    return selectors.achievement_get(user=request.user, pk=achievement_id)
