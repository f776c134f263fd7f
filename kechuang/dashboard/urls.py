from django.urls import path

from kechuang.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("briefing.xlsx", views.export_xlsx, name="export_xlsx"),
    path("briefing.pdf", views.export_pdf, name="export_pdf"),
]
