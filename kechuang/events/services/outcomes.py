"""Outcomes that propose "已对接": an expert or an enterprise records that a talk went well, the
coordinator confirms (the need moves to 已对接 through ``needs.services``) or dismisses.

Only coordinators move a need; the proposal is how everyone else asks them to, and the list of
pending proposals is what prompts them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from kechuang.core.audit import audit
from kechuang.core.errors import ApplicationError
from kechuang.events.models import Meeting, MetProposal
from kechuang.events.services._common import require_coordinator
from kechuang.needs.models import NeedStatus
from kechuang.needs.services import need_transition

# outcomes that say the two sides will work together
MATCH_OUTCOMES = (Meeting.Outcome.INTERESTED, Meeting.Outcome.FOLLOW_UP)
# a need at one of these steps can still become 已对接 (reviewed → matched → met)
BEFORE_MET = (NeedStatus.REVIEWED, NeedStatus.MATCHED)
# the steps a confirmation walks from each of them
PATH_TO_MET = {
    NeedStatus.REVIEWED: (NeedStatus.MATCHED, NeedStatus.MET),
    NeedStatus.MATCHED: (NeedStatus.MET,),
}


def propose_from_outcome(*, user, meeting: Meeting) -> MetProposal | None:
    """Called inside ``meeting_record_outcome`` (its transaction) after a non-coordinator recorded
    ``meeting.outcome``: open (or update) this meeting's proposal when the outcome indicates a match
    and its need can still become 已对接; withdraw an open one when the outcome no longer does."""
    pending = MetProposal.objects.select_for_update().filter(
        meeting=meeting, status=MetProposal.Status.PENDING
    )
    current = pending.first()
    wanted = (
        meeting.outcome in MATCH_OUTCOMES
        and meeting.need_id is not None
        and meeting.need.status in BEFORE_MET
    )
    if not wanted:
        if current is not None:
            current.status = MetProposal.Status.WITHDRAWN
            current.decided_at = timezone.now()
            current.save(update_fields=["status", "decided_at"])
            audit(user, "event.met_proposal_withdraw", current, {"outcome": meeting.outcome})
        return None
    if current is None:
        current = MetProposal.objects.create(
            event_id=meeting.event_id,
            meeting=meeting,
            need_id=meeting.need_id,
            outcome=meeting.outcome,
            note=meeting.outcome_note,
            proposed_by=user,
        )
        audit(user, "event.met_proposal", current, {"meeting": meeting.pk, "need": meeting.need_id})
    else:
        current.outcome, current.note, current.proposed_by = meeting.outcome, meeting.outcome_note, user
        current.save(update_fields=["outcome", "note", "proposed_by"])
    return current


def _locked_pending(proposal: MetProposal) -> MetProposal:
    p = (
        MetProposal.objects.select_for_update(of=("self",))
        .select_related("meeting__event", "meeting__expert", "need")
        .get(pk=proposal.pk)
    )
    if p.status != MetProposal.Status.PENDING:
        raise ApplicationError(gettext("该提议%(status)s，无需再处理。") % {"status": p.get_status_display()})
    return p


@transaction.atomic
def met_proposal_confirm(*, user, proposal: MetProposal) -> MetProposal:
    """The coordinator confirms: the need moves to 已对接 (via 已匹配 when it was only reviewed),
    each step in its history, and the proposal is closed. A need already at 已对接 or later only
    closes the proposal; a need that was closed or returned meanwhile is refused (dismiss it)."""
    require_coordinator(user)
    p = _locked_pending(proposal)
    need, m = p.need, p.meeting
    note = f"协调员确认“{m.event.title}”洽谈结果（{m.expert.name}：{m.get_outcome_display()}）"
    if need.status in PATH_TO_MET:
        for step in PATH_TO_MET[need.status]:
            need = need_transition(user=user, need=need, to_status=step, note=note)
    elif need.status not in (NeedStatus.MET, NeedStatus.AGREEMENT, NeedStatus.DELIVERED):
        raise ApplicationError(
            gettext("该需求现为“%(status)s”，不能标记为已对接；如不再适用，请驳回该提议。") % {"status": need.get_status_display()}
        )
    p.status, p.decided_by, p.decided_at = MetProposal.Status.CONFIRMED, user, timezone.now()
    p.save(update_fields=["status", "decided_by", "decided_at"])
    audit(user, "event.met_proposal_confirm", p, {"need": need.pk, "need_status": need.status})
    return p


@transaction.atomic
def met_proposal_dismiss(*, user, proposal: MetProposal) -> MetProposal:
    """The coordinator dismisses: the need is not touched."""
    require_coordinator(user)
    p = _locked_pending(proposal)
    p.status, p.decided_by, p.decided_at = MetProposal.Status.DISMISSED, user, timezone.now()
    p.save(update_fields=["status", "decided_by", "decided_at"])
    audit(user, "event.met_proposal_dismiss", p, {"need": p.need_id})
    return p
