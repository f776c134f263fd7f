from django.urls import path

from kechuang.needs import views

app_name = "needs"
urlpatterns = [
    path("", views.need_list, name="list"),
    path("new/", views.need_create, name="create"),
    path("<int:pk>/", views.need_detail, name="detail"),
    path("<int:pk>/edit/", views.need_edit, name="edit"),
    path("<int:pk>/transition/", views.need_transition, name="transition"),
    path("<int:pk>/attachments/", views.need_attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.need_attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views.need_attachment_delete, name="attachment_delete"),
]
