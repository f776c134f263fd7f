"""The coordinator's list of 已对接 proposals (from outcomes recorded by experts and enterprises),
each confirmed or dismissed in one click."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from kechuang.core.http import perform
from kechuang.events import selectors, services
from kechuang.events.views._common import coordinator_or_404
from kechuang.needs.selectors import need_label


@login_required
def met_proposals(request):
    coordinator_or_404(request)
    user = request.user
    return render(
        request,
        "events/met_proposals.html",
        {
            "pending": selectors.met_proposal_list(user=user),
            "decided": selectors.met_proposal_list(user=user, status=None).exclude(status="pending")[:20],
        },
    )


@login_required
@require_POST
def met_proposal_confirm(request, pk: int):
    coordinator_or_404(request)
    p = selectors.met_proposal_get(user=request.user, pk=pk)
    return perform(
        request,
        lambda: services.met_proposal_confirm(user=request.user, proposal=p),
        success=lambda done: (
            gettext("已确认：需求“%(need)s”为“%(status)s”。") % {"need": need_label(request.user, done.need), "status": done.need.get_status_display()}
        ),
        then="events:met_proposals",
    )


@login_required
@require_POST
def met_proposal_dismiss(request, pk: int):
    coordinator_or_404(request)
    p = selectors.met_proposal_get(user=request.user, pk=pk)
    return perform(
        request,
        lambda: services.met_proposal_dismiss(user=request.user, proposal=p),
        success=gettext("已驳回该提议，需求状态不变。"),
        then="events:met_proposals",
    )
