from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.accounts.models import Role
from kechuang.core.access import restrict
from kechuang.core.exports import Column, attr, display, wants_export, xlsx_response
from kechuang.core.http import int_param, perform
from kechuang.core.pagecache import cached_page
from kechuang.core.sorting import Sorting
from kechuang.experts import selectors, services
from kechuang.experts.forms import ContactConsentForm, ContactRequestForm, ContactStepForm
from kechuang.experts.models import ContactRequest, Expert
from kechuang.orgs.models import Organisation


def _filters(request) -> dict:
    """The list filters of both libraries: free text, a society id and a research field."""
    return {
        "q": request.GET.get("q", ""),
        "society": int_param(request.GET.get("society")),
        "field": request.GET.get("field", ""),
    }


def _listed(values) -> str:
    return "、".join(str(v) for v in values or [])


EXPERT_SORTING = Sorting(
    {"name": "name", "title": "title", "affiliation": "affiliation__name", "availability": "availability"},
    default="name",
)
EXPERT_COLUMNS = [
    Column(gettext_lazy("姓名"), attr("name"), 12),
    Column(gettext_lazy("职称"), attr("title"), 14),
    Column(gettext_lazy("单位"), attr("affiliation.name"), 28),
    Column(gettext_lazy("学会"), lambda e: "、".join(s.name for s in e.societies.all()), 30),
    Column(gettext_lazy("研究领域"), lambda e: _listed(e.fields), 30),
    Column(gettext_lazy("关键词"), lambda e: _listed(e.keywords), 30),
    Column(gettext_lazy("状态"), display("availability"), 10),
]
ACHIEVEMENT_SORTING = Sorting(
    {
        "title": "title",
        "society": "owner_society__name",
        "expert": "owner_expert__name",
        "maturity": "maturity",
        "transfer": "transfer_mode",
        "chain": "chain__code",
    },
    default="title",
)
ACHIEVEMENT_COLUMNS = [
    Column(gettext_lazy("成果名称"), attr("title"), 36),
    Column(gettext_lazy("所属学会"), attr("owner_society.name"), 24),
    Column(gettext_lazy("完成专家"), attr("owner_expert.name"), 12),
    Column(gettext_lazy("成熟度"), display("maturity"), 10),
    Column(gettext_lazy("转化方式"), display("transfer_mode"), 10),
    Column(gettext_lazy("产业链"), attr("chain.name"), 18),
    Column(gettext_lazy("领域"), lambda a: _listed(a.fields), 24),
    Column(gettext_lazy("知识产权"), attr("ip"), 24),
]


@login_required
@cached_page
def expert_list(request):
    filters = _filters(request)
    qs, sort = EXPERT_SORTING.apply(selectors.expert_list(user=request.user, filters=filters), request)
    if wants_export(request):
        return xlsx_response(qs, EXPERT_COLUMNS, filename="experts", sheet=_("专家"))
    page = Paginator(selectors.for_cards(qs), 30).get_page(request.GET.get("page"))
    title = _("本学会专家") if request.user.role == Role.LIAISON else _("专家库")
    return render(
        request,
        "experts/list.html",
        {
            "page": page,
            "cards": selectors.expert_cards(page.object_list),
            "filters": filters,
            "societies": selectors.expert_society_choices(user=request.user),
            "field_choices": selectors.expert_field_choices(user=request.user),
            "title": title,
            "sort": sort,
            "teams": selectors.team_list(user=request.user),
        },
    )


@login_required
def expert_detail(request, pk: int):
    user = request.user
    profile = selectors.expert_profile(user=user, pk=pk)
    expert = Expert.objects.get(pk=profile.pk)  # in scope: expert_profile answered 404 otherwise
    is_enterprise = user.role == Role.ENTERPRISE
    ctx = {
        "expert": profile,
        "is_enterprise": is_enterprise,
        "requests": _with_steps(user, selectors.contact_requests_for_expert(user=user, expert_id=pk))
        if is_enterprise
        else [],
        "can_request": services.can_request_contact(user, expert),
        "can_edit_consent": services.can_edit_contact_consent(user, expert),
    }
    ctx["has_live_request"] = any(
        r.status in (*ContactRequest.OPEN, ContactRequest.Status.ACCEPTED) for r, _steps in ctx["requests"]
    )
    if ctx["can_request"]:
        ctx["contact_form"] = ContactRequestForm(needs=services.contact_needs(user))
    if not is_enterprise:
        ctx["expert_obj"] = (
            expert  # the follow-up history panel (visits, agreements) for staff and the expert
        )
    return render(request, "experts/detail.html", ctx)


@login_required
@require_POST
def contact_request_create(request, pk: int):
    user = request.user
    profile = selectors.expert_profile(user=user, pk=pk)
    expert = Expert.objects.get(pk=profile.pk)
    form = ContactRequestForm(request.POST, needs=services.contact_needs(user))
    if not services.can_request_contact(user, expert):
        messages.error(request, _("您不能向该专家请求对接。"))
        return redirect("experts:detail", pk=pk)
    return perform(
        request,
        lambda: services.contact_request_create(
            user=user, expert=expert, message=form.cleaned_data["message"], need=form.cleaned_data["need"]
        ),
        form=form,
        invalid=_("请求未提交："),
        success=_("对接请求已提交，学会联络员将尽快处理。"),
        then=("experts:detail", pk),
    )


@login_required
@require_POST
def contact_consent(request, pk: int):
    user = request.user
    profile = selectors.expert_profile(user=user, pk=pk)
    expert = Expert.objects.get(pk=profile.pk)
    form = ContactConsentForm(request.POST)
    return perform(
        request,
        lambda: services.expert_contact_consent(
            user=user, expert=expert, contact_public=form.cleaned_data["contact_public"]
        ),
        form=form,
        success=lambda e: (
            _("企业现在可以在专家主页看到联系方式。") if e.contact_public else _("联系方式已不再向企业公开。")
        ),
        then=("experts:detail", pk),
    )


def _with_steps(user, reqs):
    labels = services.contact_step_labels()
    return [(r, [(s, labels[s]) for s in services.allowed_contact_steps(user, r)]) for r in reqs]


@login_required
def contact_request_list(request):
    user = request.user
    status = request.GET.get("status") or None
    reqs = selectors.contact_request_list(user=user, status=status)
    page = Paginator(reqs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "experts/requests.html",
        {
            "page": page,
            "rows": _with_steps(user, page.object_list),
            "statuses": ContactRequest.Status.choices,
            "status": status,
            "is_enterprise": user.role == Role.ENTERPRISE,
        },
    )


@login_required
@require_POST
def contact_request_step(request, pk: int):
    req = selectors.contact_request_get(user=request.user, pk=pk)
    form = ContactStepForm(request.POST)
    return perform(
        request,
        lambda: services.contact_request_transition(
            user=request.user,
            req=req,
            to_status=form.cleaned_data["to_status"],
            note=form.cleaned_data["note"],
        ),
        form=form,
        success=lambda r: _("对接请求已更新：%(s)s。") % {"s": r.get_status_display()},
        then=("experts:detail", req.expert_id)
        if request.POST.get("next") == "detail"
        else "experts:requests",
    )


@login_required
def achievement_list(request):
    filters = _filters(request)
    qs, sort = ACHIEVEMENT_SORTING.apply(selectors.achievement_list(user=request.user, filters=filters), request)
    if wants_export(request):
        return xlsx_response(qs, ACHIEVEMENT_COLUMNS, filename="achievements", sheet=_("科技成果"))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    title = gettext("本学会科技成果") if request.user.role == Role.LIAISON else gettext("科技成果")
    return render(
        request,
        "experts/achievements.html",
        {
            "page": page,
            "filters": filters,
            "societies": _society_choices(request.user),
            "title": title,
            "sort": sort,
        },
    )


@login_required
def achievement_detail(request, pk: int):
    return render(
        request, "experts/achievement_detail.html", {"a": selectors.achievement_get(user=request.user, pk=pk)}
    )


def _society_choices(user):
    return restrict(Organisation.objects.filter(kind=Organisation.Kind.SOCIETY), user)
