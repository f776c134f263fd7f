from django.urls import path

from kechuang.core import audit_views, views

app_name = "core"
urlpatterns = [
    path("", views.root, name="root"),
    path("home/", views.home, name="home"),
    path("audit/", audit_views.audit_list, name="audit"),
    path("audit/export.xlsx", audit_views.audit_export, name="audit_export"),
]
