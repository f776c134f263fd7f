"""Follow-up pages: views parse input and check scope; services write; selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kechuang.core.exports import Column, attr, display, joined, local_date, wants_export, xlsx_response
from kechuang.core.http import call_for_form, int_param, perform
from kechuang.core.sorting import Sorting
from kechuang.followup import forms, selectors, services
from kechuang.followup.models import Agreement, Base, Urgency
from kechuang.needs.selectors import need_label


def _filters(request):
    form = forms.ListFilterForm(request.GET or None, user=request.user)
    return form, (form.cleaned_data if form.is_valid() else {})


# --------------------------------------------------------------------------- visits
VISIT_SORTING = Sorting(
    {
        "date": "date",
        "title": "title",
        "district": "district__code",
        "park": "park__name",
        "stops": "n_stops",
        "diagnosed": "n_diagnosed",
        "experts": "n_experts",
    },
    default="-date",
    descending_first=("date", "stops", "diagnosed", "experts"),
)
VISIT_COLUMNS = [
    Column(_("日期"), attr("date"), 12),
    Column(_("名称"), attr("title"), 40),
    Column(_("地区"), attr("district.name"), 14),
    Column(_("园区"), attr("park.name"), 20),
    Column(_("走访企业（家）"), attr("n_stops"), 10),
    Column(_("已诊断（家）"), attr("n_diagnosed"), 10),
    Column(_("专家（位）"), attr("n_experts"), 10),
]


@login_required
def visit_list(request):
    form, filters = _filters(request)
    qs, sort = VISIT_SORTING.apply(selectors.visit_list(user=request.user, filters=filters), request)
    if wants_export(request):
        return xlsx_response(qs, VISIT_COLUMNS, filename="visits", sheet=_("走访"))
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "followup/visit_list.html",
        {"page": page, "form": form, "can_plan": services.can_plan_visits(request.user), "sort": sort},
    )


@login_required
def visit_create(request):
    user = request.user
    if not services.can_plan_visits(user):
        raise Http404
    form = forms.VisitForm(request.POST or None, user=user)
    stops = forms.StopFormSet(request.POST or None, prefix="stops", form_kwargs={"user": user})
    if request.method == "POST" and form.is_valid() and stops.is_valid():
        rows = [
            {"enterprise": f.cleaned_data["enterprise"], "minutes": f.cleaned_data.get("minutes") or 0}
            for f in stops.forms
            if f.cleaned_data.get("enterprise")
        ]
        data = form.cleaned_data | {"stops": [r | {"order": i} for i, r in enumerate(rows, start=1)]}
        ok, visit = call_for_form(form, lambda: services.visit_plan(user=user, data=data))
        if ok:
            messages.success(request, gettext("走访“%(title)s”已安排。") % {"title": visit.title})
            return redirect("followup:visit_detail", pk=visit.pk)
    return render(request, "followup/visit_form.html", {"form": form, "stops": stops})


@login_required
def visit_detail(request, pk: int):
    visit = selectors.visit_get(user=request.user, pk=pk)
    stops = list(selectors.visit_stops(user=request.user, visit=visit))
    for s in stops:  # the title offered for a need made from the finding (editable in the form)
        s.suggested_title = services.need_title_from_finding(s) if s.findings else ""
    can_diag = services.can_diagnose(request.user, visit)
    return render(
        request,
        "followup/visit_detail.html",
        {
            "visit": visit,
            "stops": stops,
            "experts": visit.experts.all(),
            "societies": visit.societies.all(),
            "can_diagnose": can_diag,
            "can_make_need": services.can_make_need_from_finding(request.user),
            "can_record_agreement": services.can_record_agreements(request.user),
            "urgencies": Urgency.choices,
            "total_minutes": sum(s.minutes for s in stops),
        },
    )


@login_required
@require_POST
def diagnosis_record(request, pk: int):
    stop = selectors.stop_get(user=request.user, pk=pk)
    form = forms.DiagnosisForm(request.POST)
    form.is_valid()
    return perform(
        request,
        lambda: services.diagnosis_record(
            user=request.user,
            stop=stop,
            findings=form.cleaned_data.get("findings", ""),
            recommendations=form.cleaned_data.get("recommendations", ""),
            urgency=form.cleaned_data.get("urgency", ""),
        ),
        success=gettext("已记录“%(name)s”的诊断意见。") % {"name": stop.enterprise.name},
        then=f"{_visit_url(stop.visit_id)}#stop-{stop.pk}",
    )


def _visit_url(pk):
    from django.urls import reverse

    return reverse("followup:visit_detail", args=[pk])


@login_required
@require_POST
def finding_to_need(request, pk: int):
    stop = selectors.stop_get(user=request.user, pk=pk)
    form = forms.FindingToNeedForm(request.POST)
    form.is_valid()
    return perform(
        request,
        lambda: services.finding_to_need(user=request.user, stop=stop, title=form.cleaned_data.get("title", "")),
        success=lambda need: gettext("已根据走访发现生成需求“%(need_label)s”（来源：走访发现）。") % {"need_label": need_label(request.user, need)},
        then=lambda need: ("needs:detail", need.pk) if need else f"{_visit_url(stop.visit_id)}#stop-{stop.pk}",
    )


# --------------------------------------------------------------------------- agreements
AGREEMENT_SORTING = Sorting(
    {"signed": "signed", "title": "title", "kind": "kind", "amount": "amount", "milestones": "n_milestones"},
    default="-signed",
    descending_first=("signed", "amount", "milestones"),
)
AGREEMENT_COLUMNS = [
    Column(_("签订日期"), attr("signed"), 12),
    Column(_("协议名称"), attr("title"), 40),
    Column(_("类型"), display("kind"), 10),
    Column(_("签约各方"), joined("parties"), 40),
    Column(_("金额（万元）"), attr("amount"), 12),
    Column(_("里程碑（完成）"), attr("n_done"), 10),
    Column(_("里程碑（共）"), attr("n_milestones"), 10),
]


@login_required
def agreement_list(request):
    form, filters = _filters(request)
    kind = request.GET.get("kind") or ""
    if kind in Agreement.Kind.values:
        filters["kind"] = kind
    qs, sort = AGREEMENT_SORTING.apply(selectors.agreement_list(user=request.user, filters=filters), request)
    if wants_export(request):
        return xlsx_response(qs, AGREEMENT_COLUMNS, filename="agreements", sheet=_("合作协议"))
    totals = selectors.agreement_totals(qs)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "followup/agreement_list.html",
        {
            "page": page,
            "form": form,
            "totals": totals,
            "kinds": Agreement.Kind.choices,
            "kind": kind,
            "sort": sort,
            "can_record": services.can_record_agreements(request.user),
        },
    )


@login_required
def agreement_create(request):
    user = request.user
    if not services.can_record_agreements(user):
        raise Http404
    initial = {}
    if request.method == "GET":
        if need_id := int_param(request.GET.get("need")):
            initial["needs"] = [need_id]
        if visit_id := int_param(request.GET.get("visit")):
            initial["visits"] = [visit_id]
    form = forms.AgreementForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    ms = forms.MilestoneFormSet(request.POST or None, prefix="ms")
    if request.method == "POST" and form.is_valid() and ms.is_valid():
        data = dict(form.cleaned_data)
        data["milestones"] = [
            {"title": f.cleaned_data.get("title", ""), "due": f.cleaned_data.get("due")}
            for f in ms.forms
            if f.cleaned_data.get("title") or f.cleaned_data.get("due")
        ]
        ok, agreement = call_for_form(form, lambda: services.agreement_record(user=user, data=data))
        if ok:
            msg = gettext("协议“%(title)s”已登记。") % {"title": agreement.title}
            if agreement.moved_needs:
                msg += gettext("关联需求已标记为“已签约”：%(needs)s。") % {
                    "needs": gettext("、").join(need_label(request.user, n) for n in agreement.moved_needs)
                }
            messages.success(request, msg)
            for n in agreement.unmoved_needs:
                messages.warning(
                    request,
                    gettext("需求“%(need)s”当前为“%(status)s”，未自动标记为已签约，请按流程推进。")
                    % {"need": need_label(request.user, n), "status": n.get_status_display()},
                )
            return redirect("followup:agreement_detail", pk=agreement.pk)
    return render(request, "followup/agreement_form.html", {"form": form, "milestones": ms})


@login_required
def agreement_detail(request, pk: int):
    user = request.user
    agreement = selectors.agreement_get(user=user, pk=pk)
    return render(
        request,
        "followup/agreement_detail.html",
        {
            "agreement": agreement,
            "needs": selectors.agreement_needs(user=user, agreement=agreement),
            "milestones": selectors.agreement_milestones(user=user, agreement=agreement),
            "attachments": selectors.agreement_attachments(user=user, agreement=agreement),
            "visits": selectors.agreement_visits(user=user, agreement=agreement),
            "experts": agreement.experts.all(),
            "bases": selectors.base_list(user=user).filter(agreement=agreement),
            "can_edit": services.can_record_agreements(user),
            "attachment_form": forms.AttachmentForm(),
        },
    )


@login_required
@require_POST
def milestone_done(request, pk: int):
    m = selectors.milestone_get(user=request.user, pk=pk)
    return perform(
        request,
        lambda: services.milestone_set_done(user=request.user, milestone=m, done=request.POST.get("done") == "1"),
        success=gettext("里程碑“%(title)s”已更新。") % {"title": m.title},
        then=("followup:agreement_detail", m.agreement_id),
    )


@login_required
@require_POST
def attachment_add(request, pk: int):
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    return perform(
        request,
        lambda: services.attachment_add(
            user=request.user, agreement=agreement, file=form.cleaned_data["file"], name=form.cleaned_data["name"]
        ),
        success=gettext("附件已上传。"),
        then=("followup:agreement_detail", pk),
        form=form,
        invalid=gettext("请选择要上传的文件。"),
    )


@login_required
def attachment_download(request, pk: int):
    att = selectors.attachment_get(user=request.user, pk=pk)
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.file.name.rsplit("/", 1)[-1])


# --------------------------------------------------------------------------- bases
BASE_SORTING = Sorting(
    {
        "name": "name",
        "kind": "kind",
        "society": "society__name",
        "host": "host__name",
        "district": "district__code",
        "unveiled": "unveiled",
        "services": "n_services",
    },
    default="-unveiled",
    descending_first=("unveiled", "services"),
)
BASE_COLUMNS = [
    Column(_("名称"), attr("name"), 36),
    Column(_("类型"), display("kind"), 16),
    Column(_("共建学会"), attr("society.name"), 24),
    Column(_("依托单位"), attr("host.name"), 28),
    Column(_("地区"), attr("district.name"), 14),
    Column(_("揭牌日期"), attr("unveiled"), 12),
    Column(_("服务次数"), attr("n_services"), 10),
]


@login_required
def base_list(request):
    form, filters = _filters(request)
    qs, sort = BASE_SORTING.apply(selectors.base_list(user=request.user, filters=filters), request)
    if wants_export(request):
        return xlsx_response(qs, BASE_COLUMNS, filename="bases", sheet=_("基地和服务中心"))
    return render(
        request,
        "followup/base_list.html",
        {"bases": qs, "form": form, "sort": sort, "can_record": services.can_record_bases(request.user)},
    )


@login_required
def base_create(request):
    if not services.can_record_bases(request.user):
        raise Http404
    form = forms.BaseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, base = call_for_form(form, lambda: services.base_record(user=request.user, data=form.cleaned_data))
        if ok:
            messages.success(request, gettext("“%(name)s”已登记。") % {"name": base.name})
            return redirect("followup:base_detail", pk=base.pk)
    return render(request, "followup/base_form.html", {"form": form})


@login_required
def base_detail(request, pk: int):
    base = selectors.base_get(user=request.user, pk=pk)
    return render(
        request,
        "followup/base_detail.html",
        {
            "base": base,
            "services": selectors.base_services(user=request.user, base=base),
            "can_edit": services.can_record_bases(request.user),
            "service_form": forms.BaseServiceForm(),
            "service_kinds": Base.Kind,
        },
    )


@login_required
@require_POST
def base_service_add(request, pk: int):
    base = selectors.base_get(user=request.user, pk=pk)
    form = forms.BaseServiceForm(request.POST)
    form.is_valid()
    return perform(
        request,
        lambda: services.base_service_record(user=request.user, base=base, data=form.cleaned_data),
        success=gettext("服务记录已添加。"),
        then=("followup:base_detail", pk),
    )


# --------------------------------------------------------------------------- conferences, stalled
CITY_EVENT_SORTING = Sorting(
    {"start": "start", "title": "title", "kind": "kind", "scale": "scale", "venue": "venue"},
    default="-start",
    descending_first=("start", "scale"),
)
CITY_EVENT_COLUMNS = [
    Column(_("开始日期"), local_date("start"), 12),
    Column(_("结束日期"), local_date("end"), 12),
    Column(_("名称"), attr("title"), 40),
    Column(_("类型"), display("kind"), 10),
    Column(_("主办/承办学会"), joined("societies"), 36),
    Column(_("规模（人）"), attr("scale"), 10),
    Column(_("地点"), attr("venue"), 28),
]
STALLED_LIMIT = 200


@login_required
def city_events(request):
    qs, sort = CITY_EVENT_SORTING.apply(selectors.city_event_list(user=request.user), request)
    if wants_export(request):
        return xlsx_response(qs, CITY_EVENT_COLUMNS, filename="conferences", sheet=_("学术会议与竞赛"))
    return render(request, "followup/city_events.html", {"events": qs, "sort": sort})


@login_required
def stalled(request):
    """Stalled needs: a coordinator sees all of them, everyone else those they own."""
    from django.conf import settings

    from kechuang.needs.lists import STALLED_SORTING, need_export

    qs, sort = STALLED_SORTING.apply(selectors.stalled_for(request.user), request)
    if wants_export(request):
        return need_export(request.user, qs, filename="stalled-needs")
    return render(
        request,
        "followup/stalled.html",
        {"needs": qs[:STALLED_LIMIT], "days": settings.KECHUANG_STALLED_DAYS, "sort": sort},
    )
