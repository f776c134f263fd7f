from django.urls import path

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
]
