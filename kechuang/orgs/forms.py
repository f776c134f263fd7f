"""The organisation form (pages and Excel rows): names, kind, place in the city, credit code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from kechuang.accounts.models import Area, Role
from kechuang.orgs.models import IndustryChain, Organisation
from kechuang.orgs.validators import normalise_credit_code


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "short_name", "kind", "credit_code", "district", "chain", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "name": {"required": gettext_lazy("请填写单位名称。")},
            "kind": {"required": gettext_lazy("请选择单位类型。")},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["name"].label = gettext("单位名称")
        self.fields["chain"].queryset = IndustryChain.objects.filter(active=True)
        self.fields["district"].queryset = Area.objects.exclude(kind=Area.Kind.CITY)
        if user.role == Role.DISTRICT and not user.is_coordinator:
            # district staff keep their own enterprises: only that kind, only their area
            self.fields["kind"].choices = [(Organisation.Kind.ENTERPRISE, Organisation.Kind.ENTERPRISE.label)]
            self.fields["district"].queryset = (
                Area.objects.filter(pk__in=user.area.subtree_ids()) if user.area_id else Area.objects.none()
            )
            self.fields["district"].required = True
            self.fields["district"].error_messages["required"] = gettext("请选择所在地区。")

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise forms.ValidationError(gettext("单位名称太短。"))
        return name

    def clean_credit_code(self):
        return normalise_credit_code(self.cleaned_data.get("credit_code"))
