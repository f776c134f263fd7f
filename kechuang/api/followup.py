"""Visits (走进园区/问诊) and agreements (签约) as the follow-up pages show them."""

from datetime import date

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kechuang.api.common import LIST_ERRORS, NO_NUL, READ_ERRORS, apply_ordering, ordering_field, pk_path
from kechuang.api.pagination import BoundedPagination
from kechuang.core.filters import SEARCH_MAX_CHARS
from kechuang.followup import selectors
from kechuang.followup.models import Agreement

visits = Router(tags=["visits"])
agreements = Router(tags=["agreements"])
VISIT_ORDERING = {"date": "date", "title": "title"}
AGREEMENT_ORDERING = {"signed": "signed", "amount": "amount", "title": "title"}


class VisitOut(Schema):
    id: int
    title: str
    date: date
    district: str | None
    park: str | None
    note: str
    n_stops: int = 0
    n_experts: int = 0

    @staticmethod
    def resolve_district(obj):
        return obj.district.code if obj.district_id else None

    @staticmethod
    def resolve_park(obj):
        return obj.park.name if obj.park_id else None

    @staticmethod
    def resolve_n_stops(obj):
        return getattr(obj, "n_stops", None) or obj.stops.count()

    @staticmethod
    def resolve_n_experts(obj):
        return getattr(obj, "n_experts", None) or obj.experts.count()


class VisitFilters(Schema):
    q: str | None = Field(None, max_length=SEARCH_MAX_CHARS)
    district: str | None = Field(None, max_length=64, pattern=NO_NUL, description="地区代码（含下级）")
    date_from: date | None = None
    date_to: date | None = None
    ordering: str | None = ordering_field(VISIT_ORDERING)


@visits.get("/", response={200: list[VisitOut], **LIST_ERRORS}, url_name="visit_list")
@paginate(BoundedPagination)
def list_visits(request, filters: Query[VisitFilters]):
    qs = selectors.visit_list(user=request.user, filters=filters.dict(exclude_none=True))
    return apply_ordering(qs, VISIT_ORDERING, filters.ordering)


@visits.get("/{visit_id}", response={200: VisitOut, **READ_ERRORS}, url_name="visit_get")
def get_visit(request, visit_id: int = pk_path()):
    return selectors.visit_get(user=request.user, pk=visit_id)


class AgreementOut(Schema):
    id: int
    title: str
    kind: str
    amount: float | None
    signed: date
    parties: list[str]
    note: str

    @staticmethod
    def resolve_amount(obj):
        return float(obj.amount) if obj.amount is not None else None

    @staticmethod
    def resolve_parties(obj):
        return [p.name for p in obj.parties.all()]


class AgreementFilters(Schema):
    q: str | None = Field(None, max_length=SEARCH_MAX_CHARS)
    kind: Agreement.Kind | None = None
    district: str | None = Field(None, max_length=64, pattern=NO_NUL, description="签约方所在地区代码")
    date_from: date | None = None
    date_to: date | None = None
    ordering: str | None = ordering_field(AGREEMENT_ORDERING)


@agreements.get("/", response={200: list[AgreementOut], **LIST_ERRORS}, url_name="agreement_list")
@paginate(BoundedPagination)
def list_agreements(request, filters: Query[AgreementFilters]):
    qs = selectors.agreement_list(user=request.user, filters=filters.dict(exclude_none=True))
    return apply_ordering(qs, AGREEMENT_ORDERING, filters.ordering)


@agreements.get("/{agreement_id}", response={200: AgreementOut, **READ_ERRORS}, url_name="agreement_get")
def get_agreement(request, agreement_id: int = pk_path()):
    return selectors.agreement_get(user=request.user, pk=agreement_id)
