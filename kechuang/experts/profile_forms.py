"""Forms of the profile pages: an expert's own profile, a publication, a patent, a service team."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.experts.forms import PatentRowForm, PublicationRowForm, split_terms
from kechuang.experts.models import Expert, ServiceTeam
from kechuang.experts.selectors import societies_for
from kechuang.orgs.models import IndustryChain


class ExpertProfileForm(forms.ModelForm):
    """What an expert keeps on their own profile; saving it unchanged changes nothing."""

    fields_text = forms.CharField(
        label=_("研究领域"), max_length=300, required=False, help_text=_("多个用逗号或顿号分隔")
    )
    keywords_text = forms.CharField(
        label=_("关键词"), max_length=300, required=False, help_text=_("多个用逗号或顿号分隔")
    )

    class Meta:
        model = Expert
        fields = ["title", "availability", "phone", "email", "region", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 5}), "availability": forms.RadioSelect}
        error_messages = {
            "title": {"required": _("请填写职称。")},
            "email": {"invalid": _("请填写有效的电子邮箱。")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["availability"].label = _("对接状态")
        self.fields["fields_text"].initial = "、".join(self.instance.fields or [])
        self.fields["keywords_text"].initial = "、".join(self.instance.keywords or [])
        self.order_fields(
            ["title", "availability", "fields_text", "keywords_text", "phone", "email", "region", "bio"]
        )

    def clean_phone(self):
        phone = " ".join(self.cleaned_data.get("phone", "").split())
        if phone and not all(c.isdigit() or c in "+-() " for c in phone):
            raise forms.ValidationError(_("联系电话只能包含数字和 + - ( )。"))
        return phone

    def service_data(self) -> dict:
        d = {k: self.cleaned_data[k] for k in self.Meta.fields}
        d["fields"] = split_terms(self.cleaned_data.get("fields_text", ""))
        d["keywords"] = split_terms(self.cleaned_data.get("keywords_text", ""))
        return d


class PublicationForm(PublicationRowForm):
    expert_name = None
    affiliation_name = None

    def __init__(self, *args, **kwargs):
        forms.Form.__init__(self, *args, **kwargs)
        self.fields["title"].error_messages["required"] = _("请填写论文题名。")


class PatentForm(PatentRowForm):
    expert_name = None
    affiliation_name = None

    def __init__(self, *args, **kwargs):
        forms.Form.__init__(self, *args, **kwargs)
        self.fields["title"].error_messages["required"] = _("请填写专利名称。")


class ServiceTeamForm(forms.ModelForm):
    class Meta:
        model = ServiceTeam
        fields = ["name", "societies", "experts", "theme", "chains", "target_city"]
        widgets = {
            "societies": forms.CheckboxSelectMultiple,
            "experts": forms.CheckboxSelectMultiple,
            "chains": forms.CheckboxSelectMultiple,
        }
        error_messages = {"name": {"required": _("请填写服务团名称。")}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        mine = societies_for(user)
        self.fields["societies"].queryset = mine
        self.fields["societies"].error_messages["required"] = _("请选择所属学会。")
        self.fields["societies"].error_messages["invalid_choice"] = _("只能选择您所在的学会。")
        self.fields["experts"].queryset = (
            Expert.objects.filter(societies__in=mine, retired_at__isnull=True)
            .distinct()
            .order_by("name", "pk")
        )
        self.fields["experts"].error_messages["invalid_choice"] = _("请选择所选学会的专家。")
        self.fields["chains"].queryset = IndustryChain.objects.filter(active=True)
        if self.instance.pk:  # only the user's own societies and experts are in the form
            self.initial["societies"] = [s.pk for s in self.instance.societies.all() if s in mine]
            allowed = set(self.fields["experts"].queryset.values_list("pk", flat=True))
            self.initial["experts"] = [e.pk for e in self.instance.experts.all() if e.pk in allowed]
