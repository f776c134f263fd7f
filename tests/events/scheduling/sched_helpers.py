"""Helpers for the scheduling tests (a unique module name: no clash with other conftests)."""

from __future__ import annotations

from kechuang.events.scheduling.model import Meeting, Problem


def make_problem(
    pairs, n_slots=4, n_tables=3, n_morning=None, sessions=None, n_participants=None, **kw
) -> Problem:
    """A small problem from (p, q) pairs; participants 1-based."""
    meetings = tuple(
        Meeting(id=i + 1, participants=tuple(pq), session=(sessions[i] if sessions else 3))
        for i, pq in enumerate(pairs)
    )
    n_part = n_participants or max(max(pq) for pq in pairs)
    return Problem(
        n_participants=n_part,
        n_slots=n_slots,
        n_tables=n_tables,
        n_morning_slots=n_slots if n_morning is None else n_morning,
        meetings=meetings,
        **kw,
    )
