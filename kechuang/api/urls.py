from django.urls import path

from kechuang.api import views

app_name = "apitokens"
urlpatterns = [
    path("", views.token_page, name="list"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
]
