from django.urls import path

from kechuang.experts import profile_views as pv
from kechuang.experts import views

app_name = "experts"
urlpatterns = [
    path("", views.expert_list, name="list"),
    path("<int:pk>/", views.expert_detail, name="detail"),
    path("<int:pk>/contact/", views.contact_request_create, name="contact_request"),
    path("<int:pk>/consent/", views.contact_consent, name="contact_consent"),
    path("requests/", views.contact_request_list, name="requests"),
    path("requests/<int:pk>/step/", views.contact_request_step, name="request_step"),
    path("achievements/", views.achievement_list, name="achievements"),
    path("achievements/<int:pk>/", views.achievement_detail, name="achievement"),
    # profile pages outside the admin (onboarding, issue 10)
    path("new/", pv.expert_create, name="create"),
    path("<int:pk>/edit/", pv.expert_edit, name="edit"),
    path("<int:pk>/retire/", pv.expert_retire, name="retire"),
    path("me/", pv.my_profile, name="my_profile"),
    path("<int:pk>/profile/", pv.profile_edit, name="profile_edit"),
    path("<int:pk>/publications/", pv.publication_add, name="publication_add"),
    path("<int:pk>/publications/<int:item>/delete/", pv.publication_remove, name="publication_remove"),
    path("<int:pk>/patents/", pv.patent_add, name="patent_add"),
    path("<int:pk>/patents/<int:item>/delete/", pv.patent_remove, name="patent_remove"),
    path("achievements/new/", pv.achievement_create, name="achievement_create"),
    path("achievements/<int:pk>/edit/", pv.achievement_edit, name="achievement_edit"),
    path("achievements/<int:pk>/retire/", pv.achievement_retire, name="achievement_retire"),
    path("teams/", pv.team_list, name="teams"),
    path("teams/new/", pv.team_create, name="team_create"),
    path("teams/<int:pk>/edit/", pv.team_edit, name="team_edit"),
    path("teams/<int:pk>/retire/", pv.team_retire, name="team_retire"),
]
