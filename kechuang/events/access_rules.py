"""Who sees which events: everyone signed in sees the city's events (they are public programme items);
confidential detail lives on needs and meetings, which have their own rules."""

from __future__ import annotations

from kechuang.core.access import rule


@rule("events.event")
def _events(qs, user):
    return qs
