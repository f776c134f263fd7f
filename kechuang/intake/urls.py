from django.urls import path

from kechuang.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.home, name="home"),
    path("template/<slug:kind>.xlsx", views.template, name="template"),
    path("<int:pk>/", views.batch, name="batch"),
    path("<int:pk>/commit/", views.commit, name="commit"),
]
