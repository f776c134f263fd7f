"""关闭需求 asks first and says what will happen; dismissing changes nothing; confirming closes."""

from __future__ import annotations

from kechuang.core.models import AuditEntry
from kechuang.needs.models import Need, NeedStatusChange


def test_closing_a_need_asks_first(world, client_for):
    need = world.needs["new_ent2"]
    status = Need.objects.get(pk=need.pk).status
    c = client_for("coordinator")
    steps, audits = NeedStatusChange.objects.count(), AuditEntry.objects.exclude(action__contains="view").count()
    resp = c.post(f"/needs/{need.pk}/transition/", {"to_status": "closed", "note": "企业已自行解决"})
    assert resp.status_code == 200
    text = resp.content.decode()
    assert "确认关闭需求" in text and "关闭是最终状态" in text and need.title in text
    assert 'name="note" value="企业已自行解决"' in text and 'name="confirmed" value="yes"' in text
    assert Need.objects.get(pk=need.pk).status == status
    assert NeedStatusChange.objects.count() == steps
    assert AuditEntry.objects.exclude(action__contains="view").count() == audits
    resp = c.post(f"/needs/{need.pk}/transition/", {"to_status": "closed", "note": "企业已自行解决", "confirmed": "yes"})
    assert resp.status_code == 302
    assert Need.objects.get(pk=need.pk).status == "closed"
    assert NeedStatusChange.objects.filter(need=need, to_status="closed", note="企业已自行解决").exists()


def test_other_transitions_do_not_ask(world, client_for):
    need = world.needs["new_ent2"]
    resp = client_for("coordinator").post(f"/needs/{need.pk}/transition/", {"to_status": "reviewed"})
    assert resp.status_code == 302
    assert Need.objects.get(pk=need.pk).status == "reviewed"
