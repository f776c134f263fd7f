from django.conf import settings
from django.urls import path

from kechuang.ops import views

app_name = "ops"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("jobs/agendas/<int:pk>/", views.start_agendas, name="start_agendas"),
    path("jobs/grid/<int:pk>/", views.start_grid, name="start_grid"),
    path("jobs/briefing/", views.start_briefing, name="start_briefing"),
    path("jobs/<uuid:pk>/", views.job, name="job"),
    path("jobs/<uuid:pk>/status", views.job_status, name="job_status"),
    path("jobs/<uuid:pk>/download", views.job_download, name="job_download"),
]

if settings.KECHUANG_BENCH_BARE:  # bench/load only (off unless KECHUANG_BENCH_BARE=1): the stack's own cost
    urlpatterns.append(path("bench/bare/", views.bench_bare, name="bench_bare"))
