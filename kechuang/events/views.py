"""Event and matchmaking pages: views parse input and check access; services write; selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kechuang.accounts.models import Role
from kechuang.core.access import restrict
from kechuang.core.errors import ApplicationError
from kechuang.core.http import form_errors_text
from kechuang.events import exports, selectors, services
from kechuang.events.forms import (
    EnterpriseRegistrationForm,
    ExpertRegistrationForm,
    LaterForm,
    MeetingDayForm,
    OutcomeForm,
    PairRuleForm,
    ReasonForm,
    RequestMessageForm,
    WalkInForm,
)
from kechuang.events.models import Event, Participant, Table
from kechuang.needs.selectors import need_list


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _fail(request, e: ApplicationError):
    messages.error(request, e.message)


def _matchmaking_or_404(request, pk: int) -> Event:
    event = selectors.event_get(user=request.user, pk=pk)
    if event.kind != Event.Kind.MATCHMAKING:
        raise Http404
    return event


def _coord_or_404(request) -> None:
    if not services.is_coord(request.user):
        raise Http404


# ------------------------------------------------------------------ pages


@login_required
def event_list(request):
    kind = request.GET.get("kind") or None
    if kind not in Event.Kind.values:
        kind = None
    events = selectors.event_list(user=request.user, kind=kind)
    return render(request, "events/list.html", {"events": events, "kinds": Event.Kind.choices, "kind": kind})


@login_required
def event_detail(request, pk: int):
    event = selectors.event_get(user=request.user, pk=pk)
    ctx = {"event": event, "day": selectors.meeting_day(event)}
    if event.kind == Event.Kind.MATCHMAKING:
        user = request.user
        ps = selectors.participant_list(user=user, event=event)
        reqs = list(selectors.request_list(user=user, event=event))
        mine = [p for p in ps if p.active and services._speaks_for(user, p)]
        ctx.update(
            figures=selectors.event_figures(user=user, event=event),
            reps=[p for p in ps if p.kind == Participant.Kind.ENTERPRISE],
            experts=[p for p in ps if p.kind == Participant.Kind.EXPERT],
            liaisons=[p for p in ps if p.kind == Participant.Kind.LIAISON],
            requests=[(r, services.can_respond(user, r)) for r in reqs],
            mine=mine,
            my_reps=[p for p in mine if p.kind == Participant.Kind.ENTERPRISE],
            my_experts=[p for p in mine if p.kind == Participant.Kind.EXPERT],
            requested={(r.enterprise_id, r.expert_id) for r in reqs if r.status in ("pending", "accepted")},
            run=selectors.latest_run(user=user, event=event),
            is_coord=services.is_coord(user),
            can_register_enterprise=user.role in (Role.ENTERPRISE, Role.DISTRICT) or services.is_coord(user),
            can_register_expert=user.role == Role.LIAISON or services.is_coord(user),
            pair_rules=selectors.pair_rule_list(user=user, event=event),
        )
        if ctx["can_register_enterprise"]:
            ctx["enterprise_form"] = EnterpriseRegistrationForm(user=user, event=event)
        if ctx["can_register_expert"]:
            ctx["expert_form"] = ExpertRegistrationForm(user=user, event=event)
    return render(request, "events/detail.html", ctx)


@login_required
def meeting_day_setup(request, pk: int):
    event = _matchmaking_or_404(request, pk)
    _coord_or_404(request)
    day = selectors.meeting_day(event)
    form = MeetingDayForm(
        request.POST or None,
        instance=day,
        initial={"n_tables": Table.objects.filter(event=event).count() or 10, "date": event.start.date()},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "n_tables"}
        try:
            services.meeting_day_configure(
                user=request.user, event=event, data=data, n_tables=form.cleaned_data["n_tables"]
            )
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, "场次设置已保存。")
            return redirect("events:detail", pk=event.pk)
    return render(request, "events/setup.html", {"event": event, "form": form})


@login_required
@require_POST
def register_enterprise(request, pk: int):
    event = _matchmaking_or_404(request, pk)
    form = EnterpriseRegistrationForm(request.POST, user=request.user, event=event)
    if not form.is_valid():
        messages.error(request, "报名未成功：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("events:detail", pk=pk)
    try:
        p = services.event_register_enterprise(
            user=request.user,
            event=event,
            organisation=form.cleaned_data.get("organisation"),
            name=form.cleaned_data["name"],
            position=form.cleaned_data.get("position") or "",
            needs=list(form.cleaned_data["needs"]),
            unavailable_slots=form.cleaned_data.get("unavailable_slots") or [],
        )
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, f"{p.name}已报名，带来 {p.needs.count()} 项需求。")
    return redirect("events:detail", pk=pk)


@login_required
@require_POST
def register_expert(request, pk: int):
    event = _matchmaking_or_404(request, pk)
    form = ExpertRegistrationForm(request.POST, user=request.user, event=event)
    if not form.is_valid():
        messages.error(request, "报名未成功：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("events:detail", pk=pk)
    try:
        p = services.event_register_expert(
            user=request.user,
            event=event,
            expert=form.cleaned_data["expert"],
            unavailable_slots=form.cleaned_data.get("unavailable_slots") or [],
        )
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, f"专家{p.name}已报名。")
    return redirect("events:detail", pk=pk)


@login_required
@require_POST
def request_create(request, pk: int):
    event = _matchmaking_or_404(request, pk)
    ps = restrict(Participant.objects.filter(event=event), request.user)
    enterprise = ps.filter(pk=_int(request.POST.get("enterprise")), kind="enterprise").first()
    expert = ps.filter(pk=_int(request.POST.get("expert")), kind="expert").first()
    if enterprise is None or expert is None:
        messages.error(request, "请选择洽谈双方。")
        return redirect("events:detail", pk=pk)
    need = None
    if request.POST.get("need"):
        need = need_list(user=request.user).filter(pk=_int(request.POST.get("need"))).first()
    note = RequestMessageForm(request.POST)
    if not note.is_valid():
        messages.error(request, "请求未发出：" + form_errors_text(note))
        return redirect("events:detail", pk=pk)
    try:
        services.meeting_request_create(
            user=request.user,
            event=event,
            enterprise=enterprise,
            expert=expert,
            need=need,
            message=note.cleaned_data["message"],
        )
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(
            request,
            f"已向{expert.name if services._speaks_for(request.user, enterprise) else enterprise.name}发出洽谈请求。",
        )
    return redirect("events:detail", pk=pk)


@login_required
@require_POST
def request_respond(request, pk: int):
    req = selectors.request_get(user=request.user, pk=pk)
    try:
        req = services.meeting_request_respond(
            user=request.user, request=req, accept=request.POST.get("accept") == "1"
        )
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, f"已{req.get_status_display()}该洽谈请求。")
    return redirect("events:detail", pk=req.event_id)


@login_required
@require_POST
def request_priority(request, pk: int):
    req = selectors.request_get(user=request.user, pk=pk)
    try:
        services.meeting_request_set_priority(
            user=request.user, request=req, priority=_int(request.POST.get("priority")) or 0
        )
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, "优先级已更新。")
    return redirect("events:detail", pk=req.event_id)


@login_required
@require_POST
def pair_rule(request, pk: int):
    event = _matchmaking_or_404(request, pk)
    form = PairRuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择企业代表、专家和决定。")
        return redirect("events:detail", pk=pk)
    ps = Participant.objects.filter(event=event)
    enterprise = ps.filter(pk=form.cleaned_data["enterprise"]).first()
    expert = ps.filter(pk=form.cleaned_data["expert"]).first()
    try:
        if enterprise is None or expert is None:
            raise ApplicationError("请选择本次对接会的企业代表和专家。")
        services.pair_rule_set(
            user=request.user,
            event=event,
            enterprise=enterprise,
            expert=expert,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, "配对规则已保存，下次排期生效。")
    return redirect("events:detail", pk=pk)


@login_required
def schedule(request, pk: int):
    event = _matchmaking_or_404(request, pk)
    user = request.user
    g = selectors.grid(user=user, event=event)
    run = selectors.latest_run(user=user, event=event)
    ctx = {
        "event": event,
        "grid": g,
        "run": run,
        "runs": selectors.run_list(user=user, event=event)[:10],
        "violations": selectors.violations(user=user, event=event) if g else [],
        "is_coord": services.is_coord(user),
        "figures": selectors.event_figures(user=user, event=event),
        "rule_label": selectors.rule_label(run.rule) if run and run.rule else "",
    }
    if ctx["is_coord"] and g is not None:
        ctx["walk_in_form"] = WalkInForm(event=event)
        ctx["participants"] = selectors.participant_list(user=user, event=event).filter(status="registered")
    return render(request, "events/schedule.html", ctx)


@login_required
@require_POST
def generate(request, pk: int):
    event = _matchmaking_or_404(request, pk)
    _coord_or_404(request)
    try:
        run = services.schedule_generate(user=request.user, event=event)
    except ApplicationError as e:
        _fail(request, e)
    else:
        if run.n_meetings:
            messages.success(request, f"排期已生成：{run.n_meetings} 场洽谈，{run.get_status_display()}。")
        else:
            messages.error(
                request, f"未能生成排期：{run.get_status_display()}。{selectors.rule_label(run.rule)}"
            )
    return redirect("events:schedule", pk=pk)


@login_required
@require_POST
def replan(request, pk: int):
    event = _matchmaking_or_404(request, pk)
    _coord_or_404(request)
    try:
        run = services.schedule_replan(user=request.user, event=event, reason="协调员调整排期")
    except ApplicationError as e:
        _fail(request, e)
    else:
        if run.n_meetings and run.status in ("optimal", "feasible"):
            messages.success(request, f"排期已调整：移动了 {run.moved_count} 场洽谈。")
        else:
            messages.error(
                request, f"未能调整排期：{run.get_status_display()}。{selectors.rule_label(run.rule)}"
            )
    return redirect("events:schedule", pk=pk)


@login_required
@require_POST
def walk_in(request, pk: int):
    event = _matchmaking_or_404(request, pk)
    _coord_or_404(request)
    form = WalkInForm(request.POST, event=event)
    if not form.is_valid():
        messages.error(request, "请选择企业代表和专家。")
        return redirect("events:schedule", pk=pk)
    d = form.cleaned_data
    try:
        m = services.meeting_add_walk_in(
            user=request.user,
            event=event,
            enterprise=d["enterprise"],
            expert=d["expert"],
            need=d["enterprise"].needs.order_by("pk").first(),
            slot=d.get("slot"),
            table=d.get("table"),
        )
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, f"已加场：第{m.slot}场 {m.table}，{m.enterprise.name} × {m.expert.name}。")
    return redirect("events:schedule", pk=pk)


@login_required
@require_POST
def table_lose(request, pk: int):
    _coord_or_404(request)
    table = selectors.table_get(user=request.user, pk=pk)
    try:
        run = services.table_lose(user=request.user, table=table)
    except ApplicationError as e:
        _fail(request, e)
    else:
        moved = run.moved_count if run else 0
        messages.success(request, f"{table}已停用，重新安排了 {moved} 场洽谈。")
    return redirect("events:schedule", pk=table.event_id)


@login_required
def meeting_detail(request, pk: int):
    m = selectors.meeting_get(user=request.user, pk=pk)
    day = selectors.meeting_day(m.event)
    return render(
        request,
        "events/meeting.html",
        {
            "m": m,
            "day": day,
            "slot_label": f"{day.session_label(m.slot)} {day.slot_label(m.slot)}" if day else "",
            "can_record": services.can_record(request.user, m),
            "is_coord": services.is_coord(request.user),
            "outcome_form": OutcomeForm(initial={"outcome": m.outcome, "note": m.outcome_note}),
            "later_form": LaterForm(initial={"later_outcome": m.later_outcome, "note": m.later_note}),
            "need_visible": m.need_id and need_list(user=request.user).filter(pk=m.need_id).exists(),
        },
    )


@login_required
@require_POST
def meeting_cancel(request, pk: int):
    m = selectors.meeting_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "取消未成功：" + form_errors_text(form))
        return redirect("events:meeting", pk=pk)
    try:
        services.meeting_cancel(user=request.user, meeting=m, reason=form.cleaned_data["reason"])
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, f"已取消第{m.slot}场 {m.table} 的洽谈。如需填补空档，可点击“调整排期”。")
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(nxt)  # a path only: redirect() would take "abc" for a view name (500)
    return redirect("events:schedule", pk=m.event_id)


@login_required
@require_POST
def meeting_check_in(request, pk: int):
    m = selectors.meeting_get(user=request.user, pk=pk)
    try:
        services.meeting_check_in(user=request.user, meeting=m)
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, "已签到，洽谈开始。")
    return redirect("events:meeting", pk=pk)


@login_required
@require_POST
def meeting_outcome(request, pk: int):
    m = selectors.meeting_get(user=request.user, pk=pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择洽谈结果。")
        return redirect("events:meeting", pk=pk)
    before = m.need.status if m.need_id else None
    try:
        services.meeting_record_outcome(
            user=request.user, meeting=m, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
        )
    except ApplicationError as e:
        _fail(request, e)
    else:
        m.refresh_from_db()
        text = "洽谈结果已记录。"
        if m.need_id:
            m.need.refresh_from_db()
            if m.need.status != before:
                text += f"需求“{m.need.title}”已标记为“{m.need.get_status_display()}”。"
        messages.success(request, text)
    return redirect("events:meeting", pk=pk)


@login_required
@require_POST
def meeting_later(request, pk: int):
    m = selectors.meeting_get(user=request.user, pk=pk)
    form = LaterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择后续进展。")
        return redirect("events:meeting", pk=pk)
    try:
        services.meeting_record_later(
            user=request.user,
            meeting=m,
            later_outcome=form.cleaned_data["later_outcome"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, "后续进展已记录。")
    return redirect("events:meeting", pk=pk)


@login_required
def participant_agenda(request, pk: int):
    p = selectors.participant_get(user=request.user, pk=pk)
    return render(
        request,
        "events/agenda.html",
        {
            "p": p,
            "event": p.event,
            "day": selectors.meeting_day(p.event),
            "rows": selectors.agenda(user=request.user, participant=p),
            "needs": selectors.participant_needs(user=request.user, participant=p),
            "can_act": services.is_coord(request.user) or services._speaks_for(request.user, p),
        },
    )


@login_required
@require_POST
def participant_check_in(request, pk: int):
    p = selectors.participant_get(user=request.user, pk=pk)
    try:
        services.participant_check_in(user=request.user, participant=p)
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, f"{p.name}已签到。")
    return redirect("events:agenda", pk=pk)


@login_required
@require_POST
def participant_cancel(request, pk: int):
    p = selectors.participant_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "取消未成功：" + form_errors_text(form))
        return redirect("events:agenda", pk=pk)
    try:
        services.participant_cancel(user=request.user, participant=p, reason=form.cleaned_data["reason"])
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, f"{p.name}已取消参会，其洽谈已取消。")
    return redirect("events:agenda", pk=pk)


# ------------------------------------------------------------------ files


def _file(content: bytes, filename: str, kind: str) -> HttpResponse:
    from urllib.parse import quote

    types = {
        "pdf": "application/pdf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    resp = HttpResponse(content, content_type=types[kind])
    resp["Content-Disposition"] = (
        f"attachment; filename=\"agenda.{kind}\"; filename*=UTF-8''{quote(filename)}"
    )
    return resp


@login_required
def agenda_pdf(request, pk: int):
    p = selectors.participant_get(user=request.user, pk=pk)
    return _file(exports.agendas_pdf(request.user, [p]), f"{p.event.title}-议程-{p.name}.pdf", "pdf")


@login_required
def agenda_xlsx(request, pk: int):
    p = selectors.participant_get(user=request.user, pk=pk)
    return _file(exports.agenda_xlsx(request.user, p), f"{p.event.title}-议程-{p.name}.xlsx", "xlsx")


@login_required
def agendas_pdf(request, pk: int):
    event = _matchmaking_or_404(request, pk)
    ps = [
        p
        for p in selectors.participant_list(user=request.user, event=event).filter(status="registered")
        if p.kind != Participant.Kind.LIAISON
    ]
    if not ps:
        raise Http404
    return _file(exports.agendas_pdf(request.user, ps), f"{event.title}-全部议程.pdf", "pdf")


@login_required
def grid_pdf(request, pk: int):
    event = _matchmaking_or_404(request, pk)
    return _file(exports.grid_pdf(request.user, event), f"{event.title}-总排期.pdf", "pdf")


@login_required
def grid_xlsx(request, pk: int):
    event = _matchmaking_or_404(request, pk)
    return _file(exports.grid_xlsx(request.user, event), f"{event.title}-总排期.xlsx", "xlsx")


@login_required
def table_cards_pdf(request, pk: int):
    event = _matchmaking_or_404(request, pk)
    _coord_or_404(request)
    return _file(exports.table_cards_pdf(request.user, event), f"{event.title}-桌卡.pdf", "pdf")
