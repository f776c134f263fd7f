"""The day itself: a meeting's page (check-in, outcome, later outcome, cancel) and a participant's
agenda (check-in, cancel)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.confirm import Reason, confirmation_page, confirmed
from kechuang.core.http import form_errors_text, perform
from kechuang.core.templatetags.punctuation import bracketed
from kechuang.events import selectors, services
from kechuang.events.forms import LaterForm, OutcomeForm, ReasonForm, UnavailableForm
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
            "proposal": selectors.meeting_proposal(user=request.user, meeting=m),
        },
    )


@login_required
@require_POST
def meeting_cancel(request, pk: int):
    m = selectors.meeting_get(user=request.user, pk=pk)
    if request.user.is_coordinator and m.status == m.Status.SCHEDULED and not m.outcome and not confirmed(request):
        return _meeting_cancel_confirmation(request, m)
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
                text += gettext("需求“%(need)s”已标记为“%(status)s”。") % {"need": need_label(request.user, meeting.need), "status": meeting.need.get_status_display()}
            elif meeting.met_proposals.filter(status="pending").exists():
                text += gettext("已提请协调员确认该需求“已对接”。")
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


# how often an open agenda asks whether it changed (seconds); the answer is tiny when it did not
AGENDA_POLL_SECONDS = 3


def _live_ctx(request, p) -> dict:
    rows = selectors.agenda(user=request.user, participant=p)
    return {
        "p": p,
        "day": selectors.meeting_day(p.event),
        "rows": rows,
        "scheduled": selectors.event_scheduled(p.event),
        "version": selectors.agenda_version(rows, p),
        "poll_seconds": AGENDA_POLL_SECONDS,
        "moved_count": sum(1 for r in rows if r.moved),
    }


@login_required
def agenda_live(request, pk: int):
    """The agenda's table alone, polled by the open page (htmx): ``204 No Content`` while the
    version the page shows (``?v=``, or ``If-None-Match``) is current — htmx then swaps nothing —
    else the new table with the moved meetings marked and a note that it changed."""
    p = selectors.participant_get(user=request.user, pk=pk)
    ctx = _live_ctx(request, p)
    etag = f'"{ctx["version"]}"'
    seen = request.GET.get("v") or request.headers.get("If-None-Match", "").strip('"')
    if seen == ctx["version"]:
        resp = HttpResponse(status=204 if request.GET.get("v") else 304)
    else:
        resp = render(request, "events/_agenda_live.html", {**ctx, "live_update": bool(seen)})
    resp["ETag"] = etag
    resp["Cache-Control"] = "no-cache"
    return resp


@login_required
def participant_agenda(request, pk: int):
    p = selectors.participant_get(user=request.user, pk=pk)
    return render(
        request,
        "events/agenda.html",
        {
            **_live_ctx(request, p),
            "event": p.event,
            "needs": selectors.participant_needs(user=request.user, participant=p),
            # the day's own actions stay open after the end date: a coordinator may enter a meeting day
            # afterwards (the demo's day is in the past); only registrations and requests close (is_past)
            "can_act": services.can_act_for(request.user, p),
            "unavailable_form": UnavailableForm(
                day=selectors.meeting_day(p.event), initial={"slots": p.unavailable_slots or []}
            ),
        },
    )


@login_required
@require_POST
def participant_online(request, pk: int):
    """The participant (or whoever acts for them) says they join online only, or on site again."""
    p = selectors.participant_get(user=request.user, pk=pk)
    online_only = request.POST.get("online_only") == "1"
    return perform(
        request,
        lambda: services.participant_set_online_only(
            user=request.user, participant=p, online_only=online_only
        ),
        success=lambda q: (
            gettext("%(name)s改为仅线上参加：洽谈以视频方式进行，协调员调整排期后生效。") % {"name": q.name}
            if q.online_only
            else gettext("%(name)s改为到场参加。") % {"name": q.name}
        ),
        then=("events:agenda", pk),
    )


@login_required
@require_POST
def participant_unavailable(request, pk: int):
    """The participant (or whoever acts for them) marks the slots they cannot attend."""
    p = selectors.participant_get(user=request.user, pk=pk)
    form = UnavailableForm(request.POST, day=selectors.meeting_day(p.event))

    def saved(participant) -> str | tuple[int, str]:
        clash = selectors.meetings_in_unavailable_slots(user=request.user, participant=participant)
        if clash:
            slots = gettext("、").join(gettext("第%(slot)s场") % {"slot": m.slot} for m in clash)
            return (
                messages.WARNING,
                gettext("不能参加的场次已保存。%(slots)s已有洽谈，协调员调整排期时将另行安排。") % {"slots": slots},
            )
        if participant.unavailable_slots:
            return gettext("不能参加的场次已保存，排期时不会安排在这些场次。")
        return gettext("已保存：全天均可参加。")

    return perform(
        request,
        lambda: services.participant_set_unavailable(
            user=request.user, participant=p, slots=form.cleaned_data["slots"]
        ),
        success=saved,
        then=("events:agenda", pk),
        form=form,
        invalid=gettext("保存未成功："),
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
    if p.active and services.can_act_for(request.user, p) and not confirmed(request):
        return _participant_cancel_confirmation(request, p)
    form = ReasonForm(request.POST)
    return perform(
        request,
        lambda: services.participant_cancel(
            user=request.user, participant=p, reason=form.cleaned_data["reason"]
        ),
        success=gettext("%(name)s已取消参会，其洽谈已取消。") % {"name": p.name},
        then=("events:agenda", pk),
        form=form,
        invalid=gettext("取消未成功："),
    )


def _slot_text(day, slot: int) -> str:
    label = f" {day.session_label(slot)} {day.slot_label(slot)}" if day else ""
    return _("第%(slot)s场") % {"slot": slot} + label


def _meeting_cancel_confirmation(request, m):
    day = selectors.meeting_day(m.event)
    back = request.POST.get("next", "")
    if not (back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})):
        back = reverse("events:meeting", args=[m.pk])
    return confirmation_page(
        request,
        title=_("确认取消这场洽谈？"),
        subject=f"{_slot_text(day, m.slot)} · {m.table} · {m.enterprise.name} × {m.expert.name}",
        consequences=[
            _("这场洽谈将被取消，%(ent)s和%(exp)s的议程中该场将显示为“已取消”，洽谈桌和时段空出。")
            % {"ent": m.enterprise.name, "exp": m.expert.name},
            _("取消不能撤销；如需填补空档，可在排期页点击“调整排期”。"),
        ],
        confirm_label=_("确认取消洽谈"),
        back_url=back,
        back_label=_("返回，不取消"),
        carry={"next": request.POST.get("next", "")},
        reason=Reason("reason", _("取消原因（可选）"), request.POST.get("reason", "")),
    )


def _participant_cancel_confirmation(request, p):
    effects = selectors.participant_cancel_effects(user=request.user, participant=p)
    day = selectors.meeting_day(p.event)
    n = len(effects["meetings"])
    if n:
        who = gettext("、").join(dict.fromkeys(c.name for c in effects["counterparts"]))
        lines = [
            ngettext(
                "将取消%(name)s已排定的 %(n)s 场洽谈（与%(who)s），对方的议程中这些洽谈将显示为“已取消”。",
                "将取消%(name)s已排定的 %(n)s 场洽谈（与%(who)s），对方的议程中这些洽谈将显示为“已取消”。",
                n,
            )
            % {"name": p.name, "n": n, "who": who}
        ]
        lines += [f"{_slot_text(day, m.slot)} · {m.table} · {c.name}" for m, c in zip(
            effects["meetings"], effects["counterparts"], strict=True
        )]
    else:
        lines = [_("%(name)s目前没有已排定的洽谈，不影响其他人的议程。") % {"name": p.name}]
    if effects["pending_requests"]:
        lines.append(
            ngettext("撤回 %(n)s 条待回复的约见请求。", "撤回 %(n)s 条待回复的约见请求。", effects["pending_requests"])
            % {"n": effects["pending_requests"]}
        )
    if effects["kept"]:
        lines.append(
            ngettext("已记录结果的 %(n)s 场洽谈保持不变。", "已记录结果的 %(n)s 场洽谈保持不变。", effects["kept"])
            % {"n": effects["kept"]}
        )
    lines.append(_("取消参会后不能在本页恢复，如需恢复请联系市科协协调员。"))
    return confirmation_page(
        request,
        title=_("确认取消参会？"),
        subject=f"{p.name}{bracketed(p.get_kind_display())}· {p.event.title}",
        consequences=lines,
        confirm_label=_("确认取消参会"),
        back_url=reverse("events:agenda", args=[p.pk]),
        back_label=_("返回议程，不取消"),
        reason=Reason("reason", _("取消原因（可选）"), request.POST.get("reason", "")),
    )
