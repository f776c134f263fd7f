"""Backups of the database and the uploaded files, and their restore (``manage.py backup/restore``).

An archive (tar.gz) holds ``manifest.json`` (vendor, time, every table's row count and checksum),
the database — SQLite through its online backup API (consistent while the site runs), PostgreSQL as
``pg_dump --format=custom`` — and ``media/`` (agreement attachments, need files, finished jobs).
``fingerprints`` is what the drill compares after a restore: per table, the row count and a SHA-256
of its rows in primary-key order.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from kechuang.core.dbstats import refresh_planner_statistics


def fingerprints() -> dict[str, dict]:
    """{table: {"rows": n, "sha256": hex}} for every table of the default database."""
    out = {}
    with connection.cursor() as cur:
        for table in sorted(connection.introspection.table_names(cur)):
            qn = connection.ops.quote_name(table)
            cur.execute(f"SELECT * FROM {qn} ORDER BY 1")  # noqa: S608 - a table name from introspection
            h, n = hashlib.sha256(), 0
            for row in cur.fetchall():
                h.update(repr(tuple(_plain(v) for v in row)).encode())
                n += 1
            out[table] = {"rows": n, "sha256": h.hexdigest()}
    return out


def _plain(v):
    if isinstance(v, memoryview | bytearray):
        return bytes(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise RuntimeError(gettext("找不到 %(name)s：请安装 postgresql-client / %(name)s not found") % {"name": name})
    return found


def _pg_env() -> dict:
    d = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if d.get(key):
            env[var] = str(d[key])
    env["PGDATABASE"] = d["NAME"]
    return env


def backup(out: Path) -> dict:
    """Write the archive to ``out``; returns the manifest."""
    manifest = {
        "format": 1,
        "vendor": connection.vendor,
        "created": timezone.now().isoformat(),
        "tables": fingerprints(),
    }
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            dest = sqlite3.connect(tmp / "db.sqlite3")
            with dest:
                connection.connection.backup(dest)  # online, page by page, consistent
            dest.close()
            db_name = "db.sqlite3"
        elif connection.vendor == "postgresql":
            subprocess.run(  # noqa: S603 - fixed arguments, our own database
                [_pg_bin("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp / "db.dump")],
                env=_pg_env(), check=True, capture_output=True,
            )
            db_name = "db.dump"
        else:  # pragma: no cover
            raise RuntimeError(f"unsupported database {connection.vendor}")
        out.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(out, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(tmp / db_name, arcname=db_name)
            if media.is_dir():
                tar.add(media, arcname="media")
    return manifest


def _database_is_empty() -> bool:
    with connection.cursor() as cur:
        return not [t for t in connection.introspection.table_names(cur) if t != "kechuang_cache"]


def restore(archive: Path, *, force: bool = False) -> dict:
    """Restore ``archive`` into the configured database and MEDIA_ROOT; returns its manifest.

    Refuses a database that already has tables unless ``force`` (then SQLite's file is replaced and
    PostgreSQL's objects are dropped and recreated by pg_restore --clean).
    """
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        if manifest["vendor"] != connection.vendor:
            raise RuntimeError(gettext("备份来自 %(vendor)s，当前数据库是 %(vendor2)s") % {"vendor": manifest['vendor'], "vendor2": connection.vendor})
        if not force and not _database_is_empty():
            raise RuntimeError(gettext("目标数据库不为空；确认覆盖请加 --force / the target database is not empty"))
        with tempfile.TemporaryDirectory() as tmp:
            tar.extractall(tmp, filter="data")
            tmp = Path(tmp)
            if connection.vendor == "sqlite":
                target = Path(connection.settings_dict["NAME"])
                connection.close()
                for suffix in ("-wal", "-shm"):
                    Path(f"{target}{suffix}").unlink(missing_ok=True)
                target.parent.mkdir(parents=True, exist_ok=True)
                src = sqlite3.connect(tmp / "db.sqlite3")
                dest = sqlite3.connect(target)
                with dest:
                    src.backup(dest)
                src.close()
                dest.close()
            else:
                connection.close()
                subprocess.run(  # noqa: S603
                    [_pg_bin("pg_restore"), "--no-owner", "--clean", "--if-exists", "--exit-on-error",
                     "--dbname", connection.settings_dict["NAME"], str(tmp / "db.dump")],
                    env=_pg_env(), check=True, capture_output=True,
                )
                refresh_planner_statistics()  # pg_restore brings rows, not the planner's statistics
            if (tmp / "media").is_dir():
                media = Path(settings.MEDIA_ROOT)
                media.mkdir(parents=True, exist_ok=True)
                shutil.copytree(tmp / "media", media, dirs_exist_ok=True)
    return manifest
