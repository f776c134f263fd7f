"""Meeting requests (洽谈请求) of an event: list, one, ask for a talk, answer one — through
``events.selectors`` and ``events.services`` like the event pages."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kechuang.api.common import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiError,
    apply_ordering,
    ordering_field,
    pk_path,
    service_call,
)
from kechuang.api.meetings import EventPairOut
from kechuang.api.pagination import ListedNeedRefsPagination
from kechuang.events import selectors
from kechuang.events.models import MeetingRequest, Participant
from kechuang.events.services import meeting_requests as services
from kechuang.events.services._common import speaks_for
from kechuang.needs.selectors import need_get

router = Router(tags=["meeting requests"])
ORDERING = {"created_at": "created_at", "priority": "priority", "status": "status"}
PK = {"ge": 1, "le": 2**31 - 1}


class MeetingRequestOut(EventPairOut):
    direction: str
    status: str
    priority: int
    message: str
    online: bool
    created_at: datetime
    responded_at: datetime | None


class MeetingRequestFilters(Schema):
    event: int = Field(..., description="活动 id（必填）", **PK)
    status: MeetingRequest.Status | None = None
    ordering: str | None = ordering_field(ORDERING)


@router.get("/", response={200: list[MeetingRequestOut], **READ_ERRORS}, url_name="meeting_request_list")
@paginate(ListedNeedRefsPagination)
def list_requests(request, filters: Query[MeetingRequestFilters]):
    event = selectors.event_get(user=request.user, pk=filters.event)  # 404 outside scope
    qs = selectors.request_list(user=request.user, event=event).select_related("need")
    if filters.status:
        qs = qs.filter(status=filters.status)
    return apply_ordering(qs, ORDERING, filters.ordering)


def _get(request, pk: int) -> MeetingRequest:
    req = selectors.request_get(user=request.user, pk=pk)
    return MeetingRequest.objects.select_related("enterprise", "expert", "need").get(pk=req.pk)


@router.get("/{request_id}", response={200: MeetingRequestOut, **READ_ERRORS}, url_name="meeting_request_get")
def get_request(request, request_id: int = pk_path()):
    return _get(request, request_id)


class MeetingRequestIn(Schema):
    event: int = Field(..., description="活动 id", **PK)
    enterprise: int = Field(..., description="企业代表（参会者 id）", **PK)
    expert: int = Field(..., description="专家（参会者 id）", **PK)
    need: int | None = Field(None, description="所涉需求 id", **PK)
    message: str = Field("", max_length=255)
    priority: int = Field(2, ge=1, le=3, description="优先级 1–3（仅协调员设置）")
    online: bool = False


@router.post("/", response={201: MeetingRequestOut, **WRITE_ERRORS}, url_name="meeting_request_create")
def create_request(request, payload: MeetingRequestIn):
    user = request.user
    event = selectors.event_get(user=user, pk=payload.event)
    enterprise = selectors.participant_get(user=user, pk=payload.enterprise)
    expert = selectors.participant_get(user=user, pk=payload.expert)
    need = need_get(user=user, pk=payload.need) if payload.need else None
    if enterprise.event_id != event.pk or expert.event_id != event.pk:
        raise ApiError(400, _("所选参会者不属于该活动。"))
    if enterprise.kind != Participant.Kind.ENTERPRISE or expert.kind == Participant.Kind.ENTERPRISE:
        raise ApiError(400, _("请分别选择一位企业代表和一位专家。"))
    if not (user.is_coordinator or speaks_for(user, enterprise) or speaks_for(user, expert)):
        raise ApiError(403, _("您只能以本企业代表或本学会专家的身份提出洽谈请求。"))
    if MeetingRequest.objects.filter(
        event=event,
        enterprise=enterprise,
        expert=expert,
        status__in=[MeetingRequest.Status.PENDING, MeetingRequest.Status.ACCEPTED],
    ).exists():
        raise ApiError(409, _("双方之间已有待回复或已接受的洽谈请求。"))
    with service_call():
        req = services.meeting_request_create(
            user=user,
            event=event,
            enterprise=enterprise,
            expert=expert,
            need=need,
            message=payload.message,
            priority=payload.priority,
            online=payload.online,
        )
    return 201, _get(request, req.pk)


class AnswerIn(Schema):
    accept: bool


@router.post("/{request_id}/answer", response={200: MeetingRequestOut, **WRITE_ERRORS}, url_name="meeting_request_answer")
def answer_request(request, payload: AnswerIn, request_id: int = pk_path()):
    req = _get(request, request_id)
    if req.status != MeetingRequest.Status.PENDING:
        raise ApiError(409, _("该请求已处理。"))
    if not services.can_respond(request.user, req):
        raise ApiError(403, _("只有被邀请的一方可以回复该请求。"))
    with service_call():
        services.meeting_request_respond(user=request.user, request=req, accept=payload.accept)
    return _get(request, req.pk)
