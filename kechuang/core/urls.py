from django.urls import path

from kechuang.core import views

app_name = "core"
urlpatterns = [
    path("", views.root, name="root"),
    path("home/", views.home, name="home"),
]
