from django.urls import path

from kechuang.orgs import manage_views as mv
from kechuang.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("new/", mv.organisation_create, name="create"),
    path("<int:pk>/edit/", mv.organisation_edit, name="edit"),
    path("chains/", mv.chain_list, name="chains"),
    path("chains/new/", mv.chain_create, name="chain_create"),
    path("chains/<int:pk>/edit/", mv.chain_edit, name="chain_edit"),
]
