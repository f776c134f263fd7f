from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.notifications.kinds import Kind


class EmailPreferenceForm(forms.Form):
    """One checkbox per kind: e-mail for the kinds ticked (in-app notifications are always on)."""

    email = forms.MultipleChoiceField(
        label=_("通过邮件接收"), choices=Kind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
