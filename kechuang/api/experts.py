from ninja import Router, Schema
from ninja.pagination import paginate

from kechuang.api.pagination import BoundedPagination
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


@router.get("/", response=list[ExpertOut])
@paginate(BoundedPagination)
def list_experts(request, q: str | None = None):
    return selectors.expert_list(user=request.user, filters={"q": q or ""})


@router.get("/{int:expert_id}", response=ExpertOut)
def get_expert(request, expert_id: int):
    return selectors.expert_get(user=request.user, pk=expert_id)
