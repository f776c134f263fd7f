"""Every write of the matchmaking-meeting machinery: one transaction, one audit entry each.

Bad input raises ``ApplicationError`` with a Chinese message before anything is written. A
meeting's slot and table, and each participant's slot, are unique in the database
(``Meeting``/``MeetingSeat`` constraints): when two people place meetings at the same time the
loser's transaction is rolled back whole and they get a clear message.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from kechuang.accounts.models import Role, User
from kechuang.core.access import restrict
from kechuang.core.audit import audit
from kechuang.core.errors import ApplicationError
from kechuang.events import planning
from kechuang.events.models import (
    Event,
    Meeting,
    MeetingDay,
    MeetingRequest,
    MeetingSeat,
    PairRule,
    Participant,
    ScheduleRun,
    Table,
)
from kechuang.experts.models import Expert
from kechuang.needs.models import NeedStatus
from kechuang.needs.selectors import need_list
from kechuang.needs.services import allowed_transitions, need_transition
from kechuang.orgs.models import Organisation

BOOKED = "该场次的洽谈桌或参会者刚刚被占用（可能有其他人同时在安排），本次操作未保存，请刷新后重试。"


def is_coord(user) -> bool:
    return bool(user.is_superuser or user.role == Role.COORDINATOR)


def _require_coord(user) -> None:
    if not is_coord(user):
        raise ApplicationError("只有市科协协调员可以进行此操作。")


def _matchmaking(event: Event) -> MeetingDay:
    if event.kind != Event.Kind.MATCHMAKING:
        raise ApplicationError("只有对接会可以报名洽谈和排期。")
    try:
        return event.meeting_day
    except MeetingDay.DoesNotExist:
        raise ApplicationError("该对接会尚未设置场次（日期、上下午场次和每场时长）。") from None


def _slots(day: MeetingDay, slots: Iterable) -> list[int]:
    out = set()
    for s in slots or []:
        try:
            n = int(s)
        except (TypeError, ValueError):
            raise ApplicationError(f"场次“{s}”无效。") from None
        if not 1 <= n <= day.n_slots:
            raise ApplicationError(f"场次 {n} 不存在：本次对接会共 {day.n_slots} 场。")
        out.add(n)
    return sorted(out)


# ================================================================= set-up


@transaction.atomic
def meeting_day_configure(*, user, event: Event, data: dict, n_tables: int | None = None) -> MeetingDay:
    """Create or change the slot grid (and optionally the number of tables) of a matchmaking meeting."""
    _require_coord(user)
    if event.kind != Event.Kind.MATCHMAKING:
        raise ApplicationError("只有对接会需要设置洽谈场次。")
    if Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED).exists():
        raise ApplicationError("已生成排期，不能再修改场次设置；如需调整请先取消排期。")
    day, _ = MeetingDay.objects.get_or_create(event=event, defaults={"date": event.start.date()})
    for k, v in data.items():
        setattr(day, k, v)
    if day.morning_slots + day.afternoon_slots == 0:
        raise ApplicationError("上午和下午至少要有一场。")
    if day.morning_slots and day.afternoon_slots and day.afternoon_start < day.morning_end():
        raise ApplicationError("下午开始时间早于上午最后一场结束时间，请留出午休。")
    day.save()
    if n_tables is not None:
        if n_tables < 1:
            raise ApplicationError("至少需要一张洽谈桌。")
        have = set(Table.objects.filter(event=event).values_list("number", flat=True))
        Table.objects.bulk_create(
            [Table(event=event, number=i, name=f"{i}号桌") for i in range(1, n_tables + 1) if i not in have]
        )
    audit(user, "event.meeting_day", event, {**data, "tables": n_tables})
    return day


# ================================================================= registration


@transaction.atomic
def event_register_enterprise(
    *,
    user,
    event: Event,
    name: str,
    organisation: Organisation | None = None,
    position: str = "",
    needs: Sequence = (),
    unavailable_slots: Iterable = (),
) -> Participant:
    """An enterprise representative registers with the needs they bring (only their enterprise's own)."""
    day = _matchmaking(event)
    if user.role == Role.ENTERPRISE:
        organisation = user.organisation
    elif not (is_coord(user) or user.role == Role.DISTRICT):
        raise ApplicationError("您的角色不能为企业报名。")
    if organisation is None or organisation.kind != Organisation.Kind.ENTERPRISE:
        raise ApplicationError("请选择参会企业。")
    if not restrict(Organisation.objects.filter(pk=organisation.pk), user).exists():
        raise ApplicationError("您无权为该企业报名。")
    name = (name or "").strip()
    if not name:
        raise ApplicationError("请填写企业代表姓名。", field_errors={"name": ["请填写企业代表姓名。"]})
    need_ids = {getattr(n, "pk", n) for n in needs}
    allowed = set(
        need_list(user=user).filter(enterprise=organisation, pk__in=need_ids).values_list("pk", flat=True)
    )
    if need_ids - allowed:
        raise ApplicationError(
            "只能带来本企业自己的需求。", field_errors={"needs": ["只能选择本企业的需求。"]}
        )
    if not need_ids:
        raise ApplicationError(
            "请至少选择一项会前提交的需求。", field_errors={"needs": ["请至少选择一项会前提交的需求。"]}
        )
    p = Participant.objects.create(
        event=event,
        kind=Participant.Kind.ENTERPRISE,
        name=name[:64],
        position=position[:64],
        organisation=organisation,
        user=user if user.role == Role.ENTERPRISE else None,
        unavailable_slots=_slots(day, unavailable_slots),
        registered_by=user,
    )
    p.needs.set(sorted(need_ids))
    audit(user, "event.register_enterprise", p, {"event": event.pk, "needs": sorted(need_ids)})
    return p


@transaction.atomic
def event_register_expert(
    *,
    user,
    event: Event,
    expert: Expert,
    society: Organisation | None = None,
    unavailable_slots: Iterable = (),
) -> Participant:
    """A society liaison registers one of their society's experts (coordinators any expert)."""
    day = _matchmaking(event)
    if user.role == Role.LIAISON:
        society = user.organisation
        if not restrict(Expert.objects.filter(pk=expert.pk), user).exists():
            raise ApplicationError("只能为本学会的专家报名。")
    elif not is_coord(user):
        raise ApplicationError("专家由所属学会的联络员统一报名。")
    event_socs = set(event.societies.values_list("pk", flat=True))
    if society is None:
        society = expert.societies.filter(pk__in=event_socs).order_by("pk").first()
    if society is None or society.pk not in event_socs:
        raise ApplicationError("该学会未参加本次对接会。")
    if not expert.societies.filter(pk=society.pk).exists():
        raise ApplicationError("该专家不属于所选学会。")
    if Participant.objects.filter(event=event, expert=expert, status=Participant.Status.REGISTERED).exists():
        raise ApplicationError(f"{expert.name}已报名本次对接会。")
    try:
        with transaction.atomic():
            p = Participant.objects.create(
                event=event,
                kind=Participant.Kind.EXPERT,
                name=expert.name,
                position=expert.title,
                organisation=society,
                expert=expert,
                user=User.objects.filter(expert=expert).first(),
                unavailable_slots=_slots(day, unavailable_slots),
                registered_by=user,
            )
    except IntegrityError:
        raise ApplicationError(f"{expert.name}已报名本次对接会。") from None
    audit(user, "event.register_expert", p, {"event": event.pk, "expert": expert.pk, "society": society.pk})
    return p


@transaction.atomic
def participant_set_unavailable(*, user, participant: Participant, slots: Iterable) -> Participant:
    day = _matchmaking(participant.event)
    if not (is_coord(user) or _speaks_for(user, participant)):
        raise ApplicationError("您不能修改该参会者的时间。")
    participant.unavailable_slots = _slots(day, slots)
    participant.save(update_fields=["unavailable_slots"])
    audit(user, "event.participant_unavailable", participant, {"slots": participant.unavailable_slots})
    return participant


def _speaks_for(user, p: Participant) -> bool:
    """``user`` acts for participant ``p`` (their enterprise, their society, or themselves)."""
    if p.kind == Participant.Kind.ENTERPRISE:
        return user.role == Role.ENTERPRISE and user.organisation_id == p.organisation_id
    if user.role == Role.LIAISON:
        return user.organisation_id == p.organisation_id
    if user.role == Role.EXPERT:
        return p.expert_id is not None and user.expert_id == p.expert_id
    return False


# ================================================================= requests and pair rules


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
) -> MeetingRequest:
    """Ask for a one-to-one talk. The direction follows who asks: an enterprise asks an expert, a
    liaison or expert asks an enterprise; the other side then accepts or declines."""
    _matchmaking(event)
    if enterprise.event_id != event.pk or expert.event_id != event.pk:
        raise ApplicationError("双方必须是本次对接会的参会者。")
    if enterprise.kind != Participant.Kind.ENTERPRISE or expert.kind != Participant.Kind.EXPERT:
        raise ApplicationError("洽谈请求在企业代表和专家之间提出。")
    if not (enterprise.active and expert.active):
        raise ApplicationError("对方已取消参会。")
    if _speaks_for(user, enterprise):
        direction = MeetingRequest.Direction.TO_EXPERT
    elif _speaks_for(user, expert):
        direction = MeetingRequest.Direction.TO_ENTERPRISE
    elif is_coord(user):
        direction = MeetingRequest.Direction.TO_EXPERT
    else:
        raise ApplicationError("您只能以本企业代表或本学会专家的身份提出洽谈请求。")
    if need is not None and not enterprise.needs.filter(pk=need.pk).exists():
        raise ApplicationError("所选需求不是该企业代表带来的需求。")
    if PairRule.objects.filter(
        event=event, enterprise=enterprise, expert=expert, action=PairRule.Action.FORBID
    ).exists():
        raise ApplicationError("协调员已决定不安排这一配对。")
    if MeetingRequest.objects.filter(
        event=event,
        enterprise=enterprise,
        expert=expert,
        status__in=[MeetingRequest.Status.PENDING, MeetingRequest.Status.ACCEPTED],
    ).exists():
        raise ApplicationError("双方之间已有待回复或已接受的洽谈请求。")
    if not 1 <= int(priority) <= 3:
        raise ApplicationError("优先级应为 1–3。")
    req = MeetingRequest.objects.create(
        event=event,
        enterprise=enterprise,
        expert=expert,
        need=need,
        direction=direction,
        priority=priority if is_coord(user) else 2,
        message=(message or "")[:255],
        created_by=user,
    )
    audit(user, "event.request_create", req, {"direction": direction, "need": getattr(need, "pk", None)})
    return req


def can_respond(user, req: MeetingRequest) -> bool:
    if req.status != MeetingRequest.Status.PENDING:
        return False
    if is_coord(user):
        return True
    other = req.expert if req.direction == MeetingRequest.Direction.TO_EXPERT else req.enterprise
    return _speaks_for(user, other)


@transaction.atomic
def meeting_request_respond(*, user, request: MeetingRequest, accept: bool) -> MeetingRequest:
    req = MeetingRequest.objects.select_for_update().get(pk=request.pk)
    if req.status != MeetingRequest.Status.PENDING:
        raise ApplicationError("该请求已处理。")
    if not can_respond(user, req):
        raise ApplicationError("只有被邀请的一方可以回复该请求。")
    req.status = MeetingRequest.Status.ACCEPTED if accept else MeetingRequest.Status.DECLINED
    req.responded_by = user
    req.responded_at = timezone.now()
    req.save(update_fields=["status", "responded_by", "responded_at"])
    audit(user, "event.request_respond", req, {"status": req.status})
    return req


@transaction.atomic
def meeting_request_set_priority(*, user, request: MeetingRequest, priority: int) -> MeetingRequest:
    _require_coord(user)
    if not 1 <= int(priority) <= 3:
        raise ApplicationError("优先级应为 1–3。")
    old = request.priority
    request.priority = int(priority)
    request.save(update_fields=["priority"])
    audit(user, "event.request_priority", request, {"from": old, "to": request.priority})
    return request


@transaction.atomic
def pair_rule_set(
    *, user, event: Event, enterprise: Participant, expert: Participant, action: str, note: str = ""
) -> PairRule | None:
    """Force or forbid a pair (``action`` "force"/"forbid"), or clear the rule (``action`` "")."""
    _require_coord(user)
    _matchmaking(event)
    if enterprise.event_id != event.pk or expert.event_id != event.pk:
        raise ApplicationError("双方必须是本次对接会的参会者。")
    if enterprise.kind != Participant.Kind.ENTERPRISE or expert.kind != Participant.Kind.EXPERT:
        raise ApplicationError("配对规则针对企业代表和专家。")
    PairRule.objects.filter(event=event, enterprise=enterprise, expert=expert).delete()
    if not action:
        audit(user, "event.pair_rule_clear", event, {"enterprise": enterprise.pk, "expert": expert.pk})
        return None
    if action not in PairRule.Action.values:
        raise ApplicationError("未知的配对决定。")
    rule = PairRule.objects.create(
        event=event, enterprise=enterprise, expert=expert, action=action, note=note[:255], created_by=user
    )
    audit(user, "event.pair_rule", rule, {"action": action, "enterprise": enterprise.pk, "expert": expert.pk})
    return rule


# ================================================================= the schedule


def _store_seats(meeting: Meeting) -> None:
    MeetingSeat.objects.bulk_create(
        [
            MeetingSeat(meeting=meeting, participant_id=pid, event_id=meeting.event_id, slot=meeting.slot)
            for pid in (meeting.enterprise_id, meeting.expert_id)
        ]
    )


def _finish_run(run: ScheduleRun) -> ScheduleRun:
    run.violations = planning.check_stored(run.event)
    run.save()
    return run


def schedule_generate(*, user, event: Event, time_limit: int | None = None) -> ScheduleRun:
    """One click: choose the meetings (selection), place them (solver), store and validate.

    Replaces a previous schedule as long as nothing happened on it yet (no check-in, no outcome).
    An infeasible instance is stored as a run that names the rule, with no meetings."""
    try:
        with transaction.atomic():
            return _schedule_generate(user=user, event=event, time_limit=time_limit)
    except IntegrityError:
        raise ApplicationError(BOOKED) from None


def _schedule_generate(*, user, event, time_limit):
    _require_coord(user)
    day = _matchmaking(event)
    event = Event.objects.select_for_update().get(pk=event.pk)
    tables = planning.active_tables(event)
    if not tables:
        raise ApplicationError("请先设置至少一张可用的洽谈桌。")
    existing = Meeting.objects.filter(event=event)
    if existing.exclude(checked_in_at=None).exists() or existing.exclude(outcome="").exists():
        raise ApplicationError("已有洽谈签到或记录了结果，不能重新生成排期；请使用“调整排期”。")
    limit = max(1, min(int(time_limit or day.time_limit), 120))
    started = time.perf_counter()
    cs = planning.candidates(event)
    if not cs.candidates:
        raise ApplicationError("还没有可安排的洽谈：请先让企业和专家报名并提出洽谈请求。")
    sel = planning.select(event, cs, tables)
    chosen = [cs.candidates[i] for i in sel.chosen]
    if sel.status not in ("optimal", "feasible", "greedy"):
        from kechuang.events.scheduling.model import SolveResult

        res = SolveResult("infeasible", rule="selection", message=sel.message)
    else:
        enc = planning.encode(event, [(c.enterprise.pk, c.expert.pk) for c in chosen], tables=tables)
        res = planning.solve(
            enc, time_limit=max(1.0, limit - (time.perf_counter() - started)), fairness=day.fairness
        )
    MeetingSeat.objects.filter(event=event).delete()
    existing.delete()
    run = ScheduleRun.objects.create(
        event=event,
        kind=ScheduleRun.Kind.GENERATE,
        status=res.status,
        rule=res.rule or "",
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
        meetings = [
            Meeting(
                event=event,
                enterprise=c.enterprise,
                expert=c.expert,
                need_id=c.need_id,
                slot=res.slots[i],
                table=tables[res.tables[i] - 1],
                run=run,
            )
            for i, c in enumerate(chosen)
        ]
        Meeting.objects.bulk_create(meetings)
        meetings = list(Meeting.objects.filter(run=run))
        MeetingSeat.objects.bulk_create(
            [
                MeetingSeat(meeting=m, participant_id=pid, event=event, slot=m.slot)
                for m in meetings
                for pid in (m.enterprise_id, m.expert_id)
            ]
        )
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


def schedule_replan(*, user, event: Event, add: Sequence[dict] = (), reason: str = "") -> ScheduleRun:
    """Re-plan after late changes, moving as few existing meetings as possible.

    ``add`` lists walk-in meetings to fit in (``{"enterprise": Participant, "expert": Participant,
    "need": Need|None}``). Meetings at tables that were taken out of use, or in slots a participant
    can no longer attend, must move; every other meeting keeps its slot (and its table where it
    can). The run records which meetings moved, from where to where."""
    try:
        with transaction.atomic():
            return _schedule_replan(user=user, event=event, add=add, reason=reason)
    except IntegrityError:
        raise ApplicationError(BOOKED) from None


def _schedule_replan(*, user, event, add, reason):
    _require_coord(user)
    day = _matchmaking(event)
    event = Event.objects.select_for_update().get(pk=event.pk)
    tables = planning.active_tables(event)
    if not tables:
        raise ApplicationError("没有可用的洽谈桌，无法调整排期。")
    started = time.perf_counter()
    enc_old, meetings = planning.encode_stored(event)
    if not meetings and not add:
        raise ApplicationError("还没有排期：请先一键生成排期。")
    for a in add:
        _check_pair(event, a["enterprise"], a["expert"])
    pairs = [(m.enterprise_id, m.expert_id) for m in meetings] + [
        (a["enterprise"].pk, a["expert"].pk) for a in add
    ]
    enc = planning.encode(event, pairs, tables=tables)
    old_slots = [m.slot for m in meetings] + [0] * len(add)
    old_tables = [enc.table_index(m.table_id) for m in meetings] + [0] * len(add)
    res = planning.replan(enc, old_slots, old_tables, time_limit=day.time_limit, fairness=day.fairness)
    run = ScheduleRun.objects.create(
        event=event,
        kind=ScheduleRun.Kind.REPLAN,
        status=res.status,
        rule=res.rule or "",
        message="；".join(x for x in (reason, res.message) if x),
        n_candidates=len(pairs),
        n_meetings=len(pairs) if res.has_schedule else len(meetings),
        breaks=res.breaks,
        bound=res.bound,
        seconds=round(time.perf_counter() - started, 3),
        time_limit=day.time_limit,
        created_by=user,
    )
    moved = []
    if res.has_schedule:
        changed = [
            (m, res.slots[i], tables[res.tables[i] - 1])
            for i, m in enumerate(meetings)
            if m.slot != res.slots[i] or m.table_id != tables[res.tables[i] - 1].pk
        ]
        ids = [m.pk for m, _s, _t in changed]
        MeetingSeat.objects.filter(meeting_id__in=ids).delete()
        for m, _s, _t in changed:  # park first, so swaps never collide with the unique index
            Meeting.objects.filter(pk=m.pk).update(slot=m.slot + 1000)
        for m, s, t in changed:
            moved.append(
                {
                    "meeting": m.pk,
                    "enterprise": m.enterprise.name,
                    "expert": m.expert.name,
                    "from_slot": m.slot,
                    "from_table": m.table.number,
                    "to_slot": s,
                    "to_table": t.number,
                    "slot_changed": s != m.slot,
                }
            )
            m.previous_slot, m.previous_table = m.slot, m.table
            m.slot, m.table = s, t
            m.save(update_fields=["slot", "table", "previous_slot", "previous_table"])
            _store_seats(m)
        for j, a in enumerate(add):
            i = len(meetings) + j
            m = Meeting.objects.create(
                event=event,
                enterprise=a["enterprise"],
                expert=a["expert"],
                need=a.get("need"),
                slot=res.slots[i],
                table=tables[res.tables[i] - 1],
                origin=Meeting.Origin.WALK_IN,
                run=run,
            )
            _store_seats(m)
            moved.append(
                {
                    "meeting": m.pk,
                    "enterprise": m.enterprise.name,
                    "expert": m.expert.name,
                    "from_slot": None,
                    "from_table": None,
                    "to_slot": m.slot,
                    "to_table": m.table.number,
                    "added": True,
                }
            )
    run.moved = moved
    _finish_run(run)
    audit(
        user,
        "event.schedule_replan",
        event,
        {"run": run.pk, "status": run.status, "moved": [x["meeting"] for x in moved], "reason": reason},
    )
    return run


def _check_pair(event: Event, enterprise: Participant, expert: Participant) -> None:
    if enterprise.event_id != event.pk or expert.event_id != event.pk:
        raise ApplicationError("双方必须是本次对接会的参会者。")
    if enterprise.kind != Participant.Kind.ENTERPRISE or expert.kind != Participant.Kind.EXPERT:
        raise ApplicationError("洽谈在企业代表和专家之间进行。")
    if not (enterprise.active and expert.active):
        raise ApplicationError("有一方已取消参会。")
    if PairRule.objects.filter(
        event=event, enterprise=enterprise, expert=expert, action=PairRule.Action.FORBID
    ).exists():
        raise ApplicationError("协调员已决定不安排这一配对。")
    if Meeting.objects.filter(
        event=event, enterprise=enterprise, expert=expert, status=Meeting.Status.SCHEDULED
    ).exists():
        raise ApplicationError("双方已有一场洽谈。")


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
            reason=f"现场加场：{enterprise.name} × {expert.name}",
        )
        if not run.moved or not run.moved[-1].get("added"):
            raise ApplicationError(
                f"无法加入这场洽谈：{run.get_status_display()}"
                + (f"（冲突规则：{run.rule}）" if run.rule else "")
            )
        return Meeting.objects.get(pk=run.moved[-1]["meeting"])
    try:
        with transaction.atomic():
            return _place_walk_in(user, event, enterprise, expert, need, int(slot), table)
    except IntegrityError:
        raise ApplicationError(BOOKED) from None


def _place_walk_in(user, event, enterprise, expert, need, slot, table):
    _require_coord(user)
    day = _matchmaking(event)
    _check_pair(event, enterprise, expert)
    if table.event_id != event.pk or not table.active:
        raise ApplicationError(f"{table}不可用。")
    if not 1 <= slot <= day.n_slots:
        raise ApplicationError(f"场次 {slot} 不存在：本次对接会共 {day.n_slots} 场。")
    for p in (enterprise, expert):
        if slot in (p.unavailable_slots or []):
            raise ApplicationError(f"{p.name}在第 {slot} 场（{day.slot_label(slot)}）没有时间。")
    if Meeting.objects.filter(event=event, slot=slot, table=table, status=Meeting.Status.SCHEDULED).exists():
        raise ApplicationError(f"第 {slot} 场的{table}已有洽谈。")
    busy = MeetingSeat.objects.filter(event=event, slot=slot, participant__in=[enterprise, expert])
    if busy.exists():
        raise ApplicationError(f"{busy.first().participant.name}在第 {slot} 场已有洽谈。")
    m = Meeting.objects.create(
        event=event,
        enterprise=enterprise,
        expert=expert,
        need=need,
        slot=slot,
        table=table,
        origin=Meeting.Origin.WALK_IN,
    )
    _store_seats(m)
    audit(user, "event.meeting_walk_in", m, {"slot": slot, "table": table.number})
    return m


@transaction.atomic
def meeting_cancel(*, user, meeting: Meeting, reason: str = "") -> Meeting:
    _require_coord(user)
    m = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if m.status != Meeting.Status.SCHEDULED:
        raise ApplicationError("该洽谈已取消。")
    if m.outcome:
        raise ApplicationError("该洽谈已记录结果，不能取消。")
    m.status = Meeting.Status.CANCELLED
    m.cancel_reason = reason[:255]
    m.save(update_fields=["status", "cancel_reason"])
    MeetingSeat.objects.filter(meeting=m).delete()
    audit(user, "event.meeting_cancel", m, {"reason": reason, "slot": m.slot, "table": m.table.number})
    return m


@transaction.atomic
def participant_cancel(*, user, participant: Participant, reason: str = "") -> Participant:
    """A participant cannot come: their scheduled meetings are cancelled (seats freed)."""
    if not (is_coord(user) or _speaks_for(user, participant)):
        raise ApplicationError("您不能取消该参会者。")
    p = Participant.objects.select_for_update().get(pk=participant.pk)
    if p.status == Participant.Status.CANCELLED:
        raise ApplicationError("该参会者已取消参会。")
    mine = Meeting.objects.filter(status=Meeting.Status.SCHEDULED).filter(
        **{"enterprise" if p.kind == Participant.Kind.ENTERPRISE else "expert": p}
    )
    ids = list(mine.values_list("pk", flat=True))
    mine.update(status=Meeting.Status.CANCELLED, cancel_reason=f"{p.name}取消参会")
    MeetingSeat.objects.filter(meeting_id__in=ids).delete()
    p.status = Participant.Status.CANCELLED
    p.save(update_fields=["status"])
    MeetingRequest.objects.filter(status=MeetingRequest.Status.PENDING).filter(
        **{"enterprise" if p.kind == Participant.Kind.ENTERPRISE else "expert": p}
    ).update(status=MeetingRequest.Status.WITHDRAWN)
    audit(user, "event.participant_cancel", p, {"reason": reason, "meetings_cancelled": ids})
    return p


@transaction.atomic
def table_set_active(*, user, table: Table, active: bool) -> Table:
    """Take a table out of use (its meetings then need a re-plan) or back into use."""
    _require_coord(user)
    table.active = active
    table.save(update_fields=["active"])
    audit(user, "event.table_active", table, {"active": active})
    return table


def table_lose(*, user, table: Table) -> ScheduleRun | None:
    """A table is lost on the day: take it out of use and re-plan its meetings at once."""
    table_set_active(user=user, table=table, active=False)
    if Meeting.objects.filter(table=table, status=Meeting.Status.SCHEDULED).exists():
        return schedule_replan(user=user, event=table.event, reason=f"{table}不可用")
    return None


# ================================================================= the day itself


def can_record(user, meeting: Meeting) -> bool:
    """Coordinators, the expert at the table (or their liaison) and the enterprise side record outcomes."""
    return is_coord(user) or _speaks_for(user, meeting.expert) or _speaks_for(user, meeting.enterprise)


@transaction.atomic
def participant_check_in(*, user, participant: Participant) -> Participant:
    if not (is_coord(user) or _speaks_for(user, participant)):
        raise ApplicationError("您不能为该参会者签到。")
    if participant.status != Participant.Status.REGISTERED:
        raise ApplicationError("该参会者已取消参会。")
    if participant.arrived_at is None:
        participant.arrived_at = timezone.now()
        participant.save(update_fields=["arrived_at"])
        audit(user, "event.check_in", participant, {})
    return participant


@transaction.atomic
def meeting_check_in(*, user, meeting: Meeting) -> Meeting:
    """The talk starts: both people are at the table (they are checked in if they were not)."""
    if not can_record(user, meeting):
        raise ApplicationError("您不能为该洽谈签到。")
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ApplicationError("该洽谈已取消。")
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
    """Record the result on the spot. The need talked about moves to "已对接" through the need
    service when that step is allowed for this user now (never bypassing the pipeline)."""
    if not can_record(user, meeting):
        raise ApplicationError("您不能记录该洽谈的结果。")
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ApplicationError("该洽谈已取消，不能记录结果。")
    if outcome not in Meeting.Outcome.values:
        raise ApplicationError("请选择洽谈结果。", field_errors={"outcome": ["请选择洽谈结果。"]})
    if meeting.checked_in_at is None:
        meeting.checked_in_at = timezone.now()
    meeting.outcome = outcome
    meeting.outcome_note = (note or "").strip()
    meeting.outcome_at = timezone.now()
    meeting.outcome_by = user
    meeting.save(update_fields=["outcome", "outcome_note", "outcome_at", "outcome_by", "checked_in_at"])
    moved = False
    if meeting.need_id:
        need = meeting.need
        if NeedStatus.MET in allowed_transitions(user, need):
            need_transition(
                user=user,
                need=need,
                to_status=NeedStatus.MET,
                note=f"在“{meeting.event.title}”与{meeting.expert.name}洽谈：{meeting.get_outcome_display()}",
            )
            moved = True
    audit(user, "event.meeting_outcome", meeting, {"outcome": outcome, "note": note, "need_met": moved})
    return meeting


@transaction.atomic
def meeting_record_later(*, user, meeting: Meeting, later_outcome: str, note: str = "") -> Meeting:
    """The second rating, months later: did a negotiation start, was an agreement reached?"""
    if not can_record(user, meeting):
        raise ApplicationError("您不能评价该洽谈。")
    if not meeting.outcome:
        raise ApplicationError("请先记录现场洽谈结果。")
    if later_outcome not in Meeting.LaterOutcome.values:
        raise ApplicationError("请选择后续进展。", field_errors={"later_outcome": ["请选择后续进展。"]})
    meeting.later_outcome = later_outcome
    meeting.later_note = (note or "").strip()
    meeting.later_at = timezone.now()
    meeting.save(update_fields=["later_outcome", "later_note", "later_at"])
    audit(user, "event.meeting_later", meeting, {"later_outcome": later_outcome, "note": note})
    return meeting
