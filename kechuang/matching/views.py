"""Matching pages: the view parses and checks input; services write; selectors read."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kechuang.core.exports import Column, attr, display, local_datetime, wants_export, xlsx_response
from kechuang.core.http import perform
from kechuang.core.sorting import Sorting
from kechuang.experts.selectors import achievement_get, expert_get
from kechuang.matching import ranking, selectors, services
from kechuang.matching.docs import benchmark_summary, render_markdown
from kechuang.matching.forms import DecisionForm, ResponseForm, SuggestionFilterForm
from kechuang.matching.models import Match
from kechuang.needs.selectors import need_get, need_label, record_listed_views, visible_needs
from kechuang.needs.services import need_record_view

KIND_TITLES = {"expert": gettext_lazy("推荐专家"), "achievement": gettext_lazy("推荐科技成果"), "society": gettext_lazy("推荐学会")}
BENCHMARKS_MD = settings.BASE_DIR / "docs" / "benchmarks.md"


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
            "loading": any(r.loading for r in ranked.values()),  # no record button: it would save nothing
            "reasons": Match.Reason.choices,
            "query": request.GET.urlencode(),
            "benchmark": benchmark_summary(),
            "cutoff_percent": round(ranking.CUTOFF_RELATIVE * 100),
            "high_percent": round(ranking.BAND_HIGH * 100),
        },
    )


@login_required
@require_POST
def undo(request, pk: int):
    need = _coordinator_need(request, pk)
    qs = request.GET.urlencode()
    back = reverse("matching:suggestions", args=[need.pk]) + (f"?{qs}" if qs else "")
    return perform(
        request,
        lambda: services.match_undo(user=request.user, need=need, match_id=request.POST.get("match")),
        success=lambda m: _("已撤销对“%(name)s”的处理，恢复为推荐。") % {"name": m.candidate},
        then=back,
    )


@login_required
def benchmarks(request):
    """docs/benchmarks.md, rendered (escaped) for the one-line quality note of the suggestions page."""
    text = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else ""
    return render(request, "matching/benchmarks.html", {"doc": render_markdown(text)})


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
            success=lambda m: f"“{m.candidate}”{m.get_status_display()}（{m.get_reason_display()}）。",
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
        success=lambda saved: ngettext("已保存 %(len)s 条推荐记录。", "已保存 %(len)s 条推荐记录。", len(saved)) % {"len": len(saved)},
        then=("matching:suggestions", need.pk),
    )


# the inbox sorts by when, what and how answered — never by a need's title (hidden titles keep no order)
INBOX_SORTING = Sorting(
    {"decided": "decided_at", "kind": "kind", "response": "response", "responded": "responded_at"},
    default="-decided",
    descending_first=("decided", "responded"),
)


def inbox_columns(user) -> list[Column]:
    return [
        Column(_("需求"), lambda m: need_label(user, m.need), 40),
        Column(_("需求企业"), attr("need.enterprise.name"), 28),
        Column(_("推荐对象类型"), display("kind"), 10),
        Column(_("推荐对象"), lambda m: str(m.candidate or ""), 28),
        Column(_("推荐时间"), local_datetime("decided_at"), 18),
        Column(_("协调员说明"), attr("comment"), 40),
        Column(_("回复"), display("response"), 12),
        Column(_("回复时间"), local_datetime("responded_at"), 18),
        Column(_("回复内容"), attr("response_text"), 40),
    ]


def _inbox_export(user, qs):
    def audit_rows(rows):
        record_listed_views(user, visible_needs(user, [m.need for m in rows]), via="export:inbox.xlsx")

    return xlsx_response(
        qs, inbox_columns(user), filename="invitations", sheet=_("对接邀请"), before_rows=audit_rows
    )


@login_required
def inbox(request):
    qs, sort = INBOX_SORTING.apply(selectors.inbox(user=request.user), request)
    if wants_export(request):
        return _inbox_export(request.user, qs)
    return render(
        request,
        "matching/inbox.html",
        {"matches": list(qs), "responses": Match.Response.choices, "sort": sort},
    )


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
            user=request.user,
            match=match,
            response=form.cleaned_data["response"],
            text=form.cleaned_data["text"],
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
