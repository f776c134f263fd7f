from django.urls import path

from kechuang.followup import views

app_name = "followup"
urlpatterns = [
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("stops/<int:pk>/diagnosis/", views.diagnosis_record, name="diagnosis"),
    path("stops/<int:pk>/to-need/", views.finding_to_need, name="finding_to_need"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    path("bases/", views.base_list, name="bases"),
    path("bases/new/", views.base_create, name="base_create"),
    path("bases/<int:pk>/", views.base_detail, name="base_detail"),
    path("bases/<int:pk>/services/", views.base_service_add, name="base_service_add"),
    path("conferences/", views.city_events, name="city_events"),
    path("stalled/", views.stalled, name="stalled"),
]
