"""Matching pages: the view parses and checks input; services write; selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from kechuang.core.http import perform
from kechuang.experts.selectors import achievement_get, expert_get
from kechuang.matching import selectors, services
from kechuang.matching.forms import DecisionForm, ResponseForm, SuggestionFilterForm
from kechuang.matching.models import Match
from kechuang.needs.selectors import need_get, need_label
from kechuang.needs.services import need_record_view

KIND_TITLES = {"expert": gettext_lazy("推荐专家"), "achievement": gettext_lazy("推荐科技成果"), "society": gettext_lazy("推荐学会")}


def _coordinator_need(request, pk: int):
    if not request.user.is_coordinator:
        raise Http404
    return need_get(user=request.user, pk=pk)


@login_required
def suggestions(request, pk: int):
    need = _coordinator_need(request, pk)
    need_record_view(user=request.user, need=need, via="matching")
    form = SuggestionFilterForm(request.GET or None)
    ranked = selectors.need_suggestions(user=request.user, need=need, filters=form.filters())
    warnings = sorted({w for r in ranked.values() for w in r.warnings})
    states = [r.state for r in ranked.values() if r.state is not None]
    sections = [(kind, KIND_TITLES[kind], r) for kind, r in ranked.items()]
    return render(
        request,
        "matching/suggestions.html",
        {
            "need": need,
            "form": form,
            "sections": sections,
            "warnings": warnings,
            "states": states,
            "reasons": Match.Reason.choices,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_POST
def decide(request, pk: int):
    need = _coordinator_need(request, pk)
    form = DecisionForm(request.POST)
    qs = request.GET.urlencode()
    back = redirect(reverse("matching:suggestions", args=[need.pk]) + (f"?{qs}" if qs else ""))
    if not form.is_valid():
        messages.error(request, gettext("请求无效，请重试。"))
        return back
    d = form.cleaned_data
    if d["decision"] != "accept":
        return perform(
            request,
            lambda: services.match_decline(
                user=request.user,
                need=need,
                kind=d["kind"],
                candidate_id=d["candidate"],
                reason=d["reason"],
                comment=d["comment"],
            ),
            success=lambda m: gettext("已标记“%(candidate)s”为不采纳（%(reason)s）。") % {"candidate": m.candidate, "reason": m.get_reason_display()},
            then=back.url,
        )
    return perform(
        request,
        lambda: services.match_accept(
            user=request.user, need=need, kind=d["kind"], candidate_id=d["candidate"], comment=d["comment"]
        ),
        success=_accepted_text,
        then=back.url,
    )


def _accepted_text(m) -> str | tuple[int, str]:
    if m.routed_to_user_id:
        return gettext("已接受“%(candidate)s”，已推送给 %(routed_to_user)s。") % {"candidate": m.candidate, "routed_to_user": m.routed_to_user}
    if m.routed_to_org_id:
        return gettext("已接受“%(candidate)s”，已推送给%(routed_to_org)s联络员。") % {"candidate": m.candidate, "routed_to_org": m.routed_to_org}
    return messages.WARNING, gettext("已接受“%(candidate)s”。该需求仅协调员可见，未推送，请线下联系。") % {"candidate": m.candidate}


@login_required
@require_POST
def record(request, pk: int):
    need = _coordinator_need(request, pk)
    return perform(
        request,
        lambda: services.match_suggest(user=request.user, need=need),
        success=lambda saved: gettext("已保存 %(len)s 条推荐记录。") % {"len": len(saved)},
        then=("matching:suggestions", need.pk),
    )


@login_required
def inbox(request):
    matches = list(selectors.inbox(user=request.user))
    return render(request, "matching/inbox.html", {"matches": matches, "responses": Match.Response.choices})


@login_required
@require_POST
def respond(request, pk: int):
    need = need_get(user=request.user, pk=pk)
    form = ResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择回复方式。"))
        return redirect("matching:inbox")
    match = selectors.inbox_match_get(user=request.user, need=need, pk=form.cleaned_data["match"])
    return perform(
        request,
        lambda: services.match_respond(
            user=request.user, match=match, response=form.cleaned_data["response"], text=form.cleaned_data["text"]
        ),
        success=gettext("已回复“%(need_label)s”的对接邀请。") % {"need_label": need_label(request.user, need)},
        then="matching:inbox",
    )


def _reverse(request, ranked, title, obj, back_url):
    partial = request.htmx or request.GET.get("partial")
    return render(
        request,
        "matching/_reverse_list.html" if partial else "matching/reverse.html",
        {"ranked": ranked, "title": title, "obj": obj, "back_url": back_url},
    )


@login_required
def expert_needs(request, pk: int):
    expert = expert_get(user=request.user, pk=pk)
    ranked = selectors.reverse_needs_for_expert(user=request.user, expert=expert)
    return _reverse(
        request, ranked, gettext("%(name)s可能适合的需求") % {"name": expert.name}, expert, reverse("experts:detail", args=[pk])
    )


@login_required
def achievement_needs(request, pk: int):
    a = achievement_get(user=request.user, pk=pk)
    ranked = selectors.reverse_needs_for_achievement(user=request.user, achievement=a)
    return _reverse(
        request, ranked, gettext("“%(title)s”可能适合的需求") % {"title": a.title}, a, reverse("experts:achievement", args=[pk])
    )
