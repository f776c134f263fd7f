"""Event and matchmaking pages, by job: views parse input and check access; services write
(``kechuang.core.http.perform`` reports their refusals); selectors read."""

from kechuang.events.views.day_of import (
    agenda_live,
    meeting_cancel,
    meeting_check_in,
    meeting_detail,
    meeting_later,
    meeting_outcome,
    participant_agenda,
    participant_cancel,
    participant_check_in,
    participant_online,
    participant_unavailable,
)
from kechuang.events.views.files import (
    agenda_pdf,
    agenda_xlsx,
    agendas_pdf,
    grid_pdf,
    grid_xlsx,
    table_cards_pdf,
)
from kechuang.events.views.outcomes import met_proposal_confirm, met_proposal_dismiss, met_proposals
from kechuang.events.views.pages import event_detail, event_list, meeting_day_setup
from kechuang.events.views.registration import (
    pair_rule,
    register_enterprise,
    register_expert,
    request_create,
    request_priority,
    request_respond,
)
from kechuang.events.views.schedule import generate, replan, schedule, table_lose, walk_in

__all__ = [
    "agenda_live",
    "agenda_pdf",
    "agenda_xlsx",
    "agendas_pdf",
    "event_detail",
    "event_list",
    "generate",
    "grid_pdf",
    "grid_xlsx",
    "meeting_cancel",
    "meeting_check_in",
    "meeting_day_setup",
    "meeting_detail",
    "meeting_later",
    "meeting_outcome",
    "met_proposal_confirm",
    "met_proposal_dismiss",
    "met_proposals",
    "pair_rule",
    "participant_agenda",
    "participant_cancel",
    "participant_check_in",
    "participant_online",
    "participant_unavailable",
    "register_enterprise",
    "register_expert",
    "replan",
    "request_create",
    "request_priority",
    "request_respond",
    "schedule",
    "table_cards_pdf",
    "table_lose",
    "walk_in",
]
