from django import forms
from django.utils.translation import gettext_lazy as _

EXPIRY_CHOICES = [("30", _("30 天")), ("90", _("90 天")), ("365", _("1 年")), ("", _("永不过期"))]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("令牌名称"),
        max_length=80,
        help_text=_("写明用途，例如“区里的数据同步脚本”。"),
        error_messages={"required": _("请填写令牌名称。")},
    )
    expires_in_days = forms.ChoiceField(label=_("有效期"), choices=EXPIRY_CHOICES, required=False, initial="90")

    def clean_expires_in_days(self):
        value = self.cleaned_data.get("expires_in_days")
        return int(value) if value else None
