from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's sign-in form with its username length enforced (Django only sets the attribute, so a
    100k-character name reached ``authenticate`` and the lockout table, a 500 on PostgreSQL)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length or 150))
        field.error_messages["max_length"] = _("用户名过长。")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
        help_text=_("身份验证器应用中的 6 位数字，或一个恢复码。"),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split()).lower()


class EnrolForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("扫描二维码后，输入应用显示的 6 位数字。"),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("请输入 6 位数字。"))
        return token


class UnlockForm(forms.Form):
    username = forms.CharField(required=False, max_length=150)
    ip = forms.GenericIPAddressField(required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("username")) == bool(data.get("ip")):
            raise forms.ValidationError(_("请指定一个用户名或一个网络地址。"))
        return data


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form; each e-mail sent is audited (against the account, never the typed address
    when it matches nobody: the page answers the same either way, so nobody learns who has an account)."""

    email = forms.EmailField(
        label=_("邮箱"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        from kechuang.accounts.security import audit_sign_in

        super().send_mail(subject_template_name, email_template_name, context, from_email, to_email,
                          html_email_template_name)
        user = context["user"]
        audit_sign_in("auth.password_reset_requested", username=user.get_username(), user=user)
