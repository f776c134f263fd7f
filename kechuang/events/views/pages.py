"""The list of events, an event's page, and setting up a matchmaking meeting's slots and tables."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kechuang.core.exports import Column, attr, display, local_datetime, wants_export, xlsx_response
from kechuang.core.http import call_for_form
from kechuang.core.sorting import Sorting
from kechuang.events import selectors, services
from kechuang.events.forms import EnterpriseRegistrationForm, ExpertRegistrationForm, MeetingDayForm
from kechuang.events.models import Event, Participant, Table
from kechuang.events.views._common import coordinator_or_404, matchmaking_or_404

EVENT_SORTING = Sorting(
    {"start": "start", "title": "title", "kind": "kind", "venue": "venue", "scale": "scale"},
    default="-start",
    descending_first=("start", "scale"),
)
EVENT_COLUMNS = [
    Column(_("开始时间"), local_datetime("start"), 18),
    Column(_("结束时间"), local_datetime("end"), 18),
    Column(_("活动"), attr("title"), 40),
    Column(_("类型"), display("kind"), 10),
    Column(_("地点"), attr("venue"), 28),
    Column(_("地区"), attr("district.name"), 14),
    Column(_("规模"), attr("scale"), 8),
]


@login_required
def event_list(request):
    kind = request.GET.get("kind") or None
    if kind not in Event.Kind.values:
        kind = None
    events, sort = EVENT_SORTING.apply(selectors.event_list(user=request.user, kind=kind), request)
    if wants_export(request):
        return xlsx_response(events, EVENT_COLUMNS, filename="events", sheet=_("活动"))
    met_pending = (
        selectors.met_proposal_list(user=request.user).count() if request.user.is_coordinator else None
    )
    return render(
        request,
        "events/list.html",
        {"events": events, "kinds": Event.Kind.choices, "kind": kind, "sort": sort, "met_pending": met_pending},
    )


@login_required
def event_detail(request, pk: int):
    event = selectors.event_get(user=request.user, pk=pk)
    ctx = {"event": event, "day": selectors.meeting_day(event)}
    if event.kind == Event.Kind.MATCHMAKING:
        user = request.user
        ps = selectors.participant_list(user=user, event=event)
        reqs = list(selectors.request_list(user=user, event=event))
        mine = [p for p in ps if p.active and services.speaks_for(user, p)]
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
            is_coord=user.is_coordinator,
            can_register_enterprise=services.can_register_enterprise(user),
            can_register_expert=services.can_register_expert(user),
            pair_rules=selectors.pair_rule_list(user=user, event=event),
        )
        if event.is_past:  # the event is over: no registration, request or answer buttons
            ctx.update(
                can_register_enterprise=False,
                can_register_expert=False,
                my_reps=[],
                my_experts=[],
                requests=[(r, False) for r, _can in ctx["requests"]],
            )
        if ctx["can_register_enterprise"]:
            ctx["enterprise_form"] = EnterpriseRegistrationForm(user=user, event=event)
        if ctx["can_register_expert"]:
            ctx["expert_form"] = ExpertRegistrationForm(user=user, event=event)
    return render(request, "events/detail.html", ctx)


@login_required
def meeting_day_setup(request, pk: int):
    event = matchmaking_or_404(request, pk)
    coordinator_or_404(request)
    day = selectors.meeting_day(event)
    form = MeetingDayForm(
        request.POST or None,
        instance=day,
        initial={"n_tables": Table.objects.filter(event=event).count() or 10, "date": event.start.date()},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "n_tables"}
        ok, _day = call_for_form(
            form,
            lambda: services.meeting_day_configure(
                user=request.user, event=event, data=data, n_tables=form.cleaned_data["n_tables"]
            ),
        )
        if ok:
            messages.success(request, gettext("场次设置已保存。"))
            return redirect("events:detail", pk=event.pk)
    return render(request, "events/setup.html", {"event": event, "form": form})
