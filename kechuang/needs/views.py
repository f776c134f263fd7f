"""Need pages: the view parses and checks input; services write; selectors read."""

from __future__ import annotations

from functools import cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.accounts.models import Role
from kechuang.core.confirm import confirmation_page, confirmed
from kechuang.core.exports import wants_export
from kechuang.core.extensions import app_modules
from kechuang.core.http import call_for_form, perform
from kechuang.core.pagecache import cached_page
from kechuang.needs import selectors, services
from kechuang.needs.forms import (
    BulkOwnerForm,
    NeedAttachmentForm,
    NeedFilterForm,
    NeedForm,
    OwnerForm,
    TransitionForm,
)
from kechuang.needs.lists import NEED_SORTING, need_export
from kechuang.needs.models import NeedStatus


@cache
def _panel_functions() -> list:
    return [fn for m in app_modules("panels") for fn in getattr(m, "NEED_PANELS", [])]


def need_panels(request, need) -> list[dict]:
    """The extra panels other apps contribute to the need page (``<app>/panels.py``), in app order."""
    return [p for p in (fn(request, need) for fn in _panel_functions()) if p]


@login_required
@cached_page
def need_list(request):
    form = NeedFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs, sort = NEED_SORTING.apply(selectors.need_list(user=request.user, filters=filters), request)
    if wants_export(request):
        return need_export(request.user, qs)
    page = Paginator(selectors.for_table(qs, user=request.user), 25).get_page(request.GET.get("page"))
    stalled_before = selectors.stalled_before()
    title = gettext("我的需求") if request.user.role == Role.ENTERPRISE else gettext("需求库")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "needs/list.html",
        {
            "page": page,
            "form": form,
            "title": title,
            "stalled_before": stalled_before,
            "total": page.paginator.count,
            "query": query.urlencode(),
            "sort": sort,
            "bulk_form": BulkOwnerForm(user=request.user) if services.may_assign_owners(request.user) else None,
        },
    )


@login_required
def need_create(request):
    if not services.can_submit(request.user):
        raise Http404
    form = NeedForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, need = call_for_form(
            form,
            lambda: services.need_submit(
                user=request.user, data=form.service_data(), enterprise=form.cleaned_data.get("enterprise")
            ),
        )
        if ok:
            messages.success(request, gettext("需求“%(need_label)s”已提交，等待审核。") % {"need_label": selectors.need_label(request.user, need)})
            return redirect("needs:detail", pk=need.pk)
    return render(request, "needs/form.html", {"form": form})


@login_required
def need_edit(request, pk: int):
    need = selectors.need_get(user=request.user, pk=pk)
    if not services.can_edit(request.user, need):
        messages.error(request, gettext("当前状态下您不能修改该需求。"))
        return redirect("needs:detail", pk=pk)
    if request.method == "GET":
        services.need_record_view(user=request.user, need=need, via="edit")  # the form shows everything too
    form = NeedForm(request.POST or None, instance=need, user=request.user, editing=True)
    if request.method == "POST" and form.is_valid():
        ok, _ = call_for_form(form, lambda: services.need_update(
                user=request.user, need=need, data=form.service_data(), expected_version=form.cleaned_data["version"]
            ),)
        if ok:
            messages.success(request, gettext("需求已保存。"))
            return redirect("needs:detail", pk=pk)
    return render(request, "needs/form.html", {"form": form, "need": need})


@login_required
@cached_page
def need_detail(request, pk: int):
    need = selectors.need_for_page(user=request.user, pk=pk)
    services.need_record_view(user=request.user, need=need)
    history = selectors.need_history(user=request.user, need=need)
    actions = [(s, services.TRANSITION_LABELS[s]) for s in services.allowed_transitions(request.user, need)]
    return render(
        request,
        "needs/detail.html",
        {
            "need": need,
            "history": history,
            "actions": actions,
            "stalled": selectors.need_is_stalled(need),
            "can_edit": services.can_edit(request.user, need),
            "owner_form": (
                OwnerForm(user=request.user, initial={"owner": need.owner_id})
                if services.can_assign_owner(request.user, need)
                else None
            ),
            "can_see_contact": services.can_see_contact(request.user, need),
            "attachments": selectors.need_attachments_for_page(user=request.user, need=need),
            "can_attach": services.can_attach(request.user, need),
            "attachment_form": NeedAttachmentForm(),
            "need_panels": need_panels(request, need),
        },
    )


@login_required
@require_POST
def need_transition(request, pk: int):
    need = selectors.need_get(user=request.user, pk=pk)
    form = TransitionForm(request.POST)
    closing = request.POST.get("to_status") == NeedStatus.CLOSED
    if closing and NeedStatus.CLOSED in services.allowed_transitions(request.user, need) and not confirmed(request):
        return _close_confirmation(request, need)
    return perform(
        request,
        lambda: services.need_transition(
            user=request.user, need=need, to_status=form.cleaned_data["to_status"], note=form.cleaned_data["note"]
        ),
        success=lambda n: gettext("需求状态已更新为“%(status)s”。") % {"status": n.get_status_display()},
        then=("needs:detail", pk),
        form=form,
        invalid=gettext("请求无效，请重试。"),
    )


@login_required
@require_POST
def need_owner(request, pk: int):
    """Assign or reassign the follow-up owner of one need (from the need page)."""
    need = selectors.need_get(user=request.user, pk=pk)
    form = OwnerForm(request.POST, user=request.user)
    return perform(
        request,
        lambda: services.need_assign_owner(user=request.user, need=need, owner=form.cleaned_data["owner"]),
        success=lambda n: _("跟进负责人已设为“%(name)s”。") % {"name": services.owner_name(n.owner)},
        then=("needs:detail", pk),
        form=form,
        invalid=_("未能指定跟进负责人："),
    )


def _close_confirmation(request, need):
    """关闭需求 asks first: closing is final."""
    note = request.POST.get("note", "")
    lines = [
        _("状态将从“%(old)s”变为“已关闭”，状态记录中留下这一步%(note)s。")
        % {"old": need.get_status_display(), "note": _("（含您填写的说明）") if note.strip() else ""},
        _("关闭是最终状态：之后不能重新打开、修改或重新提交。"),
        _("关闭的需求不再出现在对接会报名和协议关联的可选需求中；已有的推荐、洽谈和协议记录保留。"),
    ]
    return confirmation_page(
        request,
        title=_("确认关闭需求？"),
        subject=selectors.need_label(request.user, need),
        consequences=lines,
        confirm_label=_("确认关闭需求"),
        back_url=reverse("needs:detail", args=[need.pk]),
        back_label=_("返回，不关闭"),
        carry={"to_status": NeedStatus.CLOSED, "note": note},
    )


@login_required
@require_POST
def need_attachment_add(request, pk: int):
    need = selectors.need_get(user=request.user, pk=pk)
    form = NeedAttachmentForm(request.POST, request.FILES)
    return perform(
        request,
        lambda: services.need_attachment_add(
            user=request.user, need=need, file=form.cleaned_data["file"], name=form.cleaned_data["name"]
        ),
        success=lambda a: _("附件“%(name)s”已上传。") % {"name": a.name},
        then=("needs:detail", pk),
        form=form,
        invalid=_("上传未成功：") if request.FILES else _("请选择要上传的文件。"),
    )


@login_required
@require_POST
def need_bulk_owner(request):
    """Assign one follow-up owner to the needs ticked on the list; back to the list as it was."""
    if not services.may_assign_owners(request.user):
        raise Http404
    form = BulkOwnerForm(request.POST, user=request.user)
    back = reverse("needs:list")
    query = QueryDict(str(request.POST.get("query", ""))[:2000]).urlencode()
    if query:
        back += "?" + query
    return perform(
        request,
        lambda: services.needs_assign_owner(
            user=request.user, needs=form.cleaned_data["needs"], owner=form.cleaned_data["owner"]
        ),
        success=lambda n: ngettext("已为 %(n)d 项需求指定跟进负责人“%(name)s”。", "已为 %(n)d 项需求指定跟进负责人“%(name)s”。", n)
        % {"n": n, "name": services.owner_name(form.cleaned_data["owner"])},
        then=back,
        form=form,
        invalid=_("未能批量指定跟进负责人："),
    )


@login_required
def need_attachment_download(request, pk: int):
    att = selectors.need_attachment_get(user=request.user, pk=pk)
    services.need_attachment_record_download(user=request.user, attachment=att)
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.file.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def need_attachment_delete(request, pk: int):
    att = selectors.need_attachment_get(user=request.user, pk=pk)
    need = att.need
    if services.can_attach(request.user, need) and not confirmed(request):
        return confirmation_page(
            request,
            title=_("确认删除附件？"),
            subject=att.name,
            consequences=[
                _("附件“%(name)s”将从该需求中删除，文件本身也从服务器上删除，不能恢复。") % {"name": att.name},
                _("删除会记入审计日志（谁、何时、删除了哪个文件）。"),
            ],
            confirm_label=_("确认删除"),
            back_url=reverse("needs:detail", args=[need.pk]),
            back_label=_("返回，不删除"),
        )
    return perform(
        request,
        lambda: services.need_attachment_delete(user=request.user, attachment=att),
        success=_("附件“%(name)s”已删除。") % {"name": att.name},
        then=("needs:detail", need.pk),
    )
