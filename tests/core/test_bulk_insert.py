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


def test_returning_sets_the_ids_in_order_and_writes_what_bulk_create_writes(world):
    from kechuang.needs.services import need_new

    user = world.users["coordinator"]
    enterprise = Need.objects.first().enterprise
    data = lambda i: {"title": f"批量写入的需求{i}", "kind": "tech", "chain": enterprise.chain, "district": enterprise.district,  # noqa: E731
                      "problem": "需要解决规模化生产中的一致性和稳定性问题，提高良品率", "keywords": ["a", str(i)],
                      "budget_min": i, "budget_max": 100 + i, "confidentiality": "public"}
    by_django = [need_new(user=user, data=data(i), enterprise=enterprise) for i in range(3)]
    ours = [need_new(user=user, data=data(i), enterprise=enterprise) for i in range(3)]
    Need.objects.bulk_create(by_django)
    assert insert_many(ours, returning=True) == 3
    assert all(n.pk and not n._state.adding and n._state.db == "default" for n in ours)
    skip = {"id", "created_at", "updated_at", "status_changed_at"}
    row = lambda n: {k: v for k, v in Need.objects.filter(pk=n.pk).values()[0].items() if k not in skip}  # noqa: E731
    assert [row(n) for n in ours] == [row(n) for n in by_django]
    assert [Need.objects.get(pk=n.pk).title for n in ours] == [n.title for n in ours]  # ids in the order sent
