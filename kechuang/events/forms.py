"""Forms of the matchmaking pages: field checks with messages in Chinese; rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from kechuang.accounts.models import Role
from kechuang.core.access import restrict
from kechuang.core.forms import ModelMultipleChoiceField
from kechuang.core.widgets import DateInput, SearchableSelect, TimeInput
from kechuang.events.models import Meeting, MeetingDay, Participant, Table
from kechuang.experts.models import Expert
from kechuang.needs.models import NeedStatus
from kechuang.needs.selectors import need_list
from kechuang.orgs.models import Organisation


def slot_choices(day: MeetingDay | None) -> list[tuple[int, str]]:
    if day is None:
        return []
    return [(s, gettext("第%(s)s场 %(session_label)s %(slot_label)s") % {"s": s, "session_label": day.session_label(s), "slot_label": day.slot_label(s)}) for s in range(1, day.n_slots + 1)]


class EnterpriseRegistrationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("参会企业"), queryset=Organisation.objects.none(), required=False, widget=SearchableSelect
    )
    name = forms.CharField(
        label=gettext_lazy("代表姓名"), max_length=64, error_messages={"required": gettext_lazy("请填写企业代表姓名。")}
    )
    position = forms.CharField(label=gettext_lazy("职务"), max_length=64, required=False)
    needs = ModelMultipleChoiceField(
        label=gettext_lazy("带来的需求"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("请至少选择一项会前提交的需求。")},
    )
    unavailable_slots = forms.TypedMultipleChoiceField(
        label=gettext_lazy("不能参加的场次"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, event, **kwargs):
        super().__init__(*args, **kwargs)
        day = getattr(event, "meeting_day", None)
        self.fields["unavailable_slots"].choices = slot_choices(day)
        needs = need_list(user=user).exclude(status__in=NeedStatus.ENDED).select_related("enterprise")
        if user.role == Role.ENTERPRISE:
            del self.fields["organisation"]
            needs = needs.filter(enterprise_id=user.organisation_id)
        else:
            self.fields["organisation"].queryset = restrict(
                Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE), user
            )
            self.fields["organisation"].required = True
            self.fields["organisation"].error_messages["required"] = gettext("请选择参会企业。")
        self.fields["needs"].queryset = needs.order_by("enterprise__name", "pk")
        self.fields["needs"].label_from_instance = lambda n: (
            n.title
            if user.role == Role.ENTERPRISE
            else f"{n.enterprise.short_name or n.enterprise.name}：{n.title}"
        )


class ExpertRegistrationForm(forms.Form):
    expert = forms.ModelChoiceField(
        label=gettext_lazy("专家"),
        queryset=Expert.objects.none(),
        error_messages={"required": gettext_lazy("请选择专家。")},
        widget=SearchableSelect,
    )
    unavailable_slots = forms.TypedMultipleChoiceField(
        label=gettext_lazy("不能参加的场次"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    online_only = forms.BooleanField(
        label=gettext_lazy("仅线上"), required=False, help_text=gettext_lazy("不便到场的专家：其洽谈均以视频方式进行，不占洽谈桌")
    )

    def __init__(self, *args, user, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unavailable_slots"].choices = slot_choices(getattr(event, "meeting_day", None))
        taken = Participant.objects.filter(event=event, expert__isnull=False, status="registered").values(
            "expert"
        )
        qs = restrict(Expert.objects.filter(retired_at__isnull=True), user).exclude(pk__in=taken)
        if user.role != Role.LIAISON:
            qs = qs.filter(societies__in=event.societies.all()).distinct()
        self.fields["expert"].queryset = qs.order_by("name", "pk")


class UnavailableForm(forms.Form):
    """The slots a participant cannot attend (checked boxes); none checked = free all day."""

    slots = forms.TypedMultipleChoiceField(
        label=gettext_lazy("不能参加的场次"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, day: MeetingDay | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slots"].choices = slot_choices(day)


class ReasonForm(forms.Form):
    """The free text of a cancellation (meeting or participant)."""

    reason = forms.CharField(label=gettext_lazy("取消原因"), required=False, max_length=255)


class RequestMessageForm(forms.Form):
    """The note sent with a meeting request."""

    message = forms.CharField(label=gettext_lazy("留言"), required=False, max_length=255)
    online = forms.BooleanField(label=gettext_lazy("线上洽谈"), required=False)


class PairRuleForm(forms.Form):
    enterprise = forms.IntegerField()
    expert = forms.IntegerField()
    action = forms.ChoiceField(
        choices=[("force", gettext_lazy("必须安排")), ("forbid", gettext_lazy("不予安排")), ("", gettext_lazy("清除规则"))], required=False
    )
    note = forms.CharField(max_length=255, required=False)


class WalkInForm(forms.Form):
    enterprise = forms.ModelChoiceField(
        label=gettext_lazy("企业代表"), queryset=Participant.objects.none(), widget=SearchableSelect
    )
    expert = forms.ModelChoiceField(label=gettext_lazy("专家"), queryset=Participant.objects.none(), widget=SearchableSelect)
    slot = forms.TypedChoiceField(label=gettext_lazy("场次"), coerce=int, required=False, empty_value=None)
    table = forms.ModelChoiceField(label=gettext_lazy("洽谈桌"), queryset=Table.objects.none(), required=False)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        active = Participant.objects.filter(event=event, status="registered").select_related("organisation")
        self.fields["enterprise"].queryset = active.filter(kind="enterprise")
        self.fields["expert"].queryset = active.filter(kind="expert")
        self.fields["slot"].choices = [("", gettext("自动安排（移动最少的洽谈）"))] + slot_choices(
            getattr(event, "meeting_day", None)
        )
        self.fields["table"].queryset = Table.objects.filter(event=event, active=True)
        self.fields["table"].empty_label = gettext("自动")


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("洽谈结果"),
        choices=Meeting.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择洽谈结果。")},
    )
    note = forms.CharField(
        label=gettext_lazy("现场记录"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class LaterForm(forms.Form):
    later_outcome = forms.ChoiceField(
        label=gettext_lazy("后续进展"),
        choices=Meeting.LaterOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择后续进展。")},
    )
    note = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class MeetingDayForm(forms.ModelForm):
    n_tables = forms.IntegerField(label=gettext_lazy("洽谈桌数"), min_value=1, max_value=200)
    video_link = forms.URLField(
        label=gettext_lazy("线上洽谈会议室链接"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("线上洽谈的视频会议链接；每场线上洽谈在其后附加自己的房间号"),
    )

    class Meta:
        model = MeetingDay
        fields = [
            "date",
            "slot_minutes",
            "morning_start",
            "morning_slots",
            "afternoon_start",
            "afternoon_slots",
            "max_meetings_per_rep",
            "max_meetings_per_expert",
            "proposals_below",
            "fairness",
            "time_limit",
            "video_link",
        ]
        widgets = {
            "date": DateInput(),
            "morning_start": TimeInput(),
            "afternoon_start": TimeInput(),
        }
