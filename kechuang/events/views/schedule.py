"""The schedule page and the coordinator's schedule actions: generate, re-plan, walk-ins, lost tables."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.confirm import confirmation_page, confirmed
from kechuang.core.http import perform
from kechuang.events import selectors, services
from kechuang.events.forms import WalkInForm
from kechuang.events.views._common import coordinator_or_404, matchmaking_or_404


@login_required
def schedule(request, pk: int):
    event = matchmaking_or_404(request, pk)
    user = request.user
    g = selectors.grid(user=user, event=event)
    run = selectors.latest_run(user=user, event=event)
    ctx = {
        "event": event,
        "grid": g,
        "run": run,
        "runs": selectors.run_list(user=user, event=event)[:10],
        "violations": selectors.violations(user=user, event=event) if g else [],
        "is_coord": user.is_coordinator,
        "figures": selectors.event_figures(user=user, event=event),
        "rule_label": selectors.rule_label(run.rule) if run and run.rule else "",
    }
    if ctx["is_coord"]:
        ctx["met_pending"] = selectors.met_proposal_list(user=user).filter(event=event).count()
    if ctx["is_coord"] and g is not None:
        ctx["walk_in_form"] = WalkInForm(event=event)
        ctx["participants"] = selectors.participant_list(user=user, event=event).filter(status="registered")
    return render(request, "events/schedule.html", ctx)


def _report_run(request, run, *, ok: bool, done: str, failed: str):
    """A stored run is not a refusal: say what it did, or why it placed nothing (its rule)."""
    if ok:
        messages.success(request, done)
    else:
        messages.error(request, f"{failed}：{run.get_status_display()}。{selectors.rule_label(run.rule)}")
    return run


@login_required
@require_POST
def generate(request, pk: int):
    event = matchmaking_or_404(request, pk)
    coordinator_or_404(request)

    def call():
        run = services.schedule_generate(user=request.user, event=event)
        return _report_run(
            request,
            run,
            ok=bool(run.n_meetings),
            done=ngettext("排期已生成：%(n_meetings)s 场洽谈，%(status)s。", "排期已生成：%(n_meetings)s 场洽谈，%(status)s。", run.n_meetings) % {"n_meetings": run.n_meetings, "status": run.get_status_display()},
            failed=gettext("未能生成排期"),
        )

    return perform(request, call, success=None, then=("events:schedule", pk))


@login_required
@require_POST
def replan(request, pk: int):
    event = matchmaking_or_404(request, pk)
    coordinator_or_404(request)

    def call():
        run = services.schedule_replan(user=request.user, event=event, reason=gettext("协调员调整排期"))
        return _report_run(
            request,
            run,
            ok=bool(run.n_meetings) and run.status in ("optimal", "feasible"),
            done=ngettext("排期已调整：移动了 %(moved_count)s 场洽谈。", "排期已调整：移动了 %(moved_count)s 场洽谈。", run.moved_count) % {"moved_count": run.moved_count},
            failed=gettext("未能调整排期"),
        )

    return perform(request, call, success=None, then=("events:schedule", pk))


@login_required
@require_POST
def walk_in(request, pk: int):
    event = matchmaking_or_404(request, pk)
    coordinator_or_404(request)
    form = WalkInForm(request.POST, event=event)
    return perform(
        request,
        lambda: services.meeting_add_walk_in(
            user=request.user,
            event=event,
            enterprise=form.cleaned_data["enterprise"],
            expert=form.cleaned_data["expert"],
            need=selectors.walk_in_topic(form.cleaned_data["enterprise"], form.cleaned_data["expert"]),
            slot=form.cleaned_data.get("slot"),
            table=form.cleaned_data.get("table"),
        ),
        success=lambda m: gettext("已加场：第%(slot)s场 %(place)s，%(name)s × %(name2)s。") % {"slot": m.slot, "place": m.place, "name": m.enterprise.name, "name2": m.expert.name},
        then=("events:schedule", pk),
        form=form,
        invalid=gettext("请选择企业代表和专家。"),
    )


@login_required
@require_POST
def table_lose(request, pk: int):
    coordinator_or_404(request)
    table = selectors.table_get(user=request.user, pk=pk)
    if table.active and not confirmed(request):
        fx = selectors.table_lose_effects(user=request.user, table=table)
        if fx["meetings"]:
            lines = [
                ngettext("%(table)s上已排定的 %(n)s 场洽谈（涉及 %(people)s 人）将立即重新安排到其余 %(left)s 张桌，"
                         "移动尽量少；相关参会者的议程随之改变。",
                         "%(table)s上已排定的 %(n)s 场洽谈（涉及 %(people)s 人）将立即重新安排到其余 %(left)s 张桌，"
                         "移动尽量少；相关参会者的议程随之改变。", fx["meetings"])
                % {"table": table, "n": fx["meetings"], "people": fx["people"], "left": fx["tables_left"]},
                _("如果其余的桌排不下这些洽谈，停用会被拒绝，什么都不改变。"),
            ]
        else:
            lines = [_("%(table)s上没有已排定的洽谈，停用后排期时不再使用该桌。") % {"table": table}]
        return confirmation_page(
            request,
            title=_("确认停用洽谈桌？"),
            subject=f"{table} · {table.event.title}",
            consequences=lines,
            confirm_label=_("确认停用"),
            back_url=reverse("events:schedule", args=[table.event_id]),
            back_label=_("返回排期，不停用"),
        )
    return perform(
        request,
        lambda: services.table_lose(user=request.user, table=table),
        success=lambda run: ngettext("%(table)s已停用，重新安排了 %(value)s 场洽谈。", "%(table)s已停用，重新安排了 %(value)s 场洽谈。", run.moved_count if run else 0) % {"table": table, "value": run.moved_count if run else 0},
        then=("events:schedule", table.event_id),
    )
