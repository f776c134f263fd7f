"""What the event pages share: the 404s for pages that are not for this user."""

from __future__ import annotations

from django.http import Http404

from kechuang.events import selectors
from kechuang.events.models import Event


def matchmaking_or_404(request, pk: int) -> Event:
    event = selectors.event_get(user=request.user, pk=pk)
    if event.kind != Event.Kind.MATCHMAKING:
        raise Http404
    return event


def coordinator_or_404(request) -> None:
    if not request.user.is_coordinator:
        raise Http404
