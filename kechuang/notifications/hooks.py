"""What each app's services call when something happened that someone should hear about.

Each hook works out who should hear (each role what matters to it), the link, and the parameters,
then hands them to ``services.notify_on_commit``: the notifications are written after the service's
transaction commits. Hooks never raise into the service that called them for a missing recipient:
no recipient simply means no notification.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from kechuang.accounts.models import Role, User
from kechuang.notifications.kinds import Kind
from kechuang.notifications.services import notify_on_commit


def _active(qs):
    return list(qs.filter(is_active=True).order_by("pk"))


def enterprise_side(need) -> list:
    """Who hears about a need's progress: its enterprise's contacts, and whoever submitted it for them."""
    users = _active(User.objects.filter(role=Role.ENTERPRISE, organisation_id=need.enterprise_id))
    if need.submitted_by_id and need.submitted_by.is_active:
        users.append(need.submitted_by)
    return users


# ---------------------------------------------------------------- needs


def need_transitioned(*, user, need, to_status: str, note: str = "") -> None:
    """Reviewed, returned or matched: the enterprise hears (with the reason for a return)."""
    from kechuang.needs.models import NeedStatus

    kind = {
        NeedStatus.REVIEWED: Kind.NEED_REVIEWED,
        NeedStatus.RETURNED: Kind.NEED_RETURNED,
        NeedStatus.MATCHED: Kind.NEED_MATCHED,
    }.get(to_status)
    if kind is None:
        return
    notify_on_commit(
        kind,
        enterprise_side(need),
        need=need,
        params={"note": note},
        link=reverse("needs:detail", args=[need.pk]),
        exclude=user,
    )


# ---------------------------------------------------------------- matching


def invitation_routed(*, user, match, candidate) -> None:
    """An accepted match routed to an expert (their account) or to a society (its liaisons)."""
    if match.routed_to_user_id:
        users = [match.routed_to_user]
    elif match.routed_to_org_id:
        users = _active(User.objects.filter(role=Role.LIAISON, organisation_id=match.routed_to_org_id))
    else:
        return
    notify_on_commit(
        Kind.INVITATION_ROUTED,
        users,
        need=match.need,
        params={"candidate": str(candidate)},
        link=reverse("matching:inbox"),
        exclude=user,
    )


# ---------------------------------------------------------------- matchmaking meetings


def participant_users(participant) -> list:
    """The accounts that speak for a participant (``events.services.speaks_for``), and its own account."""
    from kechuang.events.models import Participant

    if participant.kind == Participant.Kind.ENTERPRISE:
        q = Q(role=Role.ENTERPRISE, organisation_id=participant.organisation_id) if participant.organisation_id else Q(
            pk__in=[]
        )
    else:
        q = Q(pk__in=[])
        if participant.organisation_id:
            q |= Q(role=Role.LIAISON, organisation_id=participant.organisation_id)
        if participant.expert_id:
            q |= Q(role=Role.EXPERT, expert_id=participant.expert_id)
    if participant.user_id:
        q |= Q(pk=participant.user_id)
    return _active(User.objects.filter(q).distinct())


def _request_params(req) -> dict:
    from kechuang.events.models import MeetingRequest

    to_expert = req.direction == MeetingRequest.Direction.TO_EXPERT
    requester, invitee = (req.enterprise, req.expert) if to_expert else (req.expert, req.enterprise)
    return {
        "event": req.event.title,
        "requester": requester.name,
        "invitee": invitee.name,
    }, requester, invitee


def meeting_requested(*, user, request) -> None:
    """A request for a one-to-one talk: the side that was asked hears."""
    params, _requester, invitee = _request_params(request)
    notify_on_commit(
        Kind.MEETING_REQUESTED,
        participant_users(invitee),
        need=request.need,
        params=params,
        link=reverse("events:detail", args=[request.event_id]),
        exclude=user,
    )


def meeting_answered(*, user, request, accepted: bool) -> None:
    """The answer: both sides hear (the one who answered is left out as the actor)."""
    params, requester, invitee = _request_params(request)
    notify_on_commit(
        Kind.MEETING_ANSWERED,
        participant_users(requester) + participant_users(invitee),
        need=request.need,
        params=params | {"accepted": bool(accepted)},
        link=reverse("events:detail", args=[request.event_id]),
        exclude=user,
    )


def agenda_changed(*, user, event, moved: list[dict]) -> None:
    """After a re-plan: each participant whose meetings moved (or who got a new one) hears once,
    with what changed, and a link to their own agenda."""
    from kechuang.events.models import Meeting

    if not moved:
        return
    meetings = {
        m.pk: m
        for m in Meeting.objects.filter(pk__in=[row["meeting"] for row in moved]).select_related(
            "enterprise", "expert"
        )
    }
    per_user: dict[int, dict] = {}
    for row in moved:
        m = meetings.get(row["meeting"])
        if m is None:
            continue
        for me, other in ((m.enterprise, m.expert), (m.expert, m.enterprise)):
            what = {
                "with": other.name,
                "from_slot": row.get("from_slot"),
                "from_table": row.get("from_table"),
                "to_slot": row["to_slot"],
                "to_table": row["to_table"],
                "added": bool(row.get("added")),
            }
            for u in participant_users(me):
                entry = per_user.setdefault(u.pk, {"user": u, "participant": me, "changes": []})
                entry["changes"].append(what)
    for entry in per_user.values():
        notify_on_commit(
            Kind.AGENDA_CHANGED,
            [entry["user"]],
            params={"event": event.title, "count": len(entry["changes"]), "changes": entry["changes"]},
            link=reverse("events:agenda", args=[entry["participant"].pk]),
            exclude=user,
        )
