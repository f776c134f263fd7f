"""Events (对接会, 座谈会, 走进园区…) as the events page shows them."""

from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kechuang.api.common import LIST_ERRORS, READ_ERRORS, apply_ordering, ordering_field, pk_path
from kechuang.api.pagination import BoundedPagination
from kechuang.core.filters import SEARCH_MAX_CHARS, search_text
from kechuang.events import selectors
from kechuang.events.models import Event

router = Router(tags=["events"])
ORDERING = {"start": "start", "title": "title"}


class EventOut(Schema):
    id: int
    kind: str
    title: str
    start: datetime
    end: datetime
    venue: str
    district: str | None
    description: str

    @staticmethod
    def resolve_district(obj):
        return obj.district.code if obj.district_id else None


class EventFilters(Schema):
    kind: Event.Kind | None = None
    q: str | None = Field(None, max_length=SEARCH_MAX_CHARS)
    ordering: str | None = ordering_field(ORDERING)


@router.get("/", response={200: list[EventOut], **LIST_ERRORS}, url_name="event_list")
@paginate(BoundedPagination)
def list_events(request, filters: Query[EventFilters]):
    qs = selectors.event_list(user=request.user, kind=filters.kind)
    if t := search_text(filters.q):
        qs = qs.filter(title__icontains=t)
    return apply_ordering(qs, ORDERING, filters.ordering)


@router.get("/{event_id}", response={200: EventOut, **READ_ERRORS}, url_name="event_get")
def get_event(request, event_id: int = pk_path()):
    return selectors.event_get(user=request.user, pk=event_id)
