"""Forms of the matching pages: they parse input; the rules live in ``services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from kechuang.experts.models import Achievement, Expert
from kechuang.matching.models import Match, MatchKind
from kechuang.orgs.models import Organisation


class SuggestionFilterForm(forms.Form):
    society = forms.ChoiceField(label=gettext_lazy("学会"), required=False)
    region = forms.CharField(label=gettext_lazy("所在地"), required=False, max_length=64)
    availability = forms.ChoiceField(
        label=gettext_lazy("可对接状态"), required=False, choices=[("", gettext_lazy("全部"))] + list(Expert.Availability.choices)
    )
    maturity = forms.ChoiceField(
        label=gettext_lazy("成果成熟度"), required=False, choices=[("", gettext_lazy("全部"))] + list(Achievement.Maturity.choices)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["society"].choices = [("", gettext("全部学会"))] + [
            (str(s.pk), s.name) for s in Organisation.objects.filter(kind=Organisation.Kind.SOCIETY)
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        d = {k: v for k, v in self.cleaned_data.items() if v}
        if "society" in d:
            d["society"] = int(d["society"])
        if "region" in d:
            d["region"] = d["region"].strip()
        return d


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(choices=MatchKind.choices)
    candidate = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(choices=[("accept", gettext_lazy("接受")), ("decline", gettext_lazy("不采纳"))])
    reason = forms.ChoiceField(
        label=gettext_lazy("原因"), required=False, choices=[("", gettext_lazy("请选择"))] + list(Match.Reason.choices)
    )
    comment = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=2000)


class ResponseForm(forms.Form):
    match = forms.IntegerField(min_value=1)
    response = forms.ChoiceField(label=gettext_lazy("回复"), choices=Match.Response.choices)
    text = forms.CharField(
        label=gettext_lazy("内容"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
