"""Forms of onboarding: the public sign-up, the review decision, an invitation and its acceptance."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import Area, Role
from kechuang.onboarding.services import invitable_experts, invitable_roles
from kechuang.orgs.models import Organisation
from kechuang.orgs.validators import normalise_credit_code, validate_credit_code

PHONE_HELP = _("手机或座机，如 13800000000 或 0532-88888888")


class SignupForm(forms.Form):
    company_name = forms.CharField(label=_("企业名称"), max_length=128, help_text=_("与营业执照一致"))
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=30, help_text=_("18 位，见营业执照")
    )
    district = forms.ModelChoiceField(
        label=_("所在区（市）"), queryset=Area.objects.none(), empty_label=_("请选择")
    )
    contact_name = forms.CharField(label=_("联系人姓名"), max_length=64)
    contact_phone = forms.RegexField(
        label=_("联系电话"), max_length=32, regex=r"^[0-9+\-\s()]{7,32}$", help_text=PHONE_HELP
    )
    contact_email = forms.EmailField(label=_("电子邮箱"), help_text=_("审核结果会发到这个邮箱"))
    username = forms.RegexField(
        label=_("用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=_("字母、数字或 @ . + - _，登录时使用"),
    )
    password1 = forms.CharField(label=_("密码"), widget=forms.PasswordInput(render_value=False), strip=False)
    password2 = forms.CharField(
        label=_("再次输入密码"), widget=forms.PasswordInput(render_value=False), strip=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = Area.objects.filter(kind=Area.Kind.DISTRICT).order_by("code")
        msgs = {
            "company_name": _("请填写企业名称。"),
            "credit_code": _("请填写统一社会信用代码。"),
            "district": _("请选择所在区（市）。"),
            "contact_name": _("请填写联系人姓名。"),
            "contact_phone": _("请填写联系电话。"),
            "contact_email": _("请填写电子邮箱。"),
            "username": _("请填写用户名。"),
            "password1": _("请设置密码。"),
            "password2": _("请再次输入密码。"),
        }
        for name, msg in msgs.items():
            self.fields[name].error_messages["required"] = msg
        self.fields["contact_email"].error_messages["invalid"] = _("请填写有效的电子邮箱。")
        self.fields["contact_phone"].error_messages["invalid"] = _("联系电话格式不正确。")
        self.fields["username"].error_messages["invalid"] = _("用户名只能包含字母、数字和 @ . + - _。")
        self.fields["district"].error_messages["invalid_choice"] = _("请选择列表中的区（市）。")

    def clean_company_name(self):
        name = " ".join(self.cleaned_data["company_name"].split())
        if len(name) < 4:
            raise forms.ValidationError(_("企业名称太短，请填写营业执照上的全称。"))
        return name

    def clean_credit_code(self):
        code = normalise_credit_code(self.cleaned_data["credit_code"])
        validate_credit_code(code)
        return code

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data

    def service_data(self) -> dict:
        d = dict(self.cleaned_data)
        d["password"] = d.pop("password1")
        d.pop("password2", None)
        return d


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("未通过原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写原因，申请人会收到。")},
    )


class InvitationForm(forms.Form):
    role = forms.ChoiceField(label=_("邀请角色"))
    display_name = forms.CharField(
        label=_("姓名"), max_length=64, error_messages={"required": _("请填写姓名。")}
    )
    email = forms.EmailField(
        label=_("电子邮箱"),
        error_messages={"required": _("请填写电子邮箱。"), "invalid": _("请填写有效的电子邮箱。")},
    )
    area = forms.ModelChoiceField(
        label=_("负责地区（区（市）工作人员）"), queryset=Area.objects.none(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("所在学会（学会联络员）"), queryset=Organisation.objects.none(), required=False
    )
    expert = forms.ModelChoiceField(label=_("专家档案"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        roles = invitable_roles(user)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        self.fields["role"].error_messages["invalid_choice"] = _("请选择可邀请的角色。")
        if Role.DISTRICT in roles:
            self.fields["area"].queryset = Area.objects.exclude(kind=Area.Kind.CITY).order_by("code")
        else:
            del self.fields["area"]
        if Role.LIAISON in roles:
            self.fields["organisation"].queryset = Organisation.objects.filter(kind=Organisation.Kind.SOCIETY)
        else:
            del self.fields["organisation"]
        if Role.EXPERT in roles:
            self.fields["expert"].queryset = invitable_experts(user).order_by("name", "pk")
            self.fields["expert"].required = True
            self.fields["expert"].error_messages["required"] = _("请选择要邀请的专家。")
            self.fields["expert"].error_messages["invalid_choice"] = _("只能邀请本学会尚未开通账号的专家。")
            self.fields["expert"].help_text = _("本学会尚未开通账号的专家")
        else:
            del self.fields["expert"]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]


class AcceptForm(forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=_("字母、数字或 @ . + - _，登录时使用"),
        error_messages={
            "required": _("请填写用户名。"),
            "invalid": _("用户名只能包含字母、数字和 @ . + - _。"),
        },
    )
    new_password1 = forms.CharField(
        label=_("设置密码"),
        widget=forms.PasswordInput,
        strip=False,
        error_messages={"required": _("请设置密码。")},
    )
    new_password2 = forms.CharField(
        label=_("再次输入密码"),
        widget=forms.PasswordInput,
        strip=False,
        error_messages={"required": _("请再次输入密码。")},
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("new_password1")
            and data.get("new_password2")
            and data["new_password1"] != data["new_password2"]
        ):
            self.add_error("new_password2", _("两次输入的密码不一致。"))
        return data
