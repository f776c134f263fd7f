"""Meeting requests between enterprise representatives and experts, and the coordinator's pair rules."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from kechuang.core.audit import audit
from kechuang.core.errors import ApplicationError
from kechuang.events.models import Event, MeetingRequest, PairRule, Participant
from kechuang.events.services._common import (
    PAIR_REQUEST,
    PAIR_RULE,
    check_pair,
    matchmaking_day,
    require_coordinator,
    require_upcoming,
    speaks_for,
)
from kechuang.notifications import hooks as notify


def _priority(value) -> int:
    if not 1 <= int(value) <= 3:
        raise ApplicationError(gettext("优先级应为 1–3。"))
    return int(value)


@transaction.atomic
def meeting_request_create(
    *,
    user,
    event: Event,
    enterprise: Participant,
    expert: Participant,
    need=None,
    message: str = "",
    priority: int = 2,
    online: bool = False,
) -> MeetingRequest:
    """Ask for a one-to-one talk. The direction follows who asks: an enterprise asks an expert, a
    liaison or expert asks an enterprise; the other side then accepts or declines."""
    matchmaking_day(event)
    require_upcoming(event)
    check_pair(event, enterprise, expert, purpose=PAIR_REQUEST)
    if speaks_for(user, enterprise):
        direction = MeetingRequest.Direction.TO_EXPERT
    elif speaks_for(user, expert):
        direction = MeetingRequest.Direction.TO_ENTERPRISE
    elif user.is_coordinator:
        direction = MeetingRequest.Direction.TO_EXPERT
    else:
        raise ApplicationError(gettext("您只能以本企业代表或本学会专家的身份提出洽谈请求。"))
    if need is not None and not enterprise.needs.filter(pk=need.pk).exists():
        raise ApplicationError(gettext("所选需求不是该企业代表带来的需求。"))
    open_already = gettext("双方之间已有待回复或已接受的洽谈请求。")
    if MeetingRequest.objects.filter(
        event=event,
        enterprise=enterprise,
        expert=expert,
        status__in=[MeetingRequest.Status.PENDING, MeetingRequest.Status.ACCEPTED],
    ).exists():
        raise ApplicationError(open_already)
    priority = _priority(priority)
    try:
        with transaction.atomic():  # a double click: the unique index on open pairs decides
            req = MeetingRequest.objects.create(
                event=event,
                enterprise=enterprise,
                expert=expert,
                need=need,
                direction=direction,
                online=bool(online),
                priority=priority if user.is_coordinator else 2,
                message=(message or "")[:255],
                created_by=user,
            )
    except IntegrityError:
        raise ApplicationError(open_already) from None
    audit(user, "event.request_create", req, {"direction": direction, "need": getattr(need, "pk", None)})
    notify.meeting_requested(user=user, request=req)
    return req


def request_invitee(req: MeetingRequest) -> Participant:
    """The side that was asked (and answers)."""
    return req.expert if req.direction == MeetingRequest.Direction.TO_EXPERT else req.enterprise


def can_respond(user, req: MeetingRequest) -> bool:
    """A pending request is answered by the side that was asked, or by a coordinator."""
    if req.status != MeetingRequest.Status.PENDING:
        return False
    return user.is_coordinator or speaks_for(user, request_invitee(req))


@transaction.atomic
def meeting_request_respond(*, user, request: MeetingRequest, accept: bool) -> MeetingRequest:
    req = MeetingRequest.objects.select_for_update().get(pk=request.pk)
    if req.status != MeetingRequest.Status.PENDING:
        raise ApplicationError(gettext("该请求已处理。"))
    if not can_respond(user, req):
        raise ApplicationError(gettext("只有被邀请的一方可以回复该请求。"))
    require_upcoming(req.event)
    req.status = MeetingRequest.Status.ACCEPTED if accept else MeetingRequest.Status.DECLINED
    req.responded_by = user
    req.responded_at = timezone.now()
    req.save(update_fields=["status", "responded_by", "responded_at"])
    audit(user, "event.request_respond", req, {"status": req.status})
    notify.meeting_answered(user=user, request=req, accepted=accept)
    return req


@transaction.atomic
def meeting_request_set_priority(*, user, request: MeetingRequest, priority: int) -> MeetingRequest:
    require_coordinator(user)
    old = request.priority
    request.priority = _priority(priority)
    request.save(update_fields=["priority"])
    audit(user, "event.request_priority", request, {"from": old, "to": request.priority})
    return request


@transaction.atomic
def pair_rule_set(
    *, user, event: Event, enterprise: Participant, expert: Participant, action: str, note: str = ""
) -> PairRule | None:
    """Force or forbid a pair (``action`` "force"/"forbid"), or clear the rule (``action`` "")."""
    require_coordinator(user)
    matchmaking_day(event)
    check_pair(event, enterprise, expert, purpose=PAIR_RULE)
    PairRule.objects.filter(event=event, enterprise=enterprise, expert=expert).delete()
    if not action:
        audit(user, "event.pair_rule_clear", event, {"enterprise": enterprise.pk, "expert": expert.pk})
        return None
    if action not in PairRule.Action.values:
        raise ApplicationError(gettext("未知的配对决定。"))
    rule = PairRule.objects.create(
        event=event, enterprise=enterprise, expert=expert, action=action, note=note[:255], created_by=user
    )
    audit(user, "event.pair_rule", rule, {"action": action, "enterprise": enterprise.pk, "expert": expert.pk})
    return rule
