"""Agendas, the whole grid and table cards as PDF and Excel files."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse

from kechuang.events import exports, selectors
from kechuang.events.models import Participant
from kechuang.events.views._common import coordinator_or_404, matchmaking_or_404


def _file(content: bytes, filename: str, kind: str) -> HttpResponse:
    types = {
        "pdf": "application/pdf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    resp = HttpResponse(content, content_type=types[kind])
    resp["Content-Disposition"] = (
        f"attachment; filename=\"agenda.{kind}\"; filename*=UTF-8''{quote(filename)}"
    )
    return resp


@login_required
def agenda_pdf(request, pk: int):
    p = selectors.participant_get(user=request.user, pk=pk)
    return _file(exports.agendas_pdf(request.user, [p]), f"{p.event.title}-议程-{p.name}.pdf", "pdf")


@login_required
def agenda_xlsx(request, pk: int):
    p = selectors.participant_get(user=request.user, pk=pk)
    return _file(exports.agenda_xlsx(request.user, p), f"{p.event.title}-议程-{p.name}.xlsx", "xlsx")


@login_required
def agendas_pdf(request, pk: int):
    event = matchmaking_or_404(request, pk)
    ps = [
        p
        for p in selectors.participant_list(user=request.user, event=event).filter(status="registered")
        if p.kind != Participant.Kind.LIAISON
    ]
    if not ps:
        raise Http404
    return _file(exports.agendas_pdf(request.user, ps), f"{event.title}-全部议程.pdf", "pdf")


@login_required
def grid_pdf(request, pk: int):
    event = matchmaking_or_404(request, pk)
    return _file(exports.grid_pdf(request.user, event), f"{event.title}-总排期.pdf", "pdf")


@login_required
def grid_xlsx(request, pk: int):
    event = matchmaking_or_404(request, pk)
    return _file(exports.grid_xlsx(request.user, event), f"{event.title}-总排期.xlsx", "xlsx")


@login_required
def table_cards_pdf(request, pk: int):
    event = matchmaking_or_404(request, pk)
    coordinator_or_404(request)
    return _file(exports.table_cards_pdf(request.user, event), f"{event.title}-桌卡.pdf", "pdf")
