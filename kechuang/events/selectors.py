"""Every read of events and matchmaking meetings, scoped to the user through ``kechuang.core.access``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kechuang.core.access import restrict
from kechuang.events.affinity import affinity, walk_in_topic  # noqa: F401  (re-exported for views)
from kechuang.events.models import (
    Event,
    Meeting,
    MeetingDay,
    MeetingRequest,
    MetProposal,
    PairRule,
    Participant,
    ScheduleRun,
    Table,
)
from kechuang.needs.selectors import need_prefetch


def rule_label(rule: str) -> str:
    """The Chinese message of a rule id (or of comma-joined ids), from the engine's table."""
    from kechuang.events.scheduling.messages import rule_message

    return rule_message(rule, "zh")


def event_list(*, user, kind: str | None = None) -> QuerySet[Event]:
    qs = restrict(Event.objects.all(), user).select_related("district").order_by("-start", "-id")
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def event_get(*, user, pk: int) -> Event:
    return get_object_or_404(event_list(user=user), pk=pk)


def meeting_day(event: Event) -> MeetingDay | None:
    try:
        return event.meeting_day
    except MeetingDay.DoesNotExist:
        return None


def participant_list(*, user, event: Event, kind: str | None = None) -> QuerySet[Participant]:
    qs = (
        restrict(Participant.objects.filter(event=event), user)
        .select_related("organisation", "expert", "user")
        .prefetch_related(need_prefetch(user, "needs"))  # needs marked for the reader (counts, names)
        .order_by("kind", "organisation__name", "pk")
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def participant_get(*, user, pk: int) -> Participant:
    return get_object_or_404(
        restrict(Participant.objects.all(), user).select_related("event", "organisation", "expert"), pk=pk
    )


def participant_needs(*, user, participant: Participant):
    """The needs a representative brings, as far as ``user`` may see them (confidentiality holds)."""
    from kechuang.needs.selectors import need_list

    return need_list(user=user).filter(pk__in=participant.needs.values("pk"))


def request_list(*, user, event: Event) -> QuerySet[MeetingRequest]:
    return (
        restrict(MeetingRequest.objects.filter(event=event), user)
        .select_related("enterprise__organisation", "expert__organisation")
        .prefetch_related(need_prefetch(user))
        .order_by("status", "-priority", "pk")
    )


def request_get(*, user, pk: int) -> MeetingRequest:
    return get_object_or_404(restrict(MeetingRequest.objects.all(), user).select_related("event"), pk=pk)


def pair_rule_list(*, user, event: Event) -> QuerySet[PairRule]:
    return restrict(PairRule.objects.filter(event=event), user).select_related("enterprise", "expert")


def meeting_list(*, user, event: Event, scheduled_only: bool = True) -> QuerySet[Meeting]:
    qs = (
        restrict(Meeting.objects.filter(event=event), user)
        .select_related("enterprise__organisation", "expert__organisation", "table", "previous_table")
        .prefetch_related(need_prefetch(user))
    )
    if scheduled_only:
        qs = qs.filter(status=Meeting.Status.SCHEDULED)
    return qs.order_by("slot", "table__number", "pk")


def meeting_get(*, user, pk: int) -> Meeting:
    return get_object_or_404(
        restrict(Meeting.objects.all(), user).select_related(
            "event", "enterprise__organisation", "expert__organisation", "table", "need"
        ),
        pk=pk,
    )


def met_proposal_list(*, user, status: str | None = MetProposal.Status.PENDING) -> QuerySet[MetProposal]:
    """已对接 proposals (pending by default), oldest first: the coordinator's to-do list."""
    qs = restrict(MetProposal.objects.all(), user).select_related(
        "event",
        "meeting__enterprise__organisation",
        "meeting__expert__organisation",
        "need",
        "proposed_by",
        "decided_by",
    )
    if status:
        return qs.filter(status=status).order_by("created_at", "id")
    return qs.order_by("-decided_at", "-id")


def met_proposal_get(*, user, pk: int) -> MetProposal:
    return get_object_or_404(restrict(MetProposal.objects.all(), user), pk=pk)


def meeting_proposal(*, user, meeting: Meeting) -> MetProposal | None:
    """The latest 已对接 proposal of ``meeting`` that ``user`` may see."""
    return restrict(MetProposal.objects.filter(meeting=meeting), user).order_by("-created_at", "-id").first()


def table_get(*, user, pk: int) -> Table:
    return get_object_or_404(restrict(Table.objects.all(), user).select_related("event"), pk=pk)


def latest_run(*, user, event: Event) -> ScheduleRun | None:
    return restrict(ScheduleRun.objects.filter(event=event), user).order_by("-created_at", "-id").first()


def event_scheduled(event: Event) -> bool:
    """Whether the event has a schedule yet (a run, or meetings entered): before that an agenda is
    "尚未排期", not a column of free slots."""
    return Meeting.objects.filter(event=event).exists() or ScheduleRun.objects.filter(event=event).exists()


def home_participations(*, user, limit: int = 6) -> list[dict]:
    """The user's own places at 对接会 (an expert's, an enterprise's representatives), upcoming first,
    each with its meeting count and whether the event is scheduled yet (home pages)."""
    from kechuang.accounts.models import Role

    if user.role == Role.EXPERT and user.expert_id:
        qs = Participant.objects.filter(expert_id=user.expert_id)
    elif user.role == Role.ENTERPRISE and user.organisation_id:
        qs = Participant.objects.filter(
            organisation_id=user.organisation_id, kind=Participant.Kind.ENTERPRISE
        )
    else:
        return []
    ps = list(
        restrict(qs.filter(status=Participant.Status.REGISTERED), user)
        .select_related("event")
        .annotate(
            n_meetings=Count(
                "meetings_as_expert" if user.role == Role.EXPERT else "meetings_as_enterprise",
                filter=Q(
                    **{
                        ("meetings_as_expert" if user.role == Role.EXPERT else "meetings_as_enterprise")
                        + "__status": Meeting.Status.SCHEDULED
                    }
                ),
            )
        )
        .annotate(  # event_scheduled's two questions, asked in this query instead of two per event
            has_meetings=Exists(Meeting.objects.filter(event=OuterRef("event_id"))),
            has_runs=Exists(ScheduleRun.objects.filter(event=OuterRef("event_id"))),
        )
        .order_by("-event__start", "pk")
    )
    now = timezone.now()
    upcoming = sorted((p for p in ps if p.event.end >= now), key=lambda p: p.event.start)
    past = [p for p in ps if p.event.end < now]
    out = []
    for p in (upcoming + past)[:limit]:
        out.append({"p": p, "event": p.event, "n": p.n_meetings, "scheduled": p.has_meetings or p.has_runs})
    return out


def run_list(*, user, event: Event) -> QuerySet[ScheduleRun]:
    return restrict(ScheduleRun.objects.filter(event=event), user).order_by("-created_at", "-id")


def participant_meetings(*, user, participant: Participant) -> QuerySet[Meeting]:
    """A participant's scheduled meetings in time order (their agenda)."""
    field = "enterprise" if participant.kind == Participant.Kind.ENTERPRISE else "expert"
    return (
        restrict(Meeting.objects.filter(**{field: participant}, status=Meeting.Status.SCHEDULED), user)
        .select_related("enterprise__organisation", "expert__organisation", "table")
        .prefetch_related(need_prefetch(user))
        .order_by("slot")
    )


def meetings_in_unavailable_slots(*, user, participant: Participant) -> list[Meeting]:
    """The participant's scheduled meetings in slots they have since marked unavailable (the next
    re-plan moves them)."""
    off = set(participant.unavailable_slots or [])
    return [m for m in participant_meetings(user=user, participant=participant) if m.slot in off]


@dataclass
class AgendaRow:
    slot: int
    label: str
    session: str
    meeting: Meeting | None
    counterpart: Participant | None
    unavailable: bool
    moved: bool = False  # the latest re-plan moved this meeting (or added it)


def moved_by_latest_replan(event: Event) -> set[int]:
    """Ids of the meetings the event's latest run moved or added, if that run was a re-plan.

    Reads the run without ``restrict`` on purpose: only the ids are used, and only to mark rows
    of meetings the reader already sees (``agenda`` intersects them with its own meetings)."""
    run = ScheduleRun.objects.filter(event=event).order_by("-created_at", "-id").only("kind", "moved").first()
    if run is None or run.kind != ScheduleRun.Kind.REPLAN:
        return set()
    return {x["meeting"] for x in run.moved or []}


def agenda(*, user, participant: Participant) -> list[AgendaRow]:
    """Every slot of the day for one participant: their meeting, or free/unavailable; meetings
    the latest re-plan moved are marked."""
    day = meeting_day(participant.event)
    if day is None:
        return []
    mine = {m.slot: m for m in participant_meetings(user=user, participant=participant)}
    moved = moved_by_latest_replan(participant.event) if mine else set()
    off = set(participant.unavailable_slots or [])
    rows = []
    for s in range(1, day.n_slots + 1):
        m = mine.get(s)
        other = None
        if m is not None:
            other = m.expert if participant.kind == Participant.Kind.ENTERPRISE else m.enterprise
        rows.append(
            AgendaRow(
                s,
                day.slot_label(s),
                day.session_label(s),
                m,
                other,
                s in off,
                m is not None and m.pk in moved,
            )
        )
    return rows


def agenda_version(rows: list[AgendaRow], participant: Participant) -> str:
    """A short fingerprint of what the agenda shows: it changes exactly when the page would."""
    import hashlib

    parts = [str(participant.online_only), participant.status]
    for r in rows:
        m = r.meeting
        parts.append(
            f"{r.slot}:{r.unavailable}:{r.moved}:"
            + (
                f"{m.pk},{m.table_id},{m.online},{m.outcome},{m.previous_slot},{r.counterpart.pk}"
                if m
                else "-"
            )
        )
    return hashlib.blake2s("|".join(parts).encode(), digest_size=8).hexdigest()


@dataclass
class Grid:
    day: MeetingDay
    tables: list[Table]
    rows: list[dict]  # {"slot", "label", "session", "cells": [Meeting|None per table], "online": [Meeting]}
    count: int
    has_online: bool = False  # some meeting is held online (the grid gets a "线上" column)


def grid(*, user, event: Event) -> Grid | None:
    """The master grid (slots × tables) with the meetings ``user`` may see."""
    day = meeting_day(event)
    if day is None:
        return None
    tables = list(Table.objects.filter(event=event).order_by("number"))
    col = {t.pk: i for i, t in enumerate(tables)}
    cells = {}
    online: dict[int, list[Meeting]] = {}
    n = 0
    for m in meeting_list(user=user, event=event):
        if m.online:
            online.setdefault(m.slot, []).append(m)
        else:
            cells[m.slot, col[m.table_id]] = m
        n += 1
    rows = [
        {
            "slot": s,
            "label": day.slot_label(s),
            "session": day.session_label(s),
            "first_afternoon": s == day.morning_slots + 1,
            "cells": [cells.get((s, i)) for i in range(len(tables))],
            "online": online.get(s, []),
        }
        for s in range(1, day.n_slots + 1)
    ]
    return Grid(day, tables, rows, n, has_online=bool(online))


def violations(*, user, event: Event, run: ScheduleRun | None = None) -> list[dict]:
    """The validator's findings on the stored schedule, with rule labels and names (not numbers)."""
    from kechuang.events.planning import check_stored

    found = check_stored(event)
    names = dict(Participant.objects.filter(event=event).values_list("pk", "name"))
    visible = set(meeting_list(user=user, event=event).values_list("pk", flat=True))
    out = []
    for v in found:
        m = v.get("meeting")
        out.append(
            {
                **v,
                "label": rule_label(v["rule"]),
                "who": names.get(v.get("participant")),
                "meeting_visible": m in visible,
            }
        )
    return out


def event_figures(*, user, event: Event) -> dict:
    """Counts for the event page (participants, organisations, requests, meetings)."""
    ps = participant_list(user=user, event=event).filter(status=Participant.Status.REGISTERED)
    by_kind = dict(ps.order_by().values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    return {
        "representatives": by_kind.get(Participant.Kind.ENTERPRISE, 0),
        "enterprises": ps.filter(kind=Participant.Kind.ENTERPRISE).values("organisation").distinct().count(),
        "experts": by_kind.get(Participant.Kind.EXPERT, 0),
        "societies": ps.filter(kind=Participant.Kind.EXPERT).values("organisation").distinct().count(),
        "event_societies": event.societies.count(),
        "requests": request_list(user=user, event=event).count(),
        "accepted": request_list(user=user, event=event)
        .filter(status=MeetingRequest.Status.ACCEPTED)
        .count(),
        "meetings": meeting_list(user=user, event=event).count(),
        "checked_in": meeting_list(user=user, event=event).filter(~Q(checked_in_at=None)).count(),
        "outcomes": meeting_list(user=user, event=event).exclude(outcome="").count(),
    }


# ---------------------------------------------------------------- what a destructive action will do


def participant_cancel_effects(*, user, participant: Participant) -> dict:
    """What 取消参会 will do (for the confirmation page): the scheduled meetings without an outcome
    that will be cancelled (with their counterparts), and the pending requests that will be withdrawn."""
    side = "enterprise" if participant.kind == Participant.Kind.ENTERPRISE else "expert"
    other = "expert" if side == "enterprise" else "enterprise"
    meetings = list(participant_meetings(user=user, participant=participant).filter(outcome=""))
    pending = restrict(
        MeetingRequest.objects.filter(status=MeetingRequest.Status.PENDING, **{side: participant}), user
    ).count()
    return {
        "meetings": meetings,
        "counterparts": [getattr(m, other) for m in meetings],
        "kept": participant_meetings(user=user, participant=participant).exclude(outcome="").count(),
        "pending_requests": pending,
    }


def table_lose_effects(*, user, table: Table) -> dict:
    """What 停用洽谈桌 will do: the scheduled meetings at the table that must move, and the tables left."""
    meetings = restrict(Meeting.objects.filter(table=table, status=Meeting.Status.SCHEDULED), user)
    return {
        "meetings": meetings.count(),
        "people": meetings.values("enterprise").distinct().count() + meetings.values("expert").distinct().count(),
        "tables_left": Table.objects.filter(event_id=table.event_id, active=True).exclude(pk=table.pk).count(),
    }
