"""Setting up a matchmaking meeting: its slot grid and its tables."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from kechuang.core.audit import audit
from kechuang.core.errors import ApplicationError
from kechuang.events.models import Event, Meeting, MeetingDay, Table
from kechuang.events.services._common import require_coordinator


@transaction.atomic
def meeting_day_configure(*, user, event: Event, data: dict, n_tables: int | None = None) -> MeetingDay:
    """Create or change the slot grid (and optionally the number of tables) of a matchmaking meeting."""
    require_coordinator(user)
    if event.kind != Event.Kind.MATCHMAKING:
        raise ApplicationError(gettext("只有对接会需要设置洽谈场次。"))
    if Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED).exists():
        raise ApplicationError(gettext("已生成排期，不能再修改场次设置；如需调整请先取消排期。"))
    day, created = MeetingDay.objects.get_or_create(event=event, defaults={"date": event.start.date()})
    changed = {k: v for k, v in data.items() if getattr(day, k) != v}
    for k, v in changed.items():
        setattr(day, k, v)
    if day.morning_slots + day.afternoon_slots == 0:
        raise ApplicationError(gettext("上午和下午至少要有一场。"))
    if day.morning_slots and day.afternoon_slots and day.afternoon_start < day.morning_end():
        raise ApplicationError(gettext("下午开始时间早于上午最后一场结束时间，请留出午休。"))
    new_tables = []
    if n_tables is not None:
        if n_tables < 1:
            raise ApplicationError(gettext("至少需要一张洽谈桌。"))
        have = set(Table.objects.filter(event=event).values_list("number", flat=True))
        new_tables = [Table(event=event, number=i, name=f"{i}号桌") for i in range(1, n_tables + 1) if i not in have]
    if not (created or changed or new_tables):
        return day  # the form saved unchanged: nothing to write, nothing to audit
    day.save()
    Table.objects.bulk_create(new_tables)
    audit(user, "event.meeting_day", event, {**data, "tables": n_tables})
    return day


@transaction.atomic
def table_set_active(*, user, table: Table, active: bool) -> Table:
    """Take a table out of use (its meetings then need a re-plan) or back into use."""
    require_coordinator(user)
    table.active = active
    table.save(update_fields=["active"])
    audit(user, "event.table_active", table, {"active": active})
    return table
