from datetime import date, datetime

from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kechuang.api.pagination import BoundedPagination
from kechuang.core.filters import SEARCH_MAX_CHARS
from kechuang.needs import selectors, services
from kechuang.needs.models import NeedStatus
from kechuang.needs.selectors import need_label

router = Router(tags=["needs"])


class NeedOut(Schema):
    id: int
    title: str
    enterprise: str
    kind: str
    chain: str
    district: str
    status: str
    confidentiality: str
    major: bool
    created_at: datetime

    @staticmethod
    def resolve_title(obj, context):
        return need_label(context["request"].user, obj)

    @staticmethod
    def resolve_enterprise(obj):
        return obj.enterprise.name

    @staticmethod
    def resolve_chain(obj):
        return obj.chain.code

    @staticmethod
    def resolve_district(obj):
        return obj.district.code


class NeedAttachmentOut(Schema):
    id: int
    name: str
    uploaded_at: datetime
    url: str

    @staticmethod
    def resolve_url(obj):
        return reverse("needs:attachment", args=[obj.pk])


class NeedDetailOut(NeedOut):
    background: str
    problem: str
    goal: str
    keywords: list[str]
    budget_min: int | None
    budget_max: int | None
    deadline: date | None
    source: str
    contact_name: str = Field("", description="联系人; empty unless the caller handles the need")
    contact_phone: str = Field("", description="联系电话; empty unless the caller handles the need")
    attachments: list[NeedAttachmentOut] = []

    @staticmethod
    def resolve_contact_name(obj, context):
        return obj.contact_name if services.can_see_contact(context["request"].user, obj) else ""

    @staticmethod
    def resolve_contact_phone(obj, context):
        return obj.contact_phone if services.can_see_contact(context["request"].user, obj) else ""

    @staticmethod
    def resolve_attachments(obj, context):
        return list(selectors.need_attachments(user=context["request"].user, need=obj))


NO_NUL = r"^[^\x00]*$"


class NeedFilters(Schema):
    q: str | None = Field(None, max_length=SEARCH_MAX_CHARS)
    # codes: no NUL character (PostgreSQL refuses it in a query: a 500 instead of an empty list)
    chain: str | None = Field(None, max_length=64, pattern=NO_NUL)
    district: str | None = Field(None, max_length=64, pattern=NO_NUL)
    status: NeedStatus | None = None


@router.get("/", response=list[NeedOut])
@paginate(BoundedPagination)
def list_needs(request, filters: Query[NeedFilters]):
    return selectors.need_list(user=request.user, filters=filters.dict(exclude_none=True))


@router.get("/{int:need_id}", response=NeedDetailOut)
def get_need(request, need_id: int):
    need = selectors.need_get(user=request.user, pk=need_id)
    services.need_record_view(user=request.user, need=need, via="api")
    return need
