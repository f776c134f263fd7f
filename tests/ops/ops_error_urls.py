"""The site's URLs plus views that fail on purpose, to render every error page through Django."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.urls import path

from config.urls import urlpatterns as site


def forbidden(request):
    raise PermissionDenied


def bad(request):
    raise BadRequest


def broken(request):
    raise RuntimeError("boom: a bug in a view")


urlpatterns = [
    path("__err/403/", forbidden),
    path("__err/400/", bad),
    path("__err/500/", broken),
    *site,
]
