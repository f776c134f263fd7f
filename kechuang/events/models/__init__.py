"""Events (活动) of every kind, and the matchmaking-meeting (对接会) machinery built on ``Event``:
the day's slots (``MeetingDay``), tables, participants, meeting requests, coordinator pair rules,
scheduled meetings with their per-participant seats, and the record of every optimiser run.

Double booking is prevented by the database, not only by code (docs/adr/0006-meeting-day.md):
a scheduled meeting owns its (event, slot, table) and each of its participants owns a
``MeetingSeat`` (event, participant, slot); both are unique indexes, so two coordinators editing
at once cannot both win.

Split by job (``event``, ``participants``, ``schedule``); import the models from here.
"""

from kechuang.events.models.event import Event, MeetingDay, Table
from kechuang.events.models.outcomes import MetProposal
from kechuang.events.models.participants import MeetingRequest, PairRule, Participant
from kechuang.events.models.schedule import Meeting, MeetingSeat, ScheduleRun

__all__ = [
    "Event",
    "Meeting",
    "MeetingDay",
    "MeetingRequest",
    "MeetingSeat",
    "MetProposal",
    "PairRule",
    "Participant",
    "ScheduleRun",
    "Table",
]
