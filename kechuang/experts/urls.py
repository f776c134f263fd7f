from django.urls import path

from kechuang.experts import views

app_name = "experts"
urlpatterns = [
    path("", views.expert_list, name="list"),
    path("<int:pk>/", views.expert_detail, name="detail"),
    path("achievements/", views.achievement_list, name="achievements"),
    path("achievements/<int:pk>/", views.achievement_detail, name="achievement"),
]
