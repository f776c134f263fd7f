"""A destructive action asks first, and says what will happen (issue 13).

The pattern is Django admin's own delete confirmation: the page's button posts to the action's
URL as before; without ``confirmed=yes`` the view answers with a confirmation page (no write)
that states the consequences concretely ("将取消 3 场已排定的洽谈…") and posts the same fields
again with ``confirmed=yes``, or goes back. It needs no JavaScript; nothing is written until the
second, explicit click.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _lazy

CONFIRM_FIELD = "confirmed"


def confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


class ConfirmForm(forms.Form):
    """The confirmation itself: ``confirmed=yes``; anything else is said on the page, nothing changes."""

    confirmed = forms.ChoiceField(
        choices=[("yes", "yes")],
        error_messages={"invalid_choice": _lazy(gettext_lazy("确认信息无效，什么都没有改变；请阅读以下内容后再次确认。"))},
    )


@dataclass(frozen=True)
class Reason:
    """A free-text field shown on the confirmation page (e.g. 取消原因), posted with the action."""

    name: str
    label: str
    initial: str = ""
    max_length: int = 255


def confirmation_page(
    request,
    *,
    title: str,
    consequences: list[str],
    confirm_label: str,
    back_url: str,
    back_label: str,
    carry: dict[str, str] | None = None,
    reason: Reason | None = None,
    subject: str = "",
):
    """The page asking to confirm ``request``'s POST; the same URL, the same fields, plus confirmed=yes.

    A ``confirmed`` field with another value (a tampered or broken form) is said, not silently ignored."""
    check = None
    if request.method == "POST" and CONFIRM_FIELD in request.POST:
        check = ConfirmForm(request.POST)
        check.is_valid()  # invalid here: a valid one would have been confirmed
    return render(
        request,
        "core/confirm.html",
        {
            "title": title,
            "subject": subject,
            "consequences": consequences,
            "confirm_label": confirm_label,
            "back_url": back_url,
            "back_label": back_label,
            "action_url": request.path,
            "carry": {k: v for k, v in (carry or {}).items() if v not in (None, "")},
            "reason": reason,
            "confirm_field": CONFIRM_FIELD,
            "confirm_form": check,
        },
    )
