"""Forms of the experts app: asking for contact, answering a request, the contact consent; an expert's
profile and a society's achievements (pages and Excel rows alike)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from kechuang.experts.models import Achievement, Expert
from kechuang.experts.selectors import societies_for
from kechuang.experts.services import MESSAGE_MAX
from kechuang.orgs.models import IndustryChain


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


SPLIT = re.compile(r"[,，;；、\s]+")


def split_terms(text: str, limit: int = 20) -> list[str]:
    return [t for t in SPLIT.split(text or "") if t][:limit]


def _optional(model, *names):
    """Fields the model has (contact fields arrive with the profile work)."""
    have = {f.name for f in model._meta.get_fields()}
    return [n for n in names if n in have]




class ExpertForm(forms.ModelForm):
    affiliation_name = forms.CharField(
        label=gettext_lazy("工作单位"), max_length=128, required=False, help_text=gettext_lazy("单位全称；平台中没有的单位会一并新建")
    )
    fields_text = forms.CharField(
        label=gettext_lazy("研究领域"), max_length=300, required=False, help_text=gettext_lazy("多个用逗号或顿号分隔")
    )
    keywords_text = forms.CharField(
        label=gettext_lazy("关键词"), max_length=300, required=False, help_text=gettext_lazy("多个用逗号或顿号分隔")
    )

    class Meta:
        model = Expert
        fields = [
            "name",
            "gender",
            "title",
            "societies",
            *_optional(Expert, "phone", "email"),
            "region",
            "availability",
            "bio",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"name": {"required": gettext_lazy("请填写姓名。")}, "title": {"required": gettext_lazy("请填写职称。")}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["societies"].queryset = societies_for(user)
        self.fields["societies"].required = True
        self.fields["societies"].error_messages["required"] = gettext("请选择所属学会。")
        self.fields["societies"].error_messages["invalid_choice"] = gettext("只能选择您所在的学会。")
        self.fields["gender"].required = False
        self.order_fields(
            ["name", "gender", "title", "affiliation_name", "societies", "fields_text", "keywords_text"]
        )
        if self.instance.pk:
            self.fields["affiliation_name"].initial = getattr(self.instance.affiliation, "name", "")
            self.fields["fields_text"].initial = "、".join(self.instance.fields or [])
            self.fields["keywords_text"].initial = "、".join(self.instance.keywords or [])

    def clean_name(self):
        name = (
            "".join(self.cleaned_data["name"].split())
            if re.search(r"[\u4e00-\u9fff]", self.cleaned_data["name"])
            else " ".join(self.cleaned_data["name"].split())
        )
        if len(name) < 2:
            raise forms.ValidationError(gettext("姓名太短。"))
        return name

    def clean(self):
        data = super().clean()
        data["fields"] = split_terms(data.get("fields_text", ""))
        data["keywords"] = split_terms(data.get("keywords_text", ""))
        data["affiliation_name"] = " ".join((data.get("affiliation_name") or "").split())
        return data

    def service_data(self) -> dict:
        d = dict(self.cleaned_data)
        for k in ("fields_text", "keywords_text"):
            d.pop(k, None)
        return d


class PublicationRowForm(forms.Form):
    """A 论文 row: whose (name + unit, as on the 专家 sheet) and what."""

    expert_name = forms.CharField(label=gettext_lazy("专家姓名"), max_length=64)
    affiliation_name = forms.CharField(label=gettext_lazy("工作单位"), max_length=128, required=False)
    title = forms.CharField(label=gettext_lazy("题名"), max_length=255)
    abstract = forms.CharField(label=gettext_lazy("摘要"), required=False, max_length=5000)
    venue = forms.CharField(label=gettext_lazy("期刊/会议"), max_length=128, required=False)
    year = forms.IntegerField(
        label=gettext_lazy("年份"),
        required=False,
        min_value=1900,
        max_value=2100,
        error_messages={
            "invalid": gettext_lazy("年份应为四位数字，如 2024。"),
            "min_value": gettext_lazy("年份应不早于 1900。"),
            "max_value": gettext_lazy("年份不正确。"),
        },
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert_name"].error_messages["required"] = gettext("请填写专家姓名（与“专家”表一致）。")


class PatentRowForm(PublicationRowForm):
    title = forms.CharField(label=gettext_lazy("专利名称"), max_length=255)
    number = forms.CharField(label=gettext_lazy("专利号"), max_length=64, required=False)
    venue = None


class AchievementForm(forms.ModelForm):
    owner_expert_name = forms.CharField(
        label=gettext_lazy("完成专家"), max_length=64, required=False, help_text=gettext_lazy("该学会专家的姓名；可不填")
    )
    fields_text = forms.CharField(
        label=gettext_lazy("领域"), max_length=300, required=False, help_text=gettext_lazy("多个用逗号或顿号分隔")
    )

    class Meta:
        model = Achievement
        fields = ["title", "owner_society", "description", "maturity", "transfer_mode", "ip", "chain"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "title": {"required": gettext_lazy("请填写成果名称。")},
            "description": {"required": gettext_lazy("请填写成果简介。")},
            "maturity": {"required": gettext_lazy("请选择成熟度。")},
            "transfer_mode": {"required": gettext_lazy("请选择转化方式。")},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner_society"].queryset = societies_for(user)
        self.fields["owner_society"].error_messages["required"] = gettext("请选择所属学会。")
        self.fields["owner_society"].error_messages["invalid_choice"] = gettext("只能选择您所在的学会。")
        self.fields["chain"].queryset = IndustryChain.objects.filter(active=True)
        self.order_fields(["title", "owner_society", "owner_expert_name", "description"])
        if self.instance.pk:
            self.fields["fields_text"].initial = "、".join(self.instance.fields or [])
            self.fields["owner_expert_name"].initial = getattr(self.instance.owner_expert, "name", "")

    def clean(self):
        data = super().clean()
        data["fields"] = split_terms(data.get("fields_text", ""))
        return data
