"""The kinds of notification: what each says, to whom it matters, and whether it may go by e-mail.

A notification stores its kind and plain parameters, never a finished sentence: the sentence is
written when someone reads it, in the reader's language, and the need it is about is named through
``needs.selectors.need_label`` for that reader (a confidential title is never stored, so it cannot
leak to a recipient who later loses — or never had — the right to see it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy


class Kind(models.TextChoices):
    NEED_REVIEWED = "need_reviewed", _("需求审核通过")
    NEED_RETURNED = "need_returned", _("需求被退回修改")
    NEED_MATCHED = "need_matched", _("需求已匹配")
    INVITATION_ROUTED = "invitation_routed", _("收到对接邀请")
    MEETING_REQUESTED = "meeting_requested", _("收到洽谈请求")
    MEETING_ANSWERED = "meeting_answered", _("洽谈请求已回复")
    AGENDA_CHANGED = "agenda_changed", _("议程调整")
    MILESTONE_DUE = "milestone_due", _("协议里程碑到期")
    NEED_STALLED = "need_stalled", _("需求停滞提醒")
    SIGNUP_SUBMITTED = "signup_submitted", _("企业注册待审核")
    SIGNUP_APPROVED = "signup_approved", _("企业注册已通过")


@dataclass(frozen=True)
class KindSpec:
    # a lazy translatable template; %(need)s is the need's label for the reader; a plural one
    # (ngettext_lazy) takes its number from the parameter it names, so apply it with % directly
    message: str
    audience: str  # who receives it (shown on the preference page)
    email_default: bool = True
    # the e-mail of this kind is the daily digest (followup.digest), which honours the preference
    email_by_digest: bool = False


SPECS: dict[str, KindSpec] = {
    Kind.NEED_REVIEWED: KindSpec(_("您的需求“%(need)s”已通过审核，进入匹配。"), _("企业联系人")),
    Kind.NEED_RETURNED: KindSpec(_("您的需求“%(need)s”被退回修改，原因：%(note)s"), _("企业联系人")),
    Kind.NEED_MATCHED: KindSpec(_("您的需求“%(need)s”已匹配到专家或科技资源：%(note)s"), _("企业联系人")),
    Kind.INVITATION_ROUTED: KindSpec(
        _("协调员向您推送了对接邀请：需求“%(need)s”（推荐对象：%(candidate)s），请查看并回复。"),
        _("专家、学会联络员"),
    ),
    Kind.MEETING_REQUESTED: KindSpec(
        _("“%(event)s”：%(requester)s 向 %(invitee)s 提出洽谈请求%(about)s，请回复。"),
        _("对接会双方"),
    ),
    Kind.MEETING_ANSWERED: KindSpec(
        _("“%(event)s”：%(invitee)s %(answer)s了 %(requester)s 的洽谈请求%(about)s。"),
        _("对接会双方"),
    ),
    Kind.AGENDA_CHANGED: KindSpec(
        ngettext_lazy("“%(event)s”的排期已调整，您的 %(count)s 场洽谈有变动：%(changes)s", "“%(event)s”的排期已调整，您的 %(count)s 场洽谈有变动：%(changes)s", "count"), _("洽谈时间或桌号变动的参会者")
    ),
    Kind.MILESTONE_DUE: KindSpec(
        _("协议“%(agreement)s”的里程碑“%(milestone)s”计划于 %(due)s 完成，目前尚未完成。"),
        _("协议登记人、关联需求的跟进负责人"),
    ),
    Kind.NEED_STALLED: KindSpec(
        ngettext_lazy("需求“%(need)s”已 %(days)s 天没有进展，请及时跟进。", "需求“%(need)s”已 %(days)s 天没有进展，请及时跟进。", "days"),
        _("需求跟进负责人、协调员"),
        email_by_digest=True,
    ),
    Kind.SIGNUP_SUBMITTED: KindSpec(
        _("企业“%(company)s”（%(district)s）提交了注册申请，请审核。"), _("协调员、所在区（市）工作人员")
    ),
    Kind.SIGNUP_APPROVED: KindSpec(
        _("您的企业“%(company)s”注册申请已通过，现在可以登录平台提交技术需求。"), _("企业联系人")
    ),
}

# a coordinator's daily summary of stalled needs is a NEED_STALLED notification without a need
STALLED_SUMMARY = ngettext_lazy("全市有 %(count)s 项需求超过 %(days)s 天没有进展，请查看停滞需求列表。", "全市有 %(count)s 项需求超过 %(days)s 天没有进展，请查看停滞需求列表。", "count")
