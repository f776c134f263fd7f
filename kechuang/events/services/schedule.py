"""The schedule: choose and place the meetings in one click, re-plan after late changes (a lost
table, a walk-in meeting) moving as few meetings as possible."""

from __future__ import annotations

import time
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext, ngettext

from kechuang.core.audit import audit
from kechuang.core.errors import ApplicationError
from kechuang.events import affinity, planning
from kechuang.events.models import Event, Meeting, MeetingSeat, Participant, ScheduleRun, Table
from kechuang.events.selectors import rule_label
from kechuang.events.services._common import (
    BOOKED,
    PAIR_MEETING,
    check_pair,
    matchmaking_day,
    require_coordinator,
    store_seats,
)
from kechuang.events.services.set_up import table_set_active
from kechuang.notifications import hooks as notify


def _finish_run(run: ScheduleRun) -> ScheduleRun:
    run.violations = planning.check_stored(run.event)
    run.save()
    return run


def _booked_is_refused(write):
    """Run ``write`` in one transaction; a unique-index clash (someone placed a meeting at the same
    time) rolls it back whole and becomes a clear message."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError:
        raise ApplicationError(BOOKED) from None


# ---------------------------------------------------------------- generate


def schedule_generate(*, user, event: Event, time_limit: int | None = None) -> ScheduleRun:
    """One click: choose the meetings (selection), place them (solver), store and validate.

    Replaces a previous schedule as long as nothing happened on it yet (no check-in, no outcome).
    An infeasible instance is stored as a run that names the rule, with no meetings."""
    return _booked_is_refused(lambda: _schedule_generate(user=user, event=event, time_limit=time_limit))


def _schedule_generate(*, user, event, time_limit):
    require_coordinator(user)
    day = matchmaking_day(event)
    event = Event.objects.select_for_update().get(pk=event.pk)
    tables = planning.active_tables(event)
    if not tables:
        raise ApplicationError(gettext("请先设置至少一张可用的洽谈桌。"))
    existing = Meeting.objects.filter(event=event)
    if existing.exclude(checked_in_at=None).exists() or existing.exclude(outcome="").exists():
        raise ApplicationError(gettext("已有洽谈签到或记录了结果，不能重新生成排期；请使用“调整排期”。"))
    limit = max(1, min(int(time_limit or day.time_limit), 120))
    started = time.perf_counter()
    cs = affinity.candidates(event)
    if not cs.candidates:
        raise ApplicationError(gettext("还没有可安排的洽谈：请先让企业和专家报名并提出洽谈请求。"))
    sel = planning.select(event, cs, tables)
    chosen = [cs.candidates[i] for i in sel.chosen]
    if not sel.ok:
        res = planning.Plan.refused("selection", sel.message)
    else:
        res = planning.solve(
            event,
            [(c.enterprise.pk, c.expert.pk) for c in chosen],
            tables=tables,
            time_limit=max(1.0, limit - (time.perf_counter() - started)),
            fairness=day.fairness,
        )
    MeetingSeat.objects.filter(event=event).delete()
    existing.delete()
    run = ScheduleRun.objects.create(
        event=event,
        kind=ScheduleRun.Kind.GENERATE,
        status=res.status,
        rule=res.rule,
        message="；".join(x for x in (sel.message, res.message) if x),
        n_candidates=len(cs.candidates),
        n_meetings=len(chosen) if res.has_schedule else 0,
        breaks=res.breaks,
        bound=res.bound,
        selection_status=sel.status,
        selection_total=sel.total,
        selection_bound=sel.bound,
        seconds=round(time.perf_counter() - started, 3),
        time_limit=limit,
        created_by=user,
    )
    if res.has_schedule:
        Meeting.objects.bulk_create(
            [
                Meeting(
                    event=event,
                    enterprise=c.enterprise,
                    expert=c.expert,
                    need_id=c.need_id,
                    slot=res.slots[i],
                    table=planning.table_at(tables, res.tables[i]),
                    online=not res.tables[i],
                    run=run,
                )
                for i, c in enumerate(chosen)
            ]
        )
        store_seats(*Meeting.objects.filter(run=run))
    _finish_run(run)
    audit(
        user,
        "event.schedule_generate",
        event,
        {
            "run": run.pk,
            "status": run.status,
            "meetings": run.n_meetings,
            "breaks": run.breaks,
            "bound": run.bound,
            "selection": [sel.status, sel.total, sel.bound],
            "rule": run.rule,
        },
    )
    return run


# ---------------------------------------------------------------- re-plan


def moved_row(meeting: Meeting, *, to_slot: int, to_table: Table | None, before: tuple | None = None) -> dict:
    """One line of a run's "moved" list: a meeting that changed place (``before`` = its old
    (slot, table)), or one that was added (``before`` None)."""
    row = {
        "meeting": meeting.pk,
        "enterprise": meeting.enterprise.name,
        "expert": meeting.expert.name,
        "from_slot": before[0] if before else None,
        "from_table": before[1].number if before and before[1] else None,
        "to_slot": to_slot,
        "to_table": to_table.number if to_table else None,  # None: online
    }
    if before:
        row["slot_changed"] = to_slot != before[0]
    else:
        row["added"] = True
    return row


def schedule_replan(*, user, event: Event, add: Sequence[dict] = (), reason: str = "") -> ScheduleRun:
    """Re-plan after late changes, moving as few existing meetings as possible.

    ``add`` lists walk-in meetings to fit in (``{"enterprise": Participant, "expert": Participant,
    "need": Need|None}``). Meetings at tables that were taken out of use, or in slots a participant
    can no longer attend, must move; every other meeting keeps its slot (and its table where it
    can). The run records which meetings moved, from where to where."""
    return _booked_is_refused(lambda: _schedule_replan(user=user, event=event, add=add, reason=reason))


def _schedule_replan(*, user, event, add, reason):
    require_coordinator(user)
    day = matchmaking_day(event)
    event = Event.objects.select_for_update().get(pk=event.pk)
    tables = planning.active_tables(event)
    if not tables:
        raise ApplicationError(gettext("没有可用的洽谈桌，无法调整排期。"))
    started = time.perf_counter()
    meetings = planning.stored_meetings(event)
    if not meetings and not add:
        raise ApplicationError(gettext("还没有排期：请先一键生成排期。"))
    for a in add:
        check_pair(event, a["enterprise"], a["expert"], purpose=PAIR_MEETING)
    res = planning.replan(
        event,
        meetings,
        [(a["enterprise"].pk, a["expert"].pk) for a in add],
        tables=tables,
        time_limit=day.time_limit,
        fairness=day.fairness,
    )
    run = ScheduleRun.objects.create(
        event=event,
        kind=ScheduleRun.Kind.REPLAN,
        status=res.status,
        rule=res.rule,
        message="；".join(str(x) for x in (reason, res.message) if x),
        n_candidates=len(meetings) + len(add),
        n_meetings=len(meetings) + len(add) if res.has_schedule else len(meetings),
        breaks=res.breaks,
        bound=res.bound,
        seconds=round(time.perf_counter() - started, 3),
        time_limit=day.time_limit,
        created_by=user,
    )
    moved = []
    if res.has_schedule:
        placed = [(m, res.slots[i], planning.table_at(tables, res.tables[i])) for i, m in enumerate(meetings)]
        changed = [(m, s, t) for m, s, t in placed if m.slot != s or m.table_id != (t.pk if t else None)]
        MeetingSeat.objects.filter(meeting_id__in=[m.pk for m, _s, _t in changed]).delete()
        for m, _s, _t in changed:  # park first, so swaps never collide with the unique index
            Meeting.objects.filter(pk=m.pk).update(slot=m.slot + 1000)
        for m, s, t in changed:
            moved.append(moved_row(m, to_slot=s, to_table=t, before=(m.slot, m.table)))
            m.previous_slot, m.previous_table = m.slot, m.table
            m.slot, m.table, m.online = s, t, t is None
            m.save(update_fields=["slot", "table", "online", "previous_slot", "previous_table"])
            store_seats(m)
        for j, a in enumerate(add):
            i = len(meetings) + j
            m = Meeting.objects.create(
                event=event,
                enterprise=a["enterprise"],
                expert=a["expert"],
                need=a.get("need"),
                slot=res.slots[i],
                table=planning.table_at(tables, res.tables[i]),
                online=not res.tables[i],
                origin=Meeting.Origin.WALK_IN,
                run=run,
            )
            store_seats(m)
            moved.append(moved_row(m, to_slot=m.slot, to_table=m.table))
    run.moved = moved
    _finish_run(run)
    audit(
        user,
        "event.schedule_replan",
        event,
        {"run": run.pk, "status": run.status, "moved": [x["meeting"] for x in moved], "reason": reason},
    )
    notify.agenda_changed(user=user, event=event, moved=moved)
    return run


def table_lose(*, user, table: Table) -> ScheduleRun | None:
    """A table is lost on the day: take it out of use and re-plan its meetings at once.

    One transaction: if the re-planning fails (it refuses, finds no schedule for the remaining
    tables, or the database refuses), the table stays in use, as if nothing had been clicked, and
    the message names the rule that could not be met."""

    def lose():
        table_set_active(user=user, table=table, active=False)
        if not Meeting.objects.filter(table=table, status=Meeting.Status.SCHEDULED).exists():
            return None
        run = _schedule_replan(user=user, event=table.event, add=(), reason=gettext("%(table)s不可用") % {"table": table})
        if run.status not in (ScheduleRun.Status.OPTIMAL, ScheduleRun.Status.FEASIBLE):
            rule = gettext("，冲突规则：%(rule_label)s") % {"rule_label": rule_label(run.rule)} if run.rule else ""
            raise ApplicationError(
                gettext("停用%(table)s后无法重新安排其洽谈（%(status)s%(rule)s），该桌未停用。请先取消部分洽谈或增加洽谈桌后再试。") % {"table": table, "status": run.get_status_display(), "rule": rule}
            )
        return run

    try:
        return _booked_is_refused(lose)
    except Exception:
        table.refresh_from_db(fields=["active"])
        raise


# ---------------------------------------------------------------- walk-ins


def meeting_add_walk_in(
    *,
    user,
    event: Event,
    enterprise: Participant,
    expert: Participant,
    need=None,
    slot: int | None = None,
    table: Table | None = None,
) -> Meeting:
    """Add a meeting on the day. With a slot and a table it is placed there (if both people and the
    table are free); without, the re-planner fits it in moving as few meetings as possible."""
    if slot is None or table is None:
        run = schedule_replan(
            user=user,
            event=event,
            add=[{"enterprise": enterprise, "expert": expert, "need": need}],
            reason=gettext("现场加场：%(name)s × %(name2)s") % {"name": enterprise.name, "name2": expert.name},
        )
        if not run.moved or not run.moved[-1].get("added"):
            raise ApplicationError(
                gettext("无法加入这场洽谈：%(status)s") % {"status": run.get_status_display()}
                + (gettext("（冲突规则：%(rule)s）") % {"rule": run.rule} if run.rule else "")
            )
        return Meeting.objects.get(pk=run.moved[-1]["meeting"])
    return _booked_is_refused(lambda: _place_walk_in(user, event, enterprise, expert, need, int(slot), table))


def _place_walk_in(user, event, enterprise, expert, need, slot, table):
    require_coordinator(user)
    day = matchmaking_day(event)
    check_pair(event, enterprise, expert, purpose=PAIR_MEETING)
    online = planning.online_pairs(event, [(enterprise.pk, expert.pk)])[0]
    if online:
        table = None  # held by video: the slot is all it takes
    elif table.event_id != event.pk or not table.active:
        raise ApplicationError(gettext("%(table)s不可用。") % {"table": table})
    if not 1 <= slot <= day.n_slots:
        raise ApplicationError(ngettext("场次 %(slot)s 不存在：本次对接会共 %(n_slots)s 场。", "场次 %(slot)s 不存在：本次对接会共 %(n_slots)s 场。", day.n_slots) % {"slot": slot, "n_slots": day.n_slots})
    for p in (enterprise, expert):
        if slot in (p.unavailable_slots or []):
            raise ApplicationError(gettext("%(name)s在第 %(slot)s 场（%(slot2)s）没有时间。") % {"name": p.name, "slot": slot, "slot2": day.slot_label(slot)})
    if (
        table is not None
        and Meeting.objects.filter(
            event=event, slot=slot, table=table, status=Meeting.Status.SCHEDULED
        ).exists()
    ):
        raise ApplicationError(gettext("第 %(slot)s 场的%(table)s已有洽谈。") % {"slot": slot, "table": table})
    busy = MeetingSeat.objects.filter(event=event, slot=slot, participant__in=[enterprise, expert])
    if busy.exists():
        raise ApplicationError(gettext("%(name)s在第 %(slot)s 场已有洽谈。") % {"name": busy.first().participant.name, "slot": slot})
    m = Meeting.objects.create(
        event=event,
        enterprise=enterprise,
        expert=expert,
        need=need,
        slot=slot,
        table=table,
        online=online,
        origin=Meeting.Origin.WALK_IN,
    )
    store_seats(m)
    audit(
        user,
        "event.meeting_walk_in",
        m,
        {"slot": slot, "table": table.number if table else None, "online": online},
    )
    return m
