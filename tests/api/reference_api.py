"""The API lists as they were before ADR 0054, frozen: ``/api-ref/needs/`` and ``/api-ref/experts/``
answer as ``/api/needs/`` and ``/api/experts/`` did (ORM rows serialised through the ninja schemas,
audit by ``ListedNeedsPagination``). Used only by ``test_api_rows.py`` to compare bytes."""

from datetime import datetime

from django.urls import path
from ninja import NinjaAPI, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.pagination import paginate

import config.urls
from kechuang.api import api as shipped
from kechuang.api.auth import AUTH
from kechuang.api.common import LIST_ERRORS, apply_ordering
from kechuang.api.experts import ExpertFilters
from kechuang.api.needs import ORDERING, NeedFilters
from kechuang.api.pagination import BoundedPagination, ListedNeedsPagination
from kechuang.experts import selectors as expert_selectors
from kechuang.needs import selectors
from kechuang.needs.selectors import need_label

ref = NinjaAPI(title="reference", version="ref", auth=AUTH, urls_namespace="api_reference")
ref.exception_handler(ValidationError)(shipped._invalid)


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


router = Router()


@router.get("/needs/", response={200: list[NeedOut], **LIST_ERRORS})
@paginate(ListedNeedsPagination)
def list_needs(request, filters: Query[NeedFilters]):
    f = filters.dict(exclude_none=True)
    ordering = f.pop("ordering", None)
    qs = selectors.need_list(user=request.user, filters=f).order_by("-created_at", "-pk")
    return apply_ordering(qs, ORDERING, ordering)


@router.get("/experts/", response={200: list[ExpertOut], **LIST_ERRORS})
@paginate(BoundedPagination)
def list_experts(request, filters: Query[ExpertFilters]):
    return expert_selectors.expert_list(user=request.user, filters={"q": filters.q or ""})


ref.add_router("", router)

urlpatterns = [path("api-ref/", ref.urls), *config.urls.urlpatterns]
