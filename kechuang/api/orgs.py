"""Organisations (enterprises, societies, universities…) as the organisations page shows them."""

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kechuang.api.common import LIST_ERRORS, READ_ERRORS, apply_ordering, ordering_field, pk_path
from kechuang.api.pagination import BoundedPagination
from kechuang.core.filters import SEARCH_MAX_CHARS
from kechuang.orgs import selectors
from kechuang.orgs.models import Organisation

router = Router(tags=["organisations"])
ORDERING = {"name": "name", "kind": ("kind", "name")}


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    district: str | None
    chain: str | None
    fields: list[str]

    @staticmethod
    def resolve_district(obj):
        return obj.district.code if obj.district_id else None

    @staticmethod
    def resolve_chain(obj):
        return obj.chain.code if obj.chain_id else None

    @staticmethod
    def resolve_fields(obj):
        return [str(f) for f in (obj.fields or [])]


class OrganisationFilters(Schema):
    q: str | None = Field(None, max_length=SEARCH_MAX_CHARS)
    kind: Organisation.Kind | None = None
    ordering: str | None = ordering_field(ORDERING)


@router.get("/", response={200: list[OrganisationOut], **LIST_ERRORS}, url_name="organisation_list")
@paginate(BoundedPagination)
def list_organisations(request, filters: Query[OrganisationFilters]):
    qs = selectors.organisation_list(user=request.user, filters=filters.dict(exclude_none=True))
    return apply_ordering(qs.order_by("name", "pk"), ORDERING, filters.ordering)


@router.get("/{org_id}", response={200: OrganisationOut, **READ_ERRORS}, url_name="organisation_get")
def get_organisation(request, org_id: int = pk_path()):
    return selectors.organisation_get(user=request.user, pk=org_id)
