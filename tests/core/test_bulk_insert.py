"""``core.bulk.insert_many`` writes the rows ``bulk_create`` writes (values prepared the same way),
and its upsert updates a conflicting row as ``bulk_create(update_conflicts=True)`` does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kechuang.core.audit import _entry
from kechuang.core.bulk import insert_many
from kechuang.core.models import AuditEntry
from kechuang.needs.models import Need, NeedStageFact, NeedStatusChange

pytestmark = pytest.mark.django_db

COLUMNS = ("actor_id", "actor_username", "action", "object_type", "object_id", "object_repr", "changes")


def test_rows_are_those_bulk_create_writes(world):
    user = world.users["coordinator"]
    need = Need.objects.first()
    changes = {"title": "标题", "keywords": ["石墨烯", "规模化"], "deadline": timezone.localdate(), "budget_min": 5,
               "none": None, "nested": {"a": [1, 2]}}
    made = lambda: [_entry(user, "need.submit", need, changes, None), _entry(None, "x.y", None, None, "全部")]  # noqa: E731
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    AuditEntry.objects.bulk_create(made())
    middle = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    assert insert_many(made()) == 2
    old = list(AuditEntry.objects.filter(id__gt=start, id__lte=middle).order_by("id").values_list(*COLUMNS))
    new = list(AuditEntry.objects.filter(id__gt=middle).order_by("id").values_list(*COLUMNS))
    assert new == old and len(new) == 2
    assert all(e.at is not None for e in AuditEntry.objects.filter(id__gt=middle))  # auto_now_add, as pre_save sets it


def test_history_rows_and_the_facts_upsert(world):
    user = world.users["coordinator"]
    need = Need.objects.first()
    t0 = timezone.now() - timedelta(days=3)
    before = NeedStatusChange.objects.filter(need=need).count()
    insert_many([NeedStatusChange(need=need, from_status="", to_status="submitted", at=t0, by=user, note="提交需求")])
    row = NeedStatusChange.objects.filter(need=need).order_by("-id").first()
    assert (row.to_status, row.at, row.by_id, row.note) == ("submitted", t0, user.pk, "提交需求")
    assert NeedStatusChange.objects.filter(need=need).count() == before + 1
    # the facts' rebuild writes through insert_many's upsert: a second rebuild updates the row in place
    NeedStageFact.rebuild([need.pk])
    NeedStatusChange.objects.create(need=need, from_status="submitted", to_status="reviewed", at=timezone.now(), by=user)
    NeedStageFact.rebuild([need.pk])
    fact = NeedStageFact.objects.get(need=need)
    assert fact.reviewed_at is not None and fact.reached >= 1
    assert NeedStageFact.objects.filter(need=need).count() == 1
