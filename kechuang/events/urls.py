from django.urls import path

from kechuang.events import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("met-proposals/", views.met_proposals, name="met_proposals"),
    path("met-proposals/<int:pk>/confirm/", views.met_proposal_confirm, name="met_proposal_confirm"),
    path("met-proposals/<int:pk>/dismiss/", views.met_proposal_dismiss, name="met_proposal_dismiss"),
    path("<int:pk>/setup/", views.meeting_day_setup, name="setup"),
    path("<int:pk>/register/enterprise/", views.register_enterprise, name="register_enterprise"),
    path("<int:pk>/register/expert/", views.register_expert, name="register_expert"),
    path("<int:pk>/requests/new/", views.request_create, name="request_create"),
    path("<int:pk>/pair-rules/", views.pair_rule, name="pair_rule"),
    path("<int:pk>/schedule/", views.schedule, name="schedule"),
    path("<int:pk>/schedule/generate/", views.generate, name="generate"),
    path("<int:pk>/schedule/replan/", views.replan, name="replan"),
    path("<int:pk>/schedule/walk-in/", views.walk_in, name="walk_in"),
    path("<int:pk>/schedule/grid.pdf", views.grid_pdf, name="grid_pdf"),
    path("<int:pk>/schedule/grid.xlsx", views.grid_xlsx, name="grid_xlsx"),
    path("<int:pk>/schedule/agendas.pdf", views.agendas_pdf, name="agendas_pdf"),
    path("<int:pk>/schedule/table-cards.pdf", views.table_cards_pdf, name="table_cards_pdf"),
    path("requests/<int:pk>/respond/", views.request_respond, name="request_respond"),
    path("requests/<int:pk>/priority/", views.request_priority, name="request_priority"),
    path("tables/<int:pk>/lose/", views.table_lose, name="table_lose"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/check-in/", views.meeting_check_in, name="meeting_check_in"),
    path("meetings/<int:pk>/outcome/", views.meeting_outcome, name="meeting_outcome"),
    path("meetings/<int:pk>/later/", views.meeting_later, name="meeting_later"),
    path("participants/<int:pk>/", views.participant_agenda, name="agenda"),
    path("participants/<int:pk>/check-in/", views.participant_check_in, name="participant_check_in"),
    path("participants/<int:pk>/unavailable/", views.participant_unavailable, name="participant_unavailable"),
    path("participants/<int:pk>/cancel/", views.participant_cancel, name="participant_cancel"),
    path("participants/<int:pk>/agenda.pdf", views.agenda_pdf, name="agenda_pdf"),
    path("participants/<int:pk>/agenda.xlsx", views.agenda_xlsx, name="agenda_xlsx"),
]
