"""The two things every view does with a service: run it and report, or put its errors on a form.

Views stay thin: they parse input, pick objects through selectors, and hand the write to a
service. A service refuses with ``ApplicationError`` (a message in the user's language, maybe
field errors); these helpers turn that into a flash message or form errors, so no view repeats
the try/except/messages/redirect dance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy

from kechuang.core.errors import ApplicationError


def perform(
    request,
    call: Callable[[], Any],
    *,
    success: str | Callable[[Any], str | tuple[int, str]] | None,
    then: str | tuple | Callable[[Any], Any],
    form=None,
    invalid: str = gettext_lazy("请求无效，请重试。"),
) -> HttpResponse:
    """Run ``call``; flash its success message or its refusal; redirect to ``then``.

    With ``form``, an invalid form skips the call and flashes ``invalid`` (followed by the form's
    errors when it ends with "："), so a view never repeats the is_valid / message / redirect lines.

    ``success`` may be a function of the call's result (for messages that name what was made), and may
    return ``(messages level, text)`` when the outcome deserves a warning rather than a success;
    ``then`` is a URL name, ``(url name, *args)``, or a function of the result (None on failure)
    that returns either.
    """
    result = None
    if form is not None and not form.is_valid():
        messages.error(request, invalid + (form_errors_text(form) if invalid.endswith("：") else ""))
        return _redirect(then(None) if callable(then) else then)
    try:
        result = call()
    except ApplicationError as e:
        messages.error(request, error_text(e))
    else:
        text = success(result) if callable(success) else success
        level, text = text if isinstance(text, tuple) else (messages.SUCCESS, text)
        if text:
            messages.add_message(request, level, text)
    return _redirect(then(result) if callable(then) else then)


def _redirect(target) -> HttpResponse:
    return redirect(*target) if isinstance(target, tuple) else redirect(target)


def error_text(e: ApplicationError) -> str:
    """The refusal and its field details as one line ("请填写…：…；…"), each message once."""
    details = [m for errs in e.field_errors.values() for m in errs if m != e.message]
    return e.message + "；".join(dict.fromkeys(details))


def form_errors_text(form) -> str:
    """A form's errors as one line, for flash messages of forms posted from another page."""
    return "；".join(str(e) for errs in form.errors.values() for e in errs)


def call_for_form(form, call: Callable[[], Any]) -> tuple[bool, Any]:
    """Run ``call`` for a valid ``form``; a refusal lands on the form (field errors where they belong).

    Returns ``(True, result)`` or ``(False, None)``, so the view re-renders the form on failure.
    """
    try:
        return True, call()
    except ApplicationError as e:
        add_service_errors(form, e)
        return False, None


def add_service_errors(form, e: ApplicationError) -> None:
    """Put an ``ApplicationError`` on ``form``: each field error on its field, the rest on the form."""
    for field, errs in e.field_errors.items():
        name = field if field in form.fields else None
        for msg in errs:
            form.add_error(name, msg)
    said = {m for errs in e.field_errors.values() for m in errs}
    if e.message and e.message not in said and e.message not in form.non_field_errors():
        form.add_error(None, e.message)


def int_param(value) -> int | None:
    """An id or number from a query string or form: ASCII digits that fit a database integer, else None.

    ``str.isdigit`` accepts "²" and ``int`` accepts "١٢٣" or 30 digits; neither may reach a query.
    """
    text = str(value).strip() if value is not None else ""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)
