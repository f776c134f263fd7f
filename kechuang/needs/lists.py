"""The needs list's columns: which ones sort (a whitelist) and what its Excel export holds.

Shared by every page that lists needs with sorting and export (the needs library, stalled needs).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kechuang.core.exports import Column, attr, display, local_date, xlsx_response, yes_no
from kechuang.core.sorting import Sorting
from kechuang.needs import selectors, services

# the needs list's sortable columns (a whitelist: ``?sort=`` anything else keeps the default order)
NEED_SORTING = Sorting(
    {
        "title": "title",
        "enterprise": "enterprise__name",
        "chain": "chain__code",
        "district": "district__code",
        "status": "status",
        "confidentiality": "confidentiality",
        "owner": ("owner__display_name", "owner__username"),
        "deadline": "deadline",
        "created": "created_at",
    },
    default="-created",
    descending_first=("created", "deadline"),
)
# stalled needs: the longest-waiting first unless a column is chosen
STALLED_SORTING = Sorting(
    {**NEED_SORTING.columns, "changed": "status_changed_at"}, default="changed", descending_first=("created",)
)


def need_columns(user) -> list[Column]:
    """The needs export: what the list shows and a little more, the title named for the reader."""
    return [
        Column(_("项目名称"), lambda n: selectors.need_label(user, n), 40),
        Column(_("需求企业"), attr("enterprise.name"), 28),
        Column(_("需求类型"), display("kind"), 10),
        Column(_("行业领域/产业链"), attr("chain.name"), 20),
        Column(_("地区"), attr("district.name"), 14),
        Column(_("状态"), display("status"), 10),
        Column(_("保密级别"), display("confidentiality"), 16),
        Column(_("重大需求"), yes_no("major"), 8),
        Column(_("跟进负责人"), lambda n: services.owner_name(n.owner) if n.owner_id else "", 14),
        Column(_("预算下限（万元）"), attr("budget_min"), 10),
        Column(_("预算上限（万元）"), attr("budget_max"), 10),
        Column(_("期限"), attr("deadline"), 12),
        Column(_("提交时间"), local_date("created_at"), 12),
    ]


def need_export(user, qs, *, filename: str = "needs"):
    """``qs`` (needs from ``selectors.need_list``, filtered and sorted) as the list's Excel file."""
    return xlsx_response(
        qs,
        need_columns(user),
        filename=filename,
        sheet=_("需求"),
        # every confidential need the file names is audited (one bulk INSERT per batch of rows)
        before_rows=lambda rows: selectors.record_listed_views(user, rows, via=f"export:{filename}.xlsx"),
    )
