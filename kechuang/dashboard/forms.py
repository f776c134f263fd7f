"""The dashboard's filters: a period and an area (district staff choose within their own area)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from kechuang.accounts.models import Area, Role
from kechuang.core.widgets import DateInput

DATE = DateInput()


class DashboardFilterForm(forms.Form):
    district = forms.ChoiceField(label=gettext_lazy("地区"), required=False)
    start = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=DATE)
    end = forms.DateField(label=gettext_lazy("截止日期"), required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        areas = Area.objects.exclude(kind=Area.Kind.CITY).order_by("kind", "code")
        if user.role == Role.DISTRICT and not user.is_coordinator:
            areas = areas.filter(pk__in=user.area_ids())
            choices = [(a.code, a.name) for a in areas]
        else:
            choices = [("", gettext("全市"))] + [(a.code, a.name) for a in areas]
        self.fields["district"].choices = choices
        self.fields["start"].error_messages["invalid"] = gettext("请输入有效日期。")
        self.fields["end"].error_messages["invalid"] = gettext("请输入有效日期。")
