"""Meetings (洽谈) of an event as the caller may see them."""

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kechuang.api.common import READ_ERRORS, apply_ordering, ordering_field, pk_path
from kechuang.api.pagination import ListedNeedRefsPagination
from kechuang.events import selectors
from kechuang.events.models import Meeting
from kechuang.needs.selectors import need_label

router = Router(tags=["meetings"])
ORDERING = {"slot": ("slot", "table__number"), "created_at": "created_at"}


class EventPairOut(Schema):
    """An enterprise and an expert at an event, about a need (its title as the caller may read it):
    the common part of a meeting and a meeting request."""

    id: int
    event: int
    enterprise: int
    enterprise_name: str
    expert: int
    expert_name: str
    need: int | None
    need_title: str

    @staticmethod
    def resolve_event(obj):
        return obj.event_id

    @staticmethod
    def resolve_enterprise(obj):
        return obj.enterprise_id

    @staticmethod
    def resolve_expert(obj):
        return obj.expert_id

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name

    @staticmethod
    def resolve_expert_name(obj):
        return obj.expert.name

    @staticmethod
    def resolve_need(obj):
        return obj.need_id

    @staticmethod
    def resolve_need_title(obj, context):
        return need_label(context["request"].user, obj.need) if obj.need_id else ""


class MeetingOut(EventPairOut):
    slot: int | None
    table: int | None
    online: bool
    status: str
    outcome: str

    @staticmethod
    def resolve_table(obj):
        return obj.table.number if obj.table_id else None

    @staticmethod
    def resolve_outcome(obj):
        return obj.outcome or ""


class MeetingFilters(Schema):
    event: int = Field(..., ge=1, le=2**31 - 1, description="活动 id（必填）")
    status: Meeting.Status | None = None
    ordering: str | None = ordering_field(ORDERING)


@router.get("/", response={200: list[MeetingOut], **READ_ERRORS}, url_name="meeting_list")
@paginate(ListedNeedRefsPagination)
def list_meetings(request, filters: Query[MeetingFilters]):
    event = selectors.event_get(user=request.user, pk=filters.event)  # 404 outside scope
    qs = selectors.meeting_list(user=request.user, event=event, scheduled_only=False)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return apply_ordering(qs, ORDERING, filters.ordering)


@router.get("/{meeting_id}", response={200: MeetingOut, **READ_ERRORS}, url_name="meeting_get")
def get_meeting(request, meeting_id: int = pk_path()):
    return selectors.meeting_get(user=request.user, pk=meeting_id)
