"""What happened to each of an enterprise's needs and what comes next (the enterprise's home page)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kechuang.needs.models import NeedStatus, NeedStatusChange

# who owes the next step, in the enterprise's words
NEXT_STEP = {
    NeedStatus.SUBMITTED: _("等待市科协审核"),
    NeedStatus.RETURNED: _("请按退回意见修改后重新提交"),
    NeedStatus.REVIEWED: _("市科协正在为需求匹配专家和成果"),
    NeedStatus.MATCHED: _("等待与推荐的专家对接洽谈"),
    NeedStatus.MET: _("洽谈后商定合作，签订协议"),
    NeedStatus.AGREEMENT: _("按协议里程碑推进合作"),
    NeedStatus.DELIVERED: _("确认验收后关闭需求"),
    NeedStatus.CLOSED: _("已完成，无需操作"),
}


def with_progress(needs: list) -> list:
    """Each need with ``last_step`` (its latest history entry) and ``next_step`` (one sentence); one query."""
    ids = [n.pk for n in needs]
    last: dict[int, NeedStatusChange] = {}
    for ch in NeedStatusChange.objects.filter(need_id__in=ids).order_by("need_id", "-at", "-pk"):
        last.setdefault(ch.need_id, ch)
    for n in needs:
        n.last_step = last.get(n.pk)
        n.next_step = NEXT_STEP.get(n.status, "")
    return needs
