"""Forms parse and check the shape of input (messages in Chinese); the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from kechuang.accounts.models import Area, Role
from kechuang.core.access import restrict
from kechuang.core.filters import SEARCH_MAX_CHARS
from kechuang.core.forms import ModelMultipleChoiceField
from kechuang.core.widgets import DateInput, SearchableSelect, SearchableSelectMultiple
from kechuang.events.models import Event
from kechuang.experts.models import Expert
from kechuang.followup import selectors
from kechuang.followup.models import Agreement, Base, BaseService, Urgency, Visit
from kechuang.needs.models import Need
from kechuang.needs.selectors import need_label
from kechuang.orgs.models import Organisation

DATE = DateInput()


def _areas(user):
    qs = Area.objects.exclude(kind=Area.Kind.CITY)
    if user.role == Role.DISTRICT and user.area_id:
        qs = qs.filter(pk__in=user.area.subtree_ids())
    return qs


class _OrgChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _OrgMulti(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_kind_display()}）"


class VisitForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("走访名称"), max_length=200)
    date = forms.DateField(label=gettext_lazy("日期"), widget=DATE, error_messages={"required": gettext_lazy("请选择走访日期。")})
    district = forms.ModelChoiceField(label=gettext_lazy("地区"), queryset=Area.objects.none(), required=False)
    park = _OrgChoice(
        label=gettext_lazy("园区"), queryset=Organisation.objects.none(), required=False, widget=SearchableSelect
    )
    societies = ModelMultipleChoiceField(
        label=gettext_lazy("参与学会"), queryset=Organisation.objects.none(), required=False, widget=SearchableSelectMultiple
    )
    experts = ModelMultipleChoiceField(
        label=gettext_lazy("专家团队"),
        queryset=Expert.objects.none(),
        required=False,
        widget=SearchableSelectMultiple,
        help_text=gettext_lazy("输入姓名、单位或研究方向搜索，可选多位。"),
    )
    note = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = _areas(user)
        orgs = restrict(Organisation.objects.all(), user)
        self.fields["park"].queryset = orgs.filter(kind=Organisation.Kind.PARK)
        self.fields["societies"].queryset = Organisation.objects.filter(kind=Organisation.Kind.SOCIETY)
        self.fields["experts"].queryset = restrict(Expert.objects.all(), user)


class StopForm(forms.Form):
    enterprise = _OrgChoice(
        label=gettext_lazy("企业"), queryset=Organisation.objects.none(), required=False, widget=SearchableSelect
    )
    minutes = forms.IntegerField(label=gettext_lazy("停留（分钟）"), required=False, min_value=0, initial=60)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["enterprise"].queryset = restrict(
                Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE), user
            )


StopFormSet = forms.formset_factory(StopForm, extra=5, max_num=12)


class DiagnosisForm(forms.Form):
    findings = forms.CharField(label=gettext_lazy("问题与发现"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    recommendations = forms.CharField(
        label=gettext_lazy("专家建议"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    urgency = forms.ChoiceField(
        label=gettext_lazy("紧迫程度"), choices=[("", gettext_lazy("请选择"))] + list(Urgency.choices), required=False
    )


class FindingToNeedForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("需求名称"), max_length=128, required=False)


class _NeedMulti(ModelMultipleChoiceField):
    """Needs offered for linking: titles through ``needs.selectors.need_label`` (what the user may read;
    a confidential need shown in the list is audited as seen), decided once, when the form is rendered."""

    user = None

    def label_from_instance(self, obj):
        return f"#{obj.pk} {need_label(self.user, obj)}（{obj.enterprise.name}，{obj.get_status_display()}）"


class AgreementForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("协议名称"), max_length=255)
    kind = forms.ChoiceField(
        label=gettext_lazy("协议类型"), choices=[("", gettext_lazy("请选择"))] + list(Agreement.Kind.choices), required=False
    )
    parties = _OrgMulti(
        label=gettext_lazy("签约各方"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=SearchableSelectMultiple,
        help_text=gettext_lazy("学会、企业、高校、协会、政府部门等，至少两方；输入名称搜索。"),
    )
    amount = forms.DecimalField(
        label=gettext_lazy("金额（万元）"), required=False, min_value=0, max_digits=12, decimal_places=2
    )  # the column's digits: a larger number is refused here, not by the database
    signed = forms.DateField(label=gettext_lazy("签订日期"), widget=DATE, required=False)
    needs = _NeedMulti(
        label=gettext_lazy("关联需求"),
        queryset=Need.objects.none(),
        required=False,
        widget=SearchableSelectMultiple,
        help_text=gettext_lazy("已对接的需求签约后自动标记为“已签约”。"),
    )
    event = forms.ModelChoiceField(
        label=gettext_lazy("签约活动/对接会"), queryset=Event.objects.none(), required=False, widget=SearchableSelect
    )
    visits = ModelMultipleChoiceField(
        label=gettext_lazy("关联走访"), queryset=Visit.objects.none(), required=False, widget=SearchableSelectMultiple
    )
    note = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    attachment = forms.FileField(label=gettext_lazy("协议文本（可选）"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].error_messages["invalid"] = gettext("请填写数字（万元）。")
        self.fields["amount"].error_messages["min_value"] = gettext("金额不能为负数。")
        self.fields["signed"].error_messages["invalid"] = gettext("请填写有效日期。")
        self.fields["parties"].queryset = restrict(Organisation.objects.all(), user).order_by("kind", "name")
        self.fields["needs"].queryset = selectors.linkable_needs(user=user).select_related("enterprise")
        self.fields["needs"].user = user
        self.fields["event"].queryset = restrict(Event.objects.all(), user)
        self.fields["visits"].queryset = selectors.visit_list(user=user)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("里程碑"), max_length=200, required=False)
    due = forms.DateField(label=gettext_lazy("计划完成日期"), widget=DATE, required=False)


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=3, max_num=20)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("文件"))
    name = forms.CharField(label=gettext_lazy("名称"), required=False, max_length=200)


class BaseForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=[("", gettext_lazy("请选择"))] + list(Base.Kind.choices), required=False)
    name = forms.CharField(label=gettext_lazy("名称"), max_length=200)
    society = _OrgChoice(
        label=gettext_lazy("共建学会"), queryset=Organisation.objects.none(), required=False, widget=SearchableSelect
    )
    host = _OrgChoice(label=gettext_lazy("依托单位"), queryset=Organisation.objects.none(), required=False, widget=SearchableSelect)
    district = forms.ModelChoiceField(label=gettext_lazy("所在地区"), queryset=Area.objects.none(), required=False)
    unveiled = forms.DateField(label=gettext_lazy("揭牌日期"), widget=DATE, required=False)
    agreement = forms.ModelChoiceField(
        label=gettext_lazy("共建协议"), queryset=Agreement.objects.none(), required=False, widget=SearchableSelect
    )
    description = forms.CharField(label=gettext_lazy("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = restrict(Organisation.objects.all(), user)
        self.fields["society"].queryset = orgs.filter(kind=Organisation.Kind.SOCIETY)
        self.fields["host"].queryset = orgs.exclude(kind=Organisation.Kind.SOCIETY)
        self.fields["district"].queryset = _areas(user)
        self.fields["agreement"].queryset = selectors.agreement_list(user=user)


class BaseServiceForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("日期"), widget=DATE, required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("服务类型"), choices=[("", gettext_lazy("请选择"))] + list(BaseService.Kind.choices), required=False
    )
    title = forms.CharField(label=gettext_lazy("内容"), max_length=255, required=False)


class ListFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("关键字"), required=False, max_length=SEARCH_MAX_CHARS)
    district = forms.ChoiceField(label=gettext_lazy("地区"), required=False)
    date_from = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=DATE)
    date_to = forms.DateField(label=gettext_lazy("截止日期"), required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", gettext("全部地区"))] + [(a.code, a.name) for a in _areas(user)]
