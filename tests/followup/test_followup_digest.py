"""The daily digest: owners get their stalled needs, coordinators the full list; the command and the task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kechuang.needs.models import Need


@pytest.fixture
def stalled(world, settings):
    old = timezone.now() - timedelta(days=settings.KECHUANG_STALLED_DAYS + 3)
    for u in world.users.values():
        u.email = f"{u.username}@example.cn"
        u.save()
    Need.objects.filter(pk=world.needs["pub_laixi"].pk).update(
        owner=world.users["district"], status_changed_at=old
    )
    Need.objects.filter(pk=world.needs["secret_ent2"].pk).update(
        owner=world.users["coordinator"], status_changed_at=old
    )
    Need.objects.filter(pk=world.needs["pub_laoshan"].pk).update(
        status="closed", status_changed_at=old
    )  # not active
    return world


def _by_recipient():
    return {m.to[0]: m for m in mail.outbox}


def test_command_mails_owner_and_coordinator(stalled, capsys):
    call_command("digest")
    got = _by_recipient()
    assert set(got) == {"district@example.cn", "coordinator@example.cn"}
    assert "石墨烯规模化制备" in got["district@example.cn"].body
    assert "绝密农机方案" not in got["district@example.cn"].body
    coord = got["coordinator@example.cn"].body
    assert "石墨烯规模化制备" in coord and "绝密农机方案" in coord and "农机智能化升级" not in coord
    assert "2 项" in got["coordinator@example.cn"].subject
    assert "已发送 2 封" in capsys.readouterr().out


def test_dry_run_sends_nothing(stalled, capsys):
    call_command("digest", "--dry-run")
    assert mail.outbox == []
    assert "将发送 2 封" in capsys.readouterr().out


def test_recipient_without_email_is_skipped(stalled):
    u = stalled.users["district"]
    u.email = ""
    u.save()
    from kechuang.followup.digest import send_digest

    r = send_digest()
    assert (r.sent, r.skipped_no_email, r.needs) == (1, 1, 2)


def test_task_runs_the_digest(stalled):
    from kechuang.followup.tasks import send_stalled_digest

    result = send_stalled_digest.enqueue()  # ImmediateBackend in tests
    assert result.return_value == {"sent": 2, "skipped_no_email": 0, "needs": 2}
    assert len(mail.outbox) == 2


def test_nothing_stalled_nothing_sent(world):
    call_command("digest")
    assert mail.outbox == []
