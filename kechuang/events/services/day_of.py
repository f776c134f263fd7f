"""The day itself: check-in, outcomes (on the spot and months later), and cancellations."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from kechuang.core.audit import audit
from kechuang.core.errors import ApplicationError
from kechuang.events.models import Meeting, MeetingRequest, MeetingSeat, Participant
from kechuang.events.services._common import can_act_for, require_coordinator, speaks_for
from kechuang.events.services.outcomes import propose_from_outcome
from kechuang.needs.models import NeedStatus
from kechuang.needs.services import allowed_transitions, need_transition


def _locked_meeting(meeting: Meeting) -> Meeting:
    """The meeting row re-read under a row lock: the checks that follow see what a concurrent
    cancellation or outcome wrote, never the page's stale copy."""
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("event", "enterprise", "expert")
        .get(pk=meeting.pk)
    )


def can_record(user, meeting: Meeting) -> bool:
    """Coordinators, the expert at the table (or their liaison) and the enterprise side record outcomes."""
    return user.is_coordinator or speaks_for(user, meeting.expert) or speaks_for(user, meeting.enterprise)


@transaction.atomic
def participant_check_in(*, user, participant: Participant) -> Participant:
    if not can_act_for(user, participant):
        raise ApplicationError(gettext("您不能为该参会者签到。"))
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status != Participant.Status.REGISTERED:
        raise ApplicationError(gettext("该参会者已取消参会。"))
    if participant.arrived_at is None:
        participant.arrived_at = timezone.now()
        participant.save(update_fields=["arrived_at"])
        audit(user, "event.check_in", participant, {})
    return participant


@transaction.atomic
def meeting_check_in(*, user, meeting: Meeting) -> Meeting:
    """The talk starts: both people are at the table (they are checked in if they were not)."""
    if not can_record(user, meeting):
        raise ApplicationError(gettext("您不能为该洽谈签到。"))
    meeting = _locked_meeting(meeting)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ApplicationError(gettext("该洽谈已取消。"))
    now = timezone.now()
    for p in (meeting.enterprise, meeting.expert):
        if p.arrived_at is None:
            p.arrived_at = now
            p.save(update_fields=["arrived_at"])
    if meeting.checked_in_at is None:
        meeting.checked_in_at = now
        meeting.save(update_fields=["checked_in_at"])
        audit(user, "event.meeting_check_in", meeting, {})
    return meeting


@transaction.atomic
def meeting_record_outcome(*, user, meeting: Meeting, outcome: str, note: str = "") -> Meeting:
    """Record the result on the spot. A coordinator's outcome moves the need talked about to
    "已对接" through the need service when that step is allowed now (never bypassing the pipeline);
    anyone else's outcome that indicates a match proposes it to the coordinators instead
    (``outcomes.propose_from_outcome``)."""
    if not can_record(user, meeting):
        raise ApplicationError(gettext("您不能记录该洽谈的结果。"))
    meeting = _locked_meeting(meeting)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ApplicationError(gettext("该洽谈已取消，不能记录结果。"))
    if outcome not in Meeting.Outcome.values:
        raise ApplicationError(gettext("请选择洽谈结果。"), field_errors={"outcome": [gettext("请选择洽谈结果。")]})
    if meeting.checked_in_at is None:
        meeting.checked_in_at = timezone.now()
    meeting.outcome = outcome
    meeting.outcome_note = (note or "").strip()
    meeting.outcome_at = timezone.now()
    meeting.outcome_by = user
    meeting.save(update_fields=["outcome", "outcome_note", "outcome_at", "outcome_by", "checked_in_at"])
    moved = False
    proposal = None
    if meeting.need_id:
        need = meeting.need
        if not user.is_coordinator:  # only coordinators move needs: everyone else proposes
            proposal = propose_from_outcome(user=user, meeting=meeting)
        elif NeedStatus.MET in allowed_transitions(user, need):
            need_transition(
                user=user,
                need=need,
                to_status=NeedStatus.MET,
                note=f"在“{meeting.event.title}”与{meeting.expert.name}洽谈：{meeting.get_outcome_display()}",
            )
            moved = True
    audit(
        user,
        "event.meeting_outcome",
        meeting,
        {"outcome": outcome, "note": note, "need_met": moved, "proposal": proposal.pk if proposal else None},
    )
    return meeting


@transaction.atomic
def meeting_record_later(*, user, meeting: Meeting, later_outcome: str, note: str = "") -> Meeting:
    """The second rating, months later: did a negotiation start, was an agreement reached?"""
    if not can_record(user, meeting):
        raise ApplicationError(gettext("您不能评价该洽谈。"))
    meeting = _locked_meeting(meeting)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ApplicationError(gettext("该洽谈已取消。"))
    if not meeting.outcome:
        raise ApplicationError(gettext("请先记录现场洽谈结果。"))
    if later_outcome not in Meeting.LaterOutcome.values:
        raise ApplicationError(gettext("请选择后续进展。"), field_errors={"later_outcome": [gettext("请选择后续进展。")]})
    meeting.later_outcome = later_outcome
    meeting.later_note = (note or "").strip()
    meeting.later_at = timezone.now()
    meeting.save(update_fields=["later_outcome", "later_note", "later_at"])
    audit(user, "event.meeting_later", meeting, {"later_outcome": later_outcome, "note": note})
    return meeting


@transaction.atomic
def meeting_cancel(*, user, meeting: Meeting, reason: str = "") -> Meeting:
    require_coordinator(user)
    m = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if m.status != Meeting.Status.SCHEDULED:
        raise ApplicationError(gettext("该洽谈已取消。"))
    if m.outcome:
        raise ApplicationError(gettext("该洽谈已记录结果，不能取消。"))
    m.status = Meeting.Status.CANCELLED
    m.cancel_reason = reason[:255]
    m.save(update_fields=["status", "cancel_reason"])
    MeetingSeat.objects.filter(meeting=m).delete()
    audit(
        user,
        "event.meeting_cancel",
        m,
        {"reason": reason, "slot": m.slot, "table": m.table.number if m.table else None},
    )
    return m


@transaction.atomic
def participant_cancel(*, user, participant: Participant, reason: str = "") -> Participant:
    """A participant cannot come: their scheduled meetings are cancelled (seats freed)."""
    if not can_act_for(user, participant):
        raise ApplicationError(gettext("您不能取消该参会者。"))
    p = Participant.objects.select_for_update().get(pk=participant.pk)
    if p.status == Participant.Status.CANCELLED:
        raise ApplicationError(gettext("该参会者已取消参会。"))
    side = "enterprise" if p.kind == Participant.Kind.ENTERPRISE else "expert"
    # meetings that already took place (an outcome is recorded) stay as they are
    mine = Meeting.objects.filter(status=Meeting.Status.SCHEDULED, outcome="", **{side: p})
    ids = list(mine.values_list("pk", flat=True))
    mine.update(status=Meeting.Status.CANCELLED, cancel_reason=gettext("%(name)s取消参会") % {"name": p.name})
    MeetingSeat.objects.filter(meeting_id__in=ids).delete()
    p.status = Participant.Status.CANCELLED
    p.save(update_fields=["status"])
    MeetingRequest.objects.filter(status=MeetingRequest.Status.PENDING, **{side: p}).update(
        status=MeetingRequest.Status.WITHDRAWN
    )
    audit(user, "event.participant_cancel", p, {"reason": reason, "meetings_cancelled": ids})
    return p
