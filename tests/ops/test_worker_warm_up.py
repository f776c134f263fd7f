"""A task worker makes one tiny briefing PDF when it starts, before its first task, so a user's
first briefing is not the one that loads WeasyPrint, the fonts and the stylesheets (ADR 0040, "Warm-up"); a
warm-up that fails (no fonts, a broken install) is logged and the worker runs on."""

from __future__ import annotations

import logging

import pytest
from django_tasks_db.management.commands.db_worker import Command as LibraryWorker

from kechuang.dashboard import exports
from kechuang.ops.heartbeat import Heartbeat
from kechuang.ops.management.commands.db_worker import Command

OPTIONS = {"worker_id": "warm-1", "reload": False, "batch": True}


@pytest.fixture
def loop_seen(monkeypatch):
    """Replaces the library's worker loop (and the heartbeat thread) by a probe of what had happened
    when the loop would have started."""
    seen: dict = {}
    monkeypatch.setattr(Heartbeat, "start", lambda self: None)
    monkeypatch.setattr(Heartbeat, "stop", lambda self: None)
    monkeypatch.setattr(LibraryWorker, "handle", lambda self, *a, **kw: seen.setdefault("loop", True) and None)
    return seen


def test_the_worker_makes_a_briefing_pdf_before_its_first_task(monkeypatch, loop_seen):
    made: list[bytes] = []
    real = exports.warm_up_pdf

    def spy():
        assert "loop" not in loop_seen  # before the loop, not after
        made.append(real())
        return made[-1]

    monkeypatch.setattr(exports, "warm_up_pdf", spy)
    Command().handle(**OPTIONS)
    assert loop_seen.get("loop") is True
    assert len(made) == 1 and made[0].startswith(b"%PDF")


def test_the_warm_up_pdf_uses_the_briefing_template_and_its_cjk_font():
    from pdf_glyphs import missing_glyphs
    from pdf_text import pdf_text

    pdf = exports.warm_up_pdf()
    assert "科创对接" in pdf_text(pdf)
    assert missing_glyphs(pdf, "科创对接") == set()  # the same Noto CJK face the briefing embeds


def test_a_failing_warm_up_is_logged_and_the_worker_runs_on(monkeypatch, loop_seen, caplog):
    def broken():
        raise OSError("Fontconfig error: no fonts")

    monkeypatch.setattr(exports, "warm_up_pdf", broken)
    with caplog.at_level(logging.WARNING, logger="kechuang.ops.worker"):
        Command().handle(**OPTIONS)
    assert loop_seen.get("loop") is True
    assert any("PDF warm-up failed" in r.getMessage() and r.exc_info for r in caplog.records)


def test_the_autoreloader_parent_does_not_warm_up(monkeypatch, loop_seen):
    monkeypatch.delenv("RUN_MAIN", raising=False)
    monkeypatch.setattr(exports, "warm_up_pdf", lambda: pytest.fail("the file-watching parent warmed up"))
    Command().handle(**(OPTIONS | {"reload": True, "batch": False}))
    assert loop_seen.get("loop") is True


def test_a_worker_without_any_font_still_runs_its_tasks(db_conf, tmp_path):
    """A real worker process with fontconfig seeing no font at all: the warm-up does what it can
    (or fails and is logged), and the queued task still runs."""
    from django.test import override_settings
    from ops_subproc import manage
    from race import in_thread

    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{tmp_path}/nofonts</dir><cachedir>{tmp_path}/cache</cachedir></fontconfig>",
        encoding="utf-8",
    )
    (tmp_path / "nofonts").mkdir()

    def enqueue():
        from ops_probe_tasks import probe_health

        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            return str(probe_health.enqueue().id)

    task_id = in_thread(enqueue, db_conf)
    manage(
        db_conf, "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id", "nofonts-1",
        FONTCONFIG_FILE=str(tmp_path / "fonts.conf"),
    )

    def status():
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.get(id=task_id).status

    assert in_thread(status, db_conf) == "SUCCESSFUL"


def test_no_font_at_all_skips_the_warm_up_instead_of_crashing(monkeypatch, loop_seen, caplog):
    from kechuang.dashboard import pdf

    monkeypatch.setattr(pdf, "fonts_available", lambda: False)
    monkeypatch.setattr(exports, "warm_up_pdf", lambda: pytest.fail("laid out text with no font (SIGSEGV)"))
    with caplog.at_level(logging.WARNING, logger="kechuang.ops.worker"):
        Command().handle(**OPTIONS)
    assert loop_seen.get("loop") is True
    assert any("warm-up skipped" in r.getMessage() for r in caplog.records)
