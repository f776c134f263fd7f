"""Backup drill: back up a database with records and attachments, restore it into an EMPTY database
in other processes, and compare every table's row count and checksum, and the files."""

from __future__ import annotations

import json
import uuid

from ops_subproc import manage, python
from race import in_thread, shared_build_world

FINGERPRINTS = "import json; from kechuang.ops.backup import fingerprints; print(json.dumps(fingerprints()))"


def _empty_target(db_conf, tmp_path):
    """(conf, extra env) of an empty database of the same vendor."""
    if db_conf is not None:
        return {"NAME": str(tmp_path / "restored.sqlite3")}, {}
    from django.db import connection

    name = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
    return None, {"PGDATABASE": name}


def test_backup_restore_drill(db_conf, tmp_path):
    in_thread(shared_build_world, db_conf)  # users, organisations, needs, history, audit entries
    src_var, dst_var = tmp_path / "src", tmp_path / "dst"
    attachment = src_var / "media" / "agreements" / "2026" / "合作协议.pdf"
    attachment.parent.mkdir(parents=True)
    attachment.write_bytes(b"%PDF-1.7 attachment \x00\x01\x02")
    archive = tmp_path / "backup.tar.gz"

    manage(db_conf, "backup", "--out", str(archive), KECHUANG_VAR_DIR=src_var)
    before = json.loads(python(db_conf, FINGERPRINTS))
    assert before["accounts_user"]["rows"] >= 6 and before["needs_need"]["rows"] >= 5

    target, env = _empty_target(db_conf, tmp_path)
    out = manage(target, "restore", str(archive), KECHUANG_VAR_DIR=dst_var, **env)
    assert "一致" in out.stdout
    after = json.loads(python(target, FINGERPRINTS, KECHUANG_VAR_DIR=dst_var, **env))
    assert set(after) == set(before)
    assert after == before  # every table: same row count and same checksum of its rows
    restored = dst_var / "media" / "agreements" / "2026" / "合作协议.pdf"
    assert restored.read_bytes() == attachment.read_bytes()

    # a second restore onto the now non-empty database is refused without --force
    import subprocess
    import sys

    from ops_subproc import ROOT, env_for

    refused = subprocess.run([sys.executable, str(ROOT / "manage.py"), "restore", str(archive)], cwd=ROOT,
                             env=env_for(target, KECHUANG_VAR_DIR=dst_var, **env), capture_output=True, text=True,
                             timeout=180)
    assert refused.returncode != 0 and "不为空" in refused.stderr
