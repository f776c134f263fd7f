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
    path("<int:pk>/attachments/", views.need_attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.need_attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views.need_attachment_delete, name="attachment_delete"),
]
