"""What every job of the matchmaking services shares: who may act, the checks on a meeting day and
on a pair, and how a meeting's seats are stored.

``speaks_for`` is public (re-exported by the package); the rest is for the service modules only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext, gettext_lazy, ngettext

from kechuang.accounts.models import Role
from kechuang.core.errors import ApplicationError
from kechuang.events.models import Event, Meeting, MeetingDay, MeetingSeat, PairRule, Participant

BOOKED = gettext_lazy("该场次的洽谈桌或参会者刚刚被占用（可能有其他人同时在安排），本次操作未保存，请刷新后重试。")


def speaks_for(user, participant: Participant) -> bool:
    """``user`` acts for ``participant`` (their enterprise, their society, or themselves)."""
    if participant.kind == Participant.Kind.ENTERPRISE:
        return user.role == Role.ENTERPRISE and user.organisation_id == participant.organisation_id
    if user.role == Role.LIAISON:
        return user.organisation_id == participant.organisation_id
    if user.role == Role.EXPERT:
        return participant.expert_id is not None and user.expert_id == participant.expert_id
    return False


def can_act_for(user, participant: Participant) -> bool:
    """A coordinator, or someone who speaks for ``participant``."""
    return user.is_coordinator or speaks_for(user, participant)


def require_coordinator(user) -> None:
    if not user.is_coordinator:
        raise ApplicationError(gettext("只有市科协协调员可以进行此操作。"))


def matchmaking_day(event: Event) -> MeetingDay:
    if event.kind != Event.Kind.MATCHMAKING:
        raise ApplicationError(gettext("只有对接会可以报名洽谈和排期。"))
    try:
        return event.meeting_day
    except MeetingDay.DoesNotExist:
        raise ApplicationError(gettext("该对接会尚未设置场次（日期、上下午场次和每场时长）。")) from None


def require_upcoming(event: Event) -> None:
    """Registrations and meeting requests are for events still to come."""
    if event.is_past:
        from django.utils import timezone
        from django.utils.translation import gettext as _

        ended = timezone.localtime(event.end).strftime("%Y-%m-%d %H:%M")
        raise ApplicationError(
            _("该活动已于 %(ended)s 结束，不再接受报名和洽谈请求。") % {"ended": ended}
        )


def valid_slots(day: MeetingDay, slots: Iterable) -> list[int]:
    out = set()
    for s in slots or []:
        try:
            n = int(s)
        except (TypeError, ValueError):
            raise ApplicationError(gettext("场次“%(s)s”无效。") % {"s": s}) from None
        if not 1 <= n <= day.n_slots:
            raise ApplicationError(ngettext("场次 %(n)s 不存在：本次对接会共 %(n_slots)s 场。", "场次 %(n)s 不存在：本次对接会共 %(n_slots)s 场。", day.n_slots) % {"n": n, "n_slots": day.n_slots})
        out.add(n)
    return sorted(out)


# What a pair is checked for, by purpose: a pair rule needs two participants of the event on the
# right sides; a request also needs both still coming and the pair not forbidden; a meeting also
# needs the pair not to meet already.
PAIR_RULE, PAIR_REQUEST, PAIR_MEETING = "rule", "request", "meeting"


def check_pair(event: Event, enterprise: Participant, expert: Participant, *, purpose: str) -> None:
    """The one check that an enterprise representative and an expert may be paired (for ``purpose``)."""
    if enterprise.event_id != event.pk or expert.event_id != event.pk:
        raise ApplicationError(gettext("双方必须是本次对接会的参会者。"))
    if enterprise.kind != Participant.Kind.ENTERPRISE or expert.kind != Participant.Kind.EXPERT:
        raise ApplicationError(gettext("洽谈和配对在企业代表和专家之间进行。"))
    if purpose == PAIR_RULE:
        return
    if not (enterprise.active and expert.active):
        raise ApplicationError(gettext("有一方已取消参会。"))
    if PairRule.objects.filter(
        event=event, enterprise=enterprise, expert=expert, action=PairRule.Action.FORBID
    ).exists():
        raise ApplicationError(gettext("协调员已决定不安排这一配对。"))
    if (
        purpose == PAIR_MEETING
        and Meeting.objects.filter(
            event=event, enterprise=enterprise, expert=expert, status=Meeting.Status.SCHEDULED
        ).exists()
    ):
        raise ApplicationError(gettext("双方已有一场洽谈。"))


def store_seats(*meetings: Meeting) -> None:
    """The two seats (enterprise side, expert side) of each meeting at its slot."""
    MeetingSeat.objects.bulk_create(
        [
            MeetingSeat(meeting=m, participant_id=pid, event_id=m.event_id, slot=m.slot)
            for m in meetings
            for pid in (m.enterprise_id, m.expert_id)
        ]
    )
