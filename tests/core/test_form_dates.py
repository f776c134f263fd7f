"""Every date/time input of every form round-trips: rendered as the HTML input accepts it (ISO),
parsed back to the same value, in Chinese and in English (issue 13: ``2027/06/30`` erased deadlines)."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

import pytest
from django import forms
from django.utils import translation

import kechuang
from kechuang.core import widgets

SAMPLES = {
    forms.DateField: dt.date(2027, 6, 30),
    forms.TimeField: dt.time(13, 30),
    forms.DateTimeField: dt.datetime(2027, 6, 30, 9, 5),
}
HTML_TYPES = {forms.DateField: "date", forms.TimeField: "time", forms.DateTimeField: "datetime-local"}


def _all_form_classes() -> list[type]:
    for mod in pkgutil.walk_packages(kechuang.__path__, "kechuang."):
        if ".migrations" in mod.name or ".engine" in mod.name or ".scheduling" in mod.name:
            continue
        importlib.import_module(mod.name)
    seen, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("kechuang.") and sub not in seen:
                seen.append(sub)
    return sorted(seen, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _date_fields():
    out = []
    for cls in _all_form_classes():
        for name, field in cls.base_fields.items():
            for kind in SAMPLES:
                if type(field) is kind or isinstance(field, kind):
                    out.append(pytest.param(cls, name, kind, id=f"{cls.__module__}.{cls.__qualname__}.{name}"))
    return out


DATE_FIELDS = _date_fields()


def test_the_forms_with_dates_are_found():
    found = {p.id for p in DATE_FIELDS}
    # the ones issue 13 names: the need's deadline, the 场次设置 date and times, follow-up dates
    assert {"kechuang.needs.forms.NeedForm.deadline", "kechuang.events.forms.MeetingDayForm.date",
            "kechuang.events.forms.MeetingDayForm.morning_start", "kechuang.followup.forms.VisitForm.date",
            "kechuang.followup.forms.AgreementForm.signed", "kechuang.followup.forms.MilestoneForm.due"} <= found


@pytest.mark.parametrize("cls,name,kind", DATE_FIELDS)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_every_date_and_time_input_round_trips(cls, name, kind, lang):
    field = cls.base_fields[name]
    assert isinstance(field.widget, widgets.WIDGETS[kind]), (
        f"{cls.__qualname__}.{name} must use kechuang.core.widgets.{widgets.WIDGETS[kind].__name__}"
    )
    value = SAMPLES[kind]
    with translation.override(lang):
        html = field.widget.render(name, value)
        shown = field.widget.format_value(value)
        assert f'type="{HTML_TYPES[kind]}"' in html
        assert f'value="{shown}"' in html
        # what the browser's own input accepts (and sends back)
        assert shown == {"date": "2027-06-30", "time": "13:30", "datetime-local": "2027-06-30T09:05"}[HTML_TYPES[kind]]
        back = field.clean(shown)
    if kind is forms.DateTimeField:
        back = back.replace(tzinfo=None)
    assert back == value
