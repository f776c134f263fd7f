"""The day itself: a meeting's page (check-in, outcome, later outcome, cancel) and a participant's
agenda (check-in, cancel)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from kechuang.core.http import form_errors_text, perform
from kechuang.events import selectors, services
from kechuang.events.forms import LaterForm, OutcomeForm, ReasonForm
from kechuang.needs.selectors import need_label, need_list


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
            "is_coord": request.user.is_coordinator,
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
        messages.error(request, gettext("取消未成功：") + form_errors_text(form))
        return redirect("events:meeting", pk=pk)
    nxt = request.POST.get("next", "")
    # a path on this site only: redirect() would take "abc" for a view name (a 500)
    if not (nxt.startswith("/") and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})):
        nxt = ("events:schedule", m.event_id)
    return perform(
        request,
        lambda: services.meeting_cancel(user=request.user, meeting=m, reason=form.cleaned_data["reason"]),
        success=gettext("已取消第%(slot)s场 %(table)s 的洽谈。如需填补空档，可点击“调整排期”。") % {"slot": m.slot, "table": m.table},
        then=nxt,
    )


@login_required
@require_POST
def meeting_check_in(request, pk: int):
    m = selectors.meeting_get(user=request.user, pk=pk)
    return perform(
        request,
        lambda: services.meeting_check_in(user=request.user, meeting=m),
        success=gettext("已签到，洽谈开始。"),
        then=("events:meeting", pk),
    )


@login_required
@require_POST
def meeting_outcome(request, pk: int):
    m = selectors.meeting_get(user=request.user, pk=pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择洽谈结果。"))
        return redirect("events:meeting", pk=pk)
    before = m.need.status if m.need_id else None

    def recorded(meeting) -> str:
        text = gettext("洽谈结果已记录。")
        if meeting.need_id:
            meeting.need.refresh_from_db()
            if meeting.need.status != before:
                text += gettext("需求“%(need_label)s”已标记为“%(status)s”。") % {"need_label": need_label(request.user, meeting.need), "status": meeting.need.get_status_display()}
        return text

    return perform(
        request,
        lambda: services.meeting_record_outcome(
            user=request.user, meeting=m, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
        ),
        success=recorded,
        then=("events:meeting", pk),
    )


@login_required
@require_POST
def meeting_later(request, pk: int):
    m = selectors.meeting_get(user=request.user, pk=pk)
    form = LaterForm(request.POST)
    return perform(
        request,
        lambda: services.meeting_record_later(
            user=request.user,
            meeting=m,
            later_outcome=form.cleaned_data["later_outcome"],
            note=form.cleaned_data["note"],
        ),
        success=gettext("后续进展已记录。"),
        then=("events:meeting", pk),
        form=form,
        invalid=gettext("请选择后续进展。"),
    )


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
            "can_act": services.can_act_for(request.user, p),
        },
    )


@login_required
@require_POST
def participant_check_in(request, pk: int):
    p = selectors.participant_get(user=request.user, pk=pk)
    return perform(
        request,
        lambda: services.participant_check_in(user=request.user, participant=p),
        success=gettext("%(name)s已签到。") % {"name": p.name},
        then=("events:agenda", pk),
    )


@login_required
@require_POST
def participant_cancel(request, pk: int):
    p = selectors.participant_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    return perform(
        request,
        lambda: services.participant_cancel(user=request.user, participant=p, reason=form.cleaned_data["reason"]),
        success=gettext("%(name)s已取消参会，其洽谈已取消。") % {"name": p.name},
        then=("events:agenda", pk),
        form=form,
        invalid=gettext("取消未成功："),
    )
