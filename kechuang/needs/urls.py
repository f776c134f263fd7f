from django.urls import path

from kechuang.needs import views

app_name = "needs"
urlpatterns = [
    path("", views.need_list, name="list"),
    path("new/", views.need_create, name="create"),
    path("owner/", views.need_bulk_owner, name="bulk_owner"),
    path("<int:pk>/", views.need_detail, name="detail"),
    path("<int:pk>/edit/", views.need_edit, name="edit"),
    path("<int:pk>/transition/", views.need_transition, name="transition"),
    path("<int:pk>/owner/", views.need_owner, name="owner"),
]
