"""What every API module shares: the error body, the documented error statuses, ordering by a
whitelisted field, and turning a service's refusal into the right status with a Chinese message."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from kechuang.core.errors import ApplicationError


class ErrorItem(Schema):
    参数: str
    原因: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


# every operation documents these, so a client (and schemathesis) knows each answer's shape
READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
LIST_ERRORS: dict[int, Any] = {401: ErrorOut, 422: ErrorOut}


class ApiError(Exception):
    """A refusal with its HTTP status (400 bad input, 403 not allowed, 409 conflicts with the state)."""

    def __init__(self, status: int, message: str, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field_errors = field_errors or {}


def error_body(message: str, field_errors: dict[str, list[str]] | None = None) -> dict:
    return {
        "detail": message,
        "errors": [{"参数": k, "原因": str(m)} for k, msgs in (field_errors or {}).items() for m in msgs],
    }


@contextmanager
def service_call(status: int = 400):
    """Run a service; its ApplicationError (a rule of the domain said no) becomes ``status``."""
    try:
        yield
    except ApplicationError as exc:
        raise ApiError(status, exc.message, field_errors=exc.field_errors) from None


def form_errors(form) -> ApiError:
    fields = {("body" if k == "__all__" else k): [str(m) for m in v] for k, v in form.errors.items()}
    first = next((m for msgs in fields.values() for m in msgs), _("请求内容无效。"))
    return ApiError(400, first, field_errors=fields)


def ordering_field(columns: dict[str, str | tuple[str, ...]], description: str = ""):
    """``ordering``: one of the whitelisted keys, ``-`` for descending (anything else: 422)."""
    keys = "|".join(sorted(columns))
    return Field(
        None,
        pattern=rf"^-?({keys})$",
        description=description or f"排序字段（加 - 为倒序）：{', '.join(sorted(columns))}",
    )


def apply_ordering(qs: QuerySet, columns: dict[str, str | tuple[str, ...]], value: str | None) -> QuerySet:
    """Order by a whitelisted key; ties broken by the primary key (stable pages); nulls last."""
    if not value:
        return qs
    descending = value.startswith("-")
    key = value.lstrip("-")
    fields = columns[key]
    fields = (fields,) if isinstance(fields, str) else tuple(fields)
    exprs = [F(f).desc(nulls_last=True) if descending else F(f).asc(nulls_last=True) for f in (*fields, "pk")]
    return qs.order_by(*exprs)


NO_NUL = r"^[^\x00]*$"


PK_MAX = 2**31 - 1  # a database integer: a larger id in a URL is a 422, never a database error


def pk_path(description: str = "id"):
    from ninja import Path

    return Path(..., ge=1, le=PK_MAX, description=description)
