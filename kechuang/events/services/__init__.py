"""Every write of the matchmaking-meeting machinery, by job: one transaction, one audit entry each.

- ``set_up``: a meeting's slot grid and its tables;
- ``registration``: representatives with their needs, experts through their society;
- ``meeting_requests``: requests between the two sides, the coordinator's pair rules;
- ``schedule``: choose and place the meetings, re-plan after a lost table or a walk-in;
- ``day_of``: check-in, outcomes, cancellations;
- ``outcomes``: outcomes that propose 已对接, confirmed or dismissed by a coordinator.

Bad input raises ``ApplicationError`` with a Chinese message before anything is written. A
meeting's slot and table, and each participant's slot, are unique in the database
(``Meeting``/``MeetingSeat`` constraints): when two people place meetings at the same time the
loser's transaction is rolled back whole and they get a clear message.

The rules that pages show as buttons are public predicates here (``speaks_for``,
``can_register_enterprise``, ``can_register_expert``, ``can_respond``, ``can_record``), so views
never test roles themselves. Import the package: ``from kechuang.events import services``.
"""

from kechuang.events.services._common import BOOKED, can_act_for, speaks_for
from kechuang.events.services.day_of import (
    can_record,
    meeting_cancel,
    meeting_check_in,
    meeting_record_later,
    meeting_record_outcome,
    participant_cancel,
    participant_check_in,
)
from kechuang.events.services.meeting_requests import (
    can_respond,
    meeting_request_create,
    meeting_request_respond,
    meeting_request_set_priority,
    pair_rule_set,
)
from kechuang.events.services.outcomes import met_proposal_confirm, met_proposal_dismiss
from kechuang.events.services.registration import (
    can_register_enterprise,
    can_register_expert,
    event_register_enterprise,
    event_register_expert,
    participant_set_online_only,
    participant_set_unavailable,
)
from kechuang.events.services.schedule import (
    meeting_add_walk_in,
    schedule_generate,
    schedule_replan,
    table_lose,
)
from kechuang.events.services.set_up import meeting_day_configure, table_set_active

__all__ = [
    "BOOKED",
    "can_act_for",
    "can_record",
    "can_register_enterprise",
    "can_register_expert",
    "can_respond",
    "event_register_enterprise",
    "event_register_expert",
    "meeting_add_walk_in",
    "meeting_cancel",
    "meeting_check_in",
    "meeting_day_configure",
    "meeting_record_later",
    "meeting_record_outcome",
    "meeting_request_create",
    "meeting_request_respond",
    "meeting_request_set_priority",
    "met_proposal_confirm",
    "met_proposal_dismiss",
    "pair_rule_set",
    "participant_cancel",
    "participant_check_in",
    "participant_set_online_only",
    "participant_set_unavailable",
    "schedule_generate",
    "schedule_replan",
    "speaks_for",
    "table_lose",
    "table_set_active",
]
