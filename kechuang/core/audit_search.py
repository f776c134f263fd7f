"""Searching the audit trail (coordinators only): the filter form, the selector, the Excel export.

Core and Django only (core is the ground floor). Who may search is the ``core.auditentry`` rule of
``kechuang.core.access``: coordinators (and superusers) see every row, everyone else none — and
the page answers 404 to them, like any object outside a user's scope.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from kechuang.core.access import restrict
from kechuang.core.exports import EXPORT_LIMIT, Column, write_xlsx
from kechuang.core.models import AuditEntry
from kechuang.core.sorting import Sorting
from kechuang.core.widgets import DateInput

PAGE_SIZE = 50

ACTION_LABELS = {
    "view_confidential": gettext_lazy("查看保密内容"),
    "submit": gettext_lazy("提交"),
    "transition": gettext_lazy("状态变更"),
    "update": gettext_lazy("修改"),
    "export": gettext_lazy("导出"),
}


class AuditFilterForm(forms.Form):
    who = forms.CharField(label=gettext_lazy("操作人"), required=False, max_length=150)
    action = forms.CharField(
        label=gettext_lazy("操作"),
        required=False,
        max_length=64,
        help_text=gettext_lazy("如 need.view_confidential；写 need. 查全部需求操作"),
    )
    object_type = forms.CharField(label=gettext_lazy("对象类型"), required=False, max_length=64)
    object_id = forms.CharField(label=gettext_lazy("对象编号"), required=False, max_length=64)
    start = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("截止日期"), required=False, widget=DateInput())
    q = forms.CharField(label=gettext_lazy("关键词"), required=False, max_length=200)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", gettext("截止日期不能早于起始日期。"))
        return data


def can_search_audit(user) -> bool:
    """The ``core.auditentry`` rule, as a yes/no for the page: coordinators and superusers."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_coordinator", False))


def _day_start(d) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def audit_search(*, user, filters: dict | None = None) -> QuerySet[AuditEntry]:
    """Audit rows ``user`` may read matching ``filters`` (the cleaned form), newest first.

    ``who`` matches the username kept in the row (so deleted users are found); ``action`` is a
    prefix (``need.`` → every need action); ``object_type``/``object_id`` are exact; ``start``/``end``
    are dates in the site's time zone, both inclusive; ``q`` looks in the object's name, the
    action, the actor, the object number and the recorded content.
    """
    f = filters or {}
    qs = restrict(AuditEntry.objects.all(), user)
    if f.get("who"):
        qs = qs.filter(actor_username__icontains=f["who"].strip())
    if f.get("action"):
        qs = qs.filter(action__istartswith=f["action"].strip())
    if f.get("object_type"):
        qs = qs.filter(object_type=f["object_type"].strip().lower())
    if f.get("object_id"):
        qs = qs.filter(object_id=f["object_id"].strip())
    if f.get("start"):
        qs = qs.filter(at__gte=_day_start(f["start"]))
    if f.get("end"):
        qs = qs.filter(at__lt=_day_start(f["end"] + timedelta(days=1)))
    if f.get("q"):
        q = f["q"].strip()
        # JSON is stored with \\uXXXX escapes on SQLite: look for the escaped spelling too
        escaped = json.dumps(q)[1:-1]
        cond = (
            Q(object_repr__icontains=q)
            | Q(action__icontains=q)
            | Q(actor_username__icontains=q)
            | Q(object_id=q)
            | Q(changes__icontains=q)
        )
        if escaped != q:
            cond |= Q(changes__icontains=escaped)
        qs = qs.filter(cond)
    return qs.order_by("-at", "-id")


def audit_choices(*, user) -> dict[str, list[str]]:
    """The actions and object types present, for the form's suggestion lists (two small queries)."""
    qs = restrict(AuditEntry.objects.all(), user).order_by()
    return {
        "actions": list(qs.values_list("action", flat=True).distinct().order_by("action")[:300]),
        "object_types": list(
            qs.values_list("object_type", flat=True).distinct().order_by("object_type")[:100]
        ),
    }


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action.rsplit(".", 1)[-1], "")


def changes_text(changes) -> str:
    return json.dumps(changes, ensure_ascii=False, sort_keys=True) if changes else ""


HEADER = [gettext_lazy("时间"), gettext_lazy("操作人"), gettext_lazy("操作"), gettext_lazy("说明"), gettext_lazy("对象类型"), gettext_lazy("对象编号"), gettext_lazy("对象"), gettext_lazy("内容")]


def _local(e: AuditEntry):
    return timezone.localtime(e.at, timezone.get_current_timezone()).replace(tzinfo=None)


COLUMNS = [
    Column(HEADER[0], _local, 20),
    Column(HEADER[1], lambda e: e.actor_username or gettext("系统"), 14),
    Column(HEADER[2], lambda e: e.action, 26),
    Column(HEADER[3], lambda e: action_label(e.action), 12),
    Column(HEADER[4], lambda e: e.object_type, 20),
    Column(HEADER[5], lambda e: e.object_id, 10),
    Column(HEADER[6], lambda e: e.object_repr, 40),
    Column(HEADER[7], lambda e: changes_text(e.changes), 60),
]

# the audit page's sortable columns (``kechuang.core.sorting``); newest first by default
SORTING = Sorting(
    {"at": "at", "who": "actor_username", "action": "action", "object": ("object_type", "object_id")},
    default="-at",
    descending_first=("at",),
)


def export_xlsx(queryset: QuerySet[AuditEntry], *, limit: int = EXPORT_LIMIT) -> tuple[bytes, int]:
    """The filtered rows as a workbook (``kechuang.core.exports``: write-only, every cell through
    ``safe_cell``). Returns the file and the number of rows written (at most ``limit``)."""
    total = queryset.count()
    buf = io.BytesIO()
    n = write_xlsx(
        buf,
        queryset,
        COLUMNS,
        sheet=gettext("审计记录"),
        limit=limit,
        total=total,
        overflow_note=lambda n, total: ngettext("仅导出最新 %(n)s 条，共 %(total)s 条符合条件；请缩小筛选范围。", "仅导出最新 %(n)s 条，共 %(total)s 条符合条件；请缩小筛选范围。", n) % {"n": n, "total": total},
    )
    return buf.getvalue(), n
