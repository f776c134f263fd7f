"""The JSON API (django-ninja). One router module per resource; every read goes through selectors,
every write through the services the pages use. Callers authenticate with a personal token
(``Authorization: Bearer kc_…``) or the browser session (with CSRF on unsafe methods)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError

from kechuang.api import experts, needs
from kechuang.api.auth import AUTH
from kechuang.api.common import ApiError, error_body
from kechuang.core.errors import ApplicationError

api = NinjaAPI(
    title="kechuang 科创对接 API",
    version="1",
    auth=AUTH,
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
    return api.create_response(request, {"detail": _("请求参数无效。"), "errors": errors}, status=422)


@api.exception_handler(ApiError)
def _refused(request, exc: ApiError):
    return api.create_response(request, error_body(exc.message, exc.field_errors), status=exc.status)


@api.exception_handler(ApplicationError)
def _domain(request, exc: ApplicationError):
    """A service said no and the endpoint did not name a status: bad input."""
    return api.create_response(request, error_body(exc.message, exc.field_errors), status=400)


@api.exception_handler(Http404)
def _not_found(request, exc):
    """Missing and outside the caller's scope look the same."""
    return api.create_response(request, error_body(_("未找到，或您无权查看。")), status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(
        request, error_body(_("请先登录，或在请求头中提供有效的 API 令牌（Authorization: Bearer …）。")), status=401
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    message = str(exc)
    if exc.status_code == 403 and "CSRF" in message:
        message = _("CSRF 校验失败：浏览器会话的写操作须带 X-CSRFToken 请求头。")
    elif exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = _("请求体不是有效的 JSON。")
    return api.create_response(request, error_body(message), status=exc.status_code)


api.add_router("/needs", needs.router)
api.add_router("/experts", experts.router)
api.add_router("/matching", "kechuang.api.matching.router")
api.add_router("/organisations", "kechuang.api.orgs.router")
api.add_router("/achievements", "kechuang.api.achievements.router")
api.add_router("/matches", "kechuang.api.matches.router")
api.add_router("/events", "kechuang.api.events.router")
api.add_router("/meeting-requests", "kechuang.api.meeting_requests.router")
api.add_router("/meetings", "kechuang.api.meetings.router")
api.add_router("/visits", "kechuang.api.followup.visits")
api.add_router("/agreements", "kechuang.api.followup.agreements")

# last: any other path under /api/ is a JSON 404 too (not the HTML page), whatever the method
fallback = Router(tags=["fallback"])


@fallback.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False)
def _no_such_path(request, rest: str):
    raise Http404


api.add_router("", fallback)
