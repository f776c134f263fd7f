"""Who sees which events and which parts of a matchmaking meeting (coordinators see everything
before these rules run; leadership reads everything, never writes).

- events are public programme items: everyone signed in sees the city's events;
- slot grid (``MeetingDay``) and tables follow the event;
- participants: district staff those of events in their area and the enterprises of their area;
  an enterprise contact its own representatives and the experts/liaisons of the events it takes part
  in; a liaison its society's experts and the enterprise representatives of events its society
  attends; an expert their own participation and the enterprise representatives of their events;
- requests, meetings and seats: the parties' own (enterprise → its representatives, liaison → its
  society's experts, expert → themselves); district staff those of their area;
- 已对接 proposals: the parties of the meeting (coordinators decide);
- schedule runs and pair rules: district staff for events in their area; nobody else.
Out of scope is simply absent (404).
"""

from __future__ import annotations

from django.db.models import Q

from kechuang.accounts.models import Role
from kechuang.core.access import rule


@rule("events.event")
def _events(qs, user):
    return qs


@rule("events.meetingday")
def _days(qs, user):
    return qs


@rule("events.table")
def _tables(qs, user):
    return qs


def participant_q(user, p: str = "") -> Q | None:
    """The participants ``user`` may see, as a Q over the ``prefix`` (None = all)."""
    from kechuang.events.models import Participant

    if user.role == Role.LEADERSHIP:
        return None
    if user.role == Role.DISTRICT:
        area = user.area_ids()
        return Q(**{f"{p}event__district_id__in": area}) | Q(**{f"{p}organisation__district_id__in": area})
    if user.role == Role.ENTERPRISE and user.organisation_id:
        mine = Participant.objects.filter(organisation_id=user.organisation_id, kind="enterprise")
        return Q(**{f"{p}organisation_id": user.organisation_id, f"{p}kind": "enterprise"}) | (
            Q(**{f"{p}event__in": mine.values("event")}) & ~Q(**{f"{p}kind": "enterprise"})
        )
    if user.role == Role.LIAISON and user.organisation_id:
        return Q(**{f"{p}organisation_id": user.organisation_id}) | Q(
            **{f"{p}event__societies": user.organisation_id, f"{p}kind": "enterprise"}
        )
    if user.role == Role.EXPERT and user.expert_id:
        mine = Participant.objects.filter(expert_id=user.expert_id)
        return Q(**{f"{p}expert_id": user.expert_id}) | Q(
            **{f"{p}event__in": mine.values("event"), f"{p}kind": "enterprise"}
        )
    return Q(pk__in=[])


def own_side_q(user, p: str = "") -> Q | None:
    """Requests/meetings where ``user`` is a party (over ``enterprise``/``expert`` participant FKs)."""
    if user.role == Role.LEADERSHIP:
        return None
    if user.role == Role.DISTRICT:
        area = user.area_ids()
        return Q(**{f"{p}event__district_id__in": area}) | Q(
            **{f"{p}enterprise__organisation__district_id__in": area}
        )
    if user.role == Role.ENTERPRISE and user.organisation_id:
        return Q(**{f"{p}enterprise__organisation_id": user.organisation_id})
    if user.role == Role.LIAISON and user.organisation_id:
        return Q(**{f"{p}expert__organisation_id": user.organisation_id})
    if user.role == Role.EXPERT and user.expert_id:
        return Q(**{f"{p}expert__expert_id": user.expert_id})
    return Q(pk__in=[])


def _filtered(qs, q):
    if q is None:
        return qs
    return qs.filter(pk__in=qs.model.objects.filter(q).values("pk"))


@rule("events.participant")
def _participants(qs, user):
    return _filtered(qs, participant_q(user))


def _forward(qs, q):
    """``q`` follows only forward foreign keys (one row each), so it filters ``qs`` directly.

    The ``pk__in`` subquery of ``_filtered`` is for multi-valued relations; here it only cost
    PostgreSQL a subplan per row (a district's OR over event and enterprise took ~20 s per count on
    the demo inside a test transaction, where the planner has no statistics).
    """
    return qs if q is None else qs.filter(q)


@rule("events.meetingrequest")
def _requests(qs, user):
    return _forward(qs, own_side_q(user))


@rule("events.meeting")
def _meetings(qs, user):
    return _forward(qs, own_side_q(user))


@rule("events.meetingseat")
def _seats(qs, user):
    return _forward(qs, own_side_q(user, "meeting__"))


@rule("events.metproposal")
def _met_proposals(qs, user):
    """The parties of the meeting see its proposal (coordinators decide; they see all)."""
    return _filtered(qs, own_side_q(user, "meeting__"))


def _area_events(qs, user):
    if user.role == Role.LEADERSHIP:
        return qs
    if user.role == Role.DISTRICT:
        return qs.filter(event__district_id__in=user.area_ids())
    return qs.none()


@rule("events.schedulerun")
def _runs(qs, user):
    return _area_events(qs, user)


@rule("events.pairrule")
def _pair_rules(qs, user):
    return _area_events(qs, user)
