"""Forms of the experts app: asking for contact, answering a request, the contact consent."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.experts.services import MESSAGE_MAX


class ContactRequestForm(forms.Form):
    need = forms.ModelChoiceField(
        label=_("相关需求（可选）"), queryset=None, required=False, empty_label=_("不关联具体需求")
    )
    message = forms.CharField(
        label=_("对接事由"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("简要说明想请专家解决的问题、希望的对接方式")}
        ),
    )

    def __init__(self, *args, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = needs
        self.fields["need"].label_from_instance = lambda n: n.title


class ContactStepForm(forms.Form):
    to_status = forms.CharField(max_length=24)
    note = forms.CharField(required=False, max_length=1000)


class ContactConsentForm(forms.Form):
    contact_public = forms.BooleanField(label=_("向企业公开联系方式"), required=False)
