"""Date and time inputs that round-trip: the ONE place forms take their date/time widgets from.

An ``<input type="date">`` shows (and submits) only ISO values (``2027-06-30``); ``time`` wants
``09:00`` and ``datetime-local`` wants ``2027-06-30T09:00``. Django renders a date in the active
locale's first input format — ``2027/06/30`` in zh-hans — which such an input cannot show: the
field looks empty and saving the form unchanged erases the value (issue 13). These widgets always
render ISO, whatever the language; Django's fields parse ISO in every locale.
``tests/core/test_form_dates.py`` fails when a form's date/time field uses any other widget.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%H:%M"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's own argument name
        super().__init__(attrs, format=format or DATE_FORMAT)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None, format=None):  # noqa: A002
        super().__init__(attrs, format=format or TIME_FORMAT)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):  # noqa: A002
        super().__init__(attrs, format=format or DATETIME_FORMAT)


WIDGETS = {forms.DateField: DateInput, forms.TimeField: TimeInput, forms.DateTimeField: DateTimeInput}


# --------------------------------------------------------------------------- long choices
_SEARCH_ATTRS = {
    "data-searchable": "",
    "data-placeholder": _("输入名称搜索…"),
    "data-no-results": _("没有匹配的选项"),
}
_SEARCH_CSS = {"all": ("vendor/tom-select/tom-select.default.min.css", "css/forms.css")}
_SEARCH_JS = ("vendor/tom-select/tom-select.complete.min.js", "js/searchable-select.js")


class SearchableSelect(forms.Select):
    """A single choice among hundreds (an expert, an organisation): type to search. The choices are the
    field's queryset, which the form takes from the access selectors — nothing the user may not see."""

    class Media:
        css = _SEARCH_CSS
        js = _SEARCH_JS

    def __init__(self, attrs=None, choices=()):
        super().__init__({**_SEARCH_ATTRS, **(attrs or {})}, choices)


class SearchableSelectMultiple(forms.SelectMultiple):
    """Several choices among hundreds: type, pick, repeat (no Ctrl-click list)."""

    class Media:
        css = _SEARCH_CSS
        js = _SEARCH_JS

    def __init__(self, attrs=None, choices=()):
        super().__init__({**_SEARCH_ATTRS, **(attrs or {})}, choices)
