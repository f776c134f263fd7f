from django import forms
from django.utils.translation import gettext, gettext_lazy


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("数据类型"))
    file = forms.FileField(
        label=gettext_lazy("Excel 文件（.xlsx）"), error_messages={"required": gettext_lazy("请选择要上传的 Excel 文件。")}
    )

    def __init__(self, *args, kinds: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, spec.label) for k, spec in kinds.items()]
        self.fields["kind"].error_messages["invalid_choice"] = gettext("请选择您可以导入的数据类型。")
        self.fields["file"].widget.attrs["accept"] = (
            ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
