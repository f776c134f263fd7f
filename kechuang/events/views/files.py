"""Agendas, the whole grid and table cards as PDF and Excel files."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.translation import gettext

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
    return _file(exports.agendas_pdf(request.user, [p]), gettext("%(title)s-议程-%(name)s.pdf") % {"title": p.event.title, "name": p.name}, "pdf")


@login_required
def agenda_xlsx(request, pk: int):
    p = selectors.participant_get(user=request.user, pk=pk)
    return _file(exports.agenda_xlsx(request.user, p), gettext("%(title)s-议程-%(name)s.xlsx") % {"title": p.event.title, "name": p.name}, "xlsx")


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
    return _file(exports.agendas_pdf(request.user, ps), gettext("%(title)s-全部议程.pdf") % {"title": event.title}, "pdf")


@login_required
def grid_pdf(request, pk: int):
    event = matchmaking_or_404(request, pk)
    return _file(exports.grid_pdf(request.user, event), gettext("%(title)s-总排期.pdf") % {"title": event.title}, "pdf")


@login_required
def grid_xlsx(request, pk: int):
    event = matchmaking_or_404(request, pk)
    return _file(exports.grid_xlsx(request.user, event), gettext("%(title)s-总排期.xlsx") % {"title": event.title}, "xlsx")


@login_required
def table_cards_pdf(request, pk: int):
    event = matchmaking_or_404(request, pk)
    coordinator_or_404(request)
    return _file(exports.table_cards_pdf(request.user, event), gettext("%(title)s-桌卡.pdf") % {"title": event.title}, "pdf")
