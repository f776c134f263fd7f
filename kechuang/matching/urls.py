from django.urls import path

from kechuang.matching import views

app_name = "matching"
urlpatterns = [
    path("needs/<int:pk>/", views.suggestions, name="suggestions"),
    path("needs/<int:pk>/decide/", views.decide, name="decide"),
    path("needs/<int:pk>/record/", views.record, name="record"),
    path("needs/<int:pk>/undo/", views.undo, name="undo"),
    path("benchmarks/", views.benchmarks, name="benchmarks"),
    path("needs/<int:pk>/respond/", views.respond, name="respond"),
    path("inbox/", views.inbox, name="inbox"),
    path("experts/<int:pk>/needs/", views.expert_needs, name="expert_needs"),
    path("achievements/<int:pk>/needs/", views.achievement_needs, name="achievement_needs"),
]
