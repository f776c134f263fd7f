"""The need submission form: field-level checks with messages in Chinese."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_lazy as _lazy

from kechuang.accounts.models import Area, Role
from kechuang.core.access import restrict
from kechuang.core.choices import choice_labels
from kechuang.core.filters import SEARCH_MAX_CHARS
from kechuang.core.forms import ModelMultipleChoiceField
from kechuang.core.widgets import DateInput, SearchableSelect
from kechuang.needs.models import Need
from kechuang.orgs.models import IndustryChain, Organisation

MIN_PROBLEM_CHARS = 20
# a mobile (13812345678, +86 138 1234 5678) or a landline with area code and extension (0532-88886666-801)
PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{5,22}[0-9]")


class NeedForm(forms.ModelForm):
    enterprise = forms.ModelChoiceField(
        label=gettext_lazy("需求企业"), queryset=Organisation.objects.none(), required=False, widget=SearchableSelect
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    keywords_text = forms.CharField(
        label=gettext_lazy("关键词"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("多个关键词用逗号或空格分隔，例如：石墨烯，规模化制备"),
    )

    class Meta:
        model = Need
        fields = [
            "title",
            "kind",
            "chain",
            "district",
            "background",
            "problem",
            "goal",
            "budget_min",
            "budget_max",
            "deadline",
            "contact_name",
            "contact_phone",
            "confidentiality",
        ]
        widgets = {
            "background": forms.Textarea(attrs={"rows": 3}),
            "problem": forms.Textarea(attrs={"rows": 4}),
            "goal": forms.Textarea(attrs={"rows": 3}),
            "deadline": DateInput(),  # ISO, or the locale's 2027/06/30 is lost on save
        }
        error_messages = {
            "title": {"required": gettext_lazy("请填写项目名称。")},
            "chain": {"required": gettext_lazy("请选择行业领域/产业链。")},
            "district": {"required": gettext_lazy("请选择所在地区。")},
            "background": {"required": gettext_lazy("请填写需求背景。")},
            "problem": {"required": gettext_lazy("请填写需解决的主要技术难题。")},
            "goal": {"required": gettext_lazy("请填写期望实现的技术目标。")},
        }

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if editing:
            self.fields["keywords_text"].initial = "，".join(self.instance.keywords or [])
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
        else:
            del self.fields["version"]
        self.fields["chain"].queryset = IndustryChain.objects.filter(active=True)
        self.fields["district"].queryset = Area.objects.exclude(kind=Area.Kind.CITY)
        if user.role == Role.ENTERPRISE or editing:
            del self.fields["enterprise"]
            if user.organisation and user.organisation.district_id:
                self.fields["district"].initial = user.organisation.district_id
                self.fields["chain"].initial = user.organisation.chain_id
        else:
            self.fields["enterprise"].queryset = restrict(
                Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE), user
            )
            self.fields["enterprise"].required = True
            self.fields["enterprise"].error_messages["required"] = gettext("请选择需求所属企业。")
            self.order_fields(["enterprise"])
        if user.role == Role.DISTRICT and user.area_id:
            self.fields["district"].queryset = Area.objects.filter(pk__in=user.area.subtree_ids())
        for name in ("budget_min", "budget_max"):
            self.fields[name].error_messages["invalid"] = gettext("请输入整数金额（万元）。")
            self.fields[name].error_messages["min_value"] = gettext("金额不能为负数。")

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if len(title) < 4:
            raise forms.ValidationError(gettext("项目名称太短，请至少填写 4 个字。"))
        return title

    def clean_problem(self):
        text = self.cleaned_data["problem"].strip()
        if len(text) < MIN_PROBLEM_CHARS:
            raise forms.ValidationError(
                gettext("请具体描述技术难题（至少 %(MIN_PROBLEM_CHARS)s 个字），精准的需求才能匹配到合适的专家。") % {"MIN_PROBLEM_CHARS": MIN_PROBLEM_CHARS}
            )
        return text

    def clean_contact_phone(self):
        phone = (self.cleaned_data.get("contact_phone") or "").strip()
        if phone and not PHONE.fullmatch(phone):
            raise forms.ValidationError(_("请填写有效的电话号码，例如 13812345678 或 0532-88886666。"))
        return phone

    def clean_deadline(self):
        d = self.cleaned_data.get("deadline")
        if d and d < timezone.localdate() and d != getattr(self.instance, "deadline", None):
            raise forms.ValidationError(gettext("期限不能早于今天。"))
        return d

    def clean(self):
        data = super().clean()
        bmin, bmax = data.get("budget_min"), data.get("budget_max")
        if bmin is not None and bmax is not None and bmin > bmax:
            self.add_error("budget_max", gettext("预算上限应不低于下限。"))
        data["keywords"] = [k for k in re.split(r"[,，;；、\s]+", data.get("keywords_text") or "") if k][:20]
        return data

    def service_data(self) -> dict:
        d = {k: v for k, v in self.cleaned_data.items() if k not in ("enterprise", "keywords_text", "version")}
        return d


class TransitionForm(forms.Form):
    to_status = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class NeedFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("关键字"), required=False, max_length=SEARCH_MAX_CHARS)
    chain = forms.ChoiceField(label=gettext_lazy("产业链"), required=False)
    district = forms.ChoiceField(label=gettext_lazy("地区"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    confidentiality = forms.ChoiceField(label=gettext_lazy("保密级别"), required=False)
    major = forms.BooleanField(label=gettext_lazy("仅重大需求"), required=False)
    stalled = forms.BooleanField(label=gettext_lazy("仅停滞需求"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from kechuang.needs.models import NeedStatus

        # (code, name) pairs, not model instances: every needs list page builds these two lists
        self.fields["chain"].choices = [("", gettext("全部产业链"))] + list(
            IndustryChain.objects.filter(active=True).values_list("code", "name")
        )
        self.fields["district"].choices = [("", gettext("全部地区"))] + list(
            Area.objects.exclude(kind=Area.Kind.CITY).order_by("kind", "code").values_list("code", "name")
        )
        # the labels as translated once per language (core.choices), not a lazy translation per option
        status_labels = choice_labels(Need._meta.get_field("status"))
        self.fields["status"].choices = [("", gettext("全部状态"))] + [(v, status_labels[v]) for v in NeedStatus.values]
        # the levels the model defines; the filter narrows the needs the reader may see, so choosing
        # a level they are never shown answers "none" — it never reveals a need (need_list restricts first)
        levels = choice_labels(Need._meta.get_field("confidentiality"))
        self.fields["confidentiality"].choices = [("", _("全部保密级别"))] + [
            (v, levels[v]) for v in Need.Confidentiality.values
        ]


OWNER_LABEL_FIELDS = ("username", "display_name", "role", "area", "area__name")  # what _owner_label reads


def for_owner_labels(candidates):
    """The owner ``<select>``'s candidates reading only OWNER_LABEL_FIELDS (ADR 0051, amended in session 13)."""
    return candidates.only(*OWNER_LABEL_FIELDS)


def _owner_label(u) -> str:
    """The person's name as shown everywhere (demo names already say where they work), else the
    username with their area or role."""
    if u.display_name:
        return u.display_name
    return f"{u.username}（{u.area.name if u.area_id and u.role == Role.DISTRICT else u.get_role_display()}）"


OWNER_OPTION_COLUMNS = ("pk", "username", "display_name", "role", "area__name")  # owner_option_label's arguments


def owner_option_label(username: str, display_name: str, role: str, area_name: str | None) -> str:
    """``_owner_label`` of a candidate read as OWNER_OPTION_COLUMNS (``needs_tags.owner_select``)."""
    if display_name:
        return display_name
    if area_name is not None and role == Role.DISTRICT:
        return f"{username}（{area_name}）"
    from kechuang.accounts.models import User
    from kechuang.core.choices import choice_labels

    return f"{username}（{choice_labels(User._meta.get_field('role')).get(role, role)}）"


class OwnerForm(forms.Form):
    """Choose a need's follow-up owner among the staff the assigner may name (``owner_candidates``)."""

    owner = forms.ModelChoiceField(
        label=_("跟进负责人"),
        queryset=None,
        error_messages={"required": _("请选择跟进负责人。"), "invalid_choice": _("请选择列表中的工作人员。")},
    )

    def __init__(self, *args, user, **kwargs):
        from kechuang.needs.selectors import owner_candidates

        super().__init__(*args, **kwargs)
        candidates = owner_candidates(user=user)
        # only printed: read the option labels' columns (a bound form's owner goes to the service whole)
        self.fields["owner"].queryset = candidates if self.is_bound else for_owner_labels(candidates)
        self.fields["owner"].label_from_instance = _owner_label
        self.fields["owner"].widget.attrs["aria-label"] = _("跟进负责人")


class BulkOwnerForm(OwnerForm):
    needs = ModelMultipleChoiceField(
        label=_("需求"),
        queryset=None,
        error_messages={
            "required": _("请先勾选需求。"),
            "invalid_choice": _("所选需求不存在或您无权查看。"),
            "invalid_pk_value": _("所选需求不存在或您无权查看。"),
        },
    )

    def __init__(self, *args, user, **kwargs):
        from kechuang.needs.selectors import need_list

        super().__init__(*args, user=user, **kwargs)
        # the checked needs are validated against what the reader may see; a form only displayed (the
        # needs list's bar: its boxes are in the table's rows) has no choices to build
        self.fields["needs"].queryset = need_list(user=user) if self.is_bound else Need.objects.none()


class NeedAttachmentForm(forms.Form):
    file = forms.FileField(label=_lazy(gettext_lazy("文件")))
    name = forms.CharField(label=_lazy(gettext_lazy("名称（可选）")), required=False, max_length=200)
