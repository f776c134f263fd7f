"""Registering for a matchmaking meeting, asking for meetings, and the coordinator's pair rules."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from kechuang.core.access import restrict
from kechuang.core.errors import ApplicationError
from kechuang.core.http import form_errors_text, int_param, perform
from kechuang.events import selectors, services
from kechuang.events.forms import (
    EnterpriseRegistrationForm,
    ExpertRegistrationForm,
    PairRuleForm,
    RequestMessageForm,
)
from kechuang.events.models import Participant
from kechuang.events.views._common import matchmaking_or_404
from kechuang.needs.selectors import need_list


@login_required
@require_POST
def register_enterprise(request, pk: int):
    event = matchmaking_or_404(request, pk)
    form = EnterpriseRegistrationForm(request.POST, user=request.user, event=event)
    return perform(
        request,
        lambda: services.event_register_enterprise(
            user=request.user,
            event=event,
            organisation=form.cleaned_data.get("organisation"),
            name=form.cleaned_data["name"],
            position=form.cleaned_data.get("position") or "",
            needs=list(form.cleaned_data["needs"]),
            unavailable_slots=form.cleaned_data.get("unavailable_slots") or [],
        ),
        success=lambda p: _registered(p.name, p.needs.count()),
        then=("events:detail", pk),
        form=form,
        invalid=gettext("报名未成功："),
    )


@login_required
@require_POST
def register_expert(request, pk: int):
    event = matchmaking_or_404(request, pk)
    form = ExpertRegistrationForm(request.POST, user=request.user, event=event)
    return perform(
        request,
        lambda: services.event_register_expert(
            user=request.user,
            event=event,
            expert=form.cleaned_data["expert"],
            unavailable_slots=form.cleaned_data.get("unavailable_slots") or [],
            online_only=form.cleaned_data.get("online_only") or False,
        ),
        success=lambda p: gettext("专家%(name)s已报名。") % {"name": p.name},
        then=("events:detail", pk),
        form=form,
        invalid=gettext("报名未成功："),
    )


@login_required
@require_POST
def request_create(request, pk: int):
    event = matchmaking_or_404(request, pk)
    ps = restrict(Participant.objects.filter(event=event), request.user)
    enterprise = ps.filter(pk=int_param(request.POST.get("enterprise")), kind="enterprise").first()
    expert = ps.filter(pk=int_param(request.POST.get("expert")), kind="expert").first()
    if enterprise is None or expert is None:
        messages.error(request, gettext("请选择洽谈双方。"))
        return redirect("events:detail", pk=pk)
    need = None
    if request.POST.get("need"):
        need = need_list(user=request.user).filter(pk=int_param(request.POST.get("need"))).first()
    note = RequestMessageForm(request.POST)
    if not note.is_valid():
        messages.error(request, gettext("请求未发出：") + form_errors_text(note))
        return redirect("events:detail", pk=pk)
    other = expert if services.speaks_for(request.user, enterprise) else enterprise
    return perform(
        request,
        lambda: services.meeting_request_create(
            user=request.user,
            event=event,
            enterprise=enterprise,
            expert=expert,
            need=need,
            message=note.cleaned_data["message"],
            online=note.cleaned_data["online"],
        ),
        success=gettext("已向%(name)s发出洽谈请求。") % {"name": other.name},
        then=("events:detail", pk),
    )


@login_required
@require_POST
def request_respond(request, pk: int):
    req = selectors.request_get(user=request.user, pk=pk)
    return perform(
        request,
        lambda: services.meeting_request_respond(
            user=request.user, request=req, accept=request.POST.get("accept") == "1"
        ),
        # the status label already reads 已接受/已谢绝: say it once ("已已接受" was the bug)
        success=lambda r: gettext("洽谈请求%(status)s。") % {"status": r.get_status_display()},
        then=("events:detail", req.event_id),
    )


@login_required
@require_POST
def request_priority(request, pk: int):
    req = selectors.request_get(user=request.user, pk=pk)
    return perform(
        request,
        lambda: services.meeting_request_set_priority(
            user=request.user, request=req, priority=int_param(request.POST.get("priority")) or 0
        ),
        success=gettext("优先级已更新。"),
        then=("events:detail", req.event_id),
    )


@login_required
@require_POST
def pair_rule(request, pk: int):
    event = matchmaking_or_404(request, pk)
    form = PairRuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择企业代表、专家和决定。"))
        return redirect("events:detail", pk=pk)
    ps = Participant.objects.filter(event=event)
    enterprise = ps.filter(pk=form.cleaned_data["enterprise"]).first()
    expert = ps.filter(pk=form.cleaned_data["expert"]).first()

    def set_rule():
        if enterprise is None or expert is None:
            raise ApplicationError(gettext("请选择本次对接会的企业代表和专家。"))
        return services.pair_rule_set(
            user=request.user,
            event=event,
            enterprise=enterprise,
            expert=expert,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
        )

    return perform(request, set_rule, success=gettext("配对规则已保存，下次排期生效。"), then=("events:detail", pk))


def _registered(name: str, count: int) -> str:
    return ngettext("%(name)s已报名，带来 %(count)s 项需求。", "%(name)s已报名，带来 %(count)s 项需求。", count) % {"name": name, "count": count}
