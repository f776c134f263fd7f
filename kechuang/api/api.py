"""The JSON API (django-ninja). One router module per resource; every read goes through selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.security import django_auth

from kechuang.api import experts, needs

api = NinjaAPI(
    title="kechuang 科创对接 API",
    version="1",
    auth=django_auth,
    urls_namespace="api",
    docs_decorator=login_required,  # the docs page and its schema are for signed-in users only
)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    """Bad parameters: 422 with a Chinese summary and, per parameter, where and why."""
    errors = [
        {"参数": ".".join(str(p) for p in e.get("loc", ())[1:]) or "body", "原因": e.get("msg", "")}
        for e in exc.errors
    ]
    return api.create_response(request, {"detail": gettext("请求参数无效。"), "errors": errors}, status=422)
api.add_router("/needs", needs.router)
api.add_router("/experts", experts.router)
api.add_router("/matching", "kechuang.api.matching.router")
