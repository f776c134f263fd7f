"""Matches with their decisions: the list the caller may see, one match, and a coordinator's decision
(accept / decline a suggestion) through ``matching.services``."""

import math
from datetime import datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kechuang.api.common import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    ApiError,
    apply_ordering,
    ordering_field,
    pk_path,
    service_call,
)
from kechuang.api.pagination import ListedMatchesPagination
from kechuang.matching import selectors, services
from kechuang.matching.models import Match, MatchKind
from kechuang.needs.models import NeedStatus
from kechuang.needs.selectors import need_get, need_label
from kechuang.needs.services import need_record_view

router = Router(tags=["matches"])
ORDERING = {"rank": ("need_id", "kind", "rank"), "score": "score", "decided_at": "decided_at", "created_at": "created_at"}


class MatchOut(Schema):
    id: int
    need: int
    need_title: str
    kind: str
    candidate_id: int
    candidate_name: str
    rank: int
    score: float
    status: str
    reason: str
    comment: str
    decided_at: datetime | None
    response: str
    responded_at: datetime | None

    @staticmethod
    def resolve_need(obj):
        return obj.need_id

    @staticmethod
    def resolve_need_title(obj, context):
        return need_label(context["request"].user, obj.need)

    @staticmethod
    def resolve_candidate_id(obj):
        return getattr(obj, f"{obj.kind}_id") or 0

    @staticmethod
    def resolve_candidate_name(obj):
        c = getattr(obj, obj.kind, None)
        return (getattr(c, "name", None) or getattr(c, "title", None) or "") if c else ""

    @staticmethod
    def resolve_score(obj):
        return obj.score if math.isfinite(obj.score) else 0.0

    @staticmethod
    def resolve_response(obj):
        return obj.response or ""


class MatchFilters(Schema):
    need: int | None = Field(None, ge=1, le=2**31 - 1, description="需求 id")
    kind: MatchKind | None = None
    status: Match.Status | None = None
    ordering: str | None = ordering_field(ORDERING)


@router.get("/", response={200: list[MatchOut], **LIST_ERRORS}, url_name="match_list")
@paginate(ListedMatchesPagination)
def list_matches(request, filters: Query[MatchFilters]):
    qs = selectors.match_list(user=request.user)
    if filters.need:
        qs = qs.filter(need_id=filters.need)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return apply_ordering(qs.order_by("-pk"), ORDERING, filters.ordering)


class DecisionIn(Schema):
    need: int = Field(..., ge=1, le=2**31 - 1, description="需求 id")
    kind: MatchKind
    candidate_id: int = Field(..., ge=1, le=2**31 - 1, description="专家、成果或学会的 id")
    decision: Literal["accept", "decline"]
    reason: Match.Reason | None = Field(None, description="不采纳的原因（decline 时必填）")
    comment: str = Field("", max_length=services.MAX_TEXT)


@router.post("/decisions", response={200: MatchOut, **WRITE_ERRORS}, url_name="match_decide")
def decide(request, payload: DecisionIn):
    """A coordinator accepts or declines a suggestion (the same service and audit as the page)."""
    need = need_get(user=request.user, pk=payload.need)  # 404 outside scope
    if not request.user.is_coordinator:
        raise ApiError(403, _("只有协调员可以处理匹配推荐。"))
    if need.status not in NeedStatus.MATCH_DECIDABLE:
        raise ApiError(409, _("需求当前为“%(s)s”，审核通过后才能处理匹配。") % {"s": NeedStatus(need.status).label})
    done = (
        Match.objects.filter(need=need, kind=payload.kind, **{f"{payload.kind}_id": payload.candidate_id})
        .exclude(status=Match.Status.SUGGESTED)
        .first()
    )
    if done is not None:
        raise ApiError(409, _("该推荐已处理（%(s)s），不能重复处理。") % {"s": done.get_status_display()})
    with service_call():
        if payload.decision == "accept":
            match = services.match_accept(
                user=request.user, need=need, kind=payload.kind, candidate_id=payload.candidate_id,
                comment=payload.comment,
            )
        else:
            match = services.match_decline(
                user=request.user, need=need, kind=payload.kind, candidate_id=payload.candidate_id,
                reason=payload.reason or "", comment=payload.comment,
            )
    return selectors.match_list(user=request.user).get(pk=match.pk)


@router.get("/{match_id}", response={200: MatchOut, **READ_ERRORS}, url_name="match_get")
def get_match(request, match_id: int = pk_path()):
    from django.shortcuts import get_object_or_404

    match = get_object_or_404(selectors.match_list(user=request.user), pk=match_id)
    need_record_view(user=request.user, need=match.need, via="api:match")
    return match
