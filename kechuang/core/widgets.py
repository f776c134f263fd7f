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
