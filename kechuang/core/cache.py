"""The shared cache: Django's database cache, with writes that take the write lock once per batch.

Django's ``DatabaseCache`` writes every entry in its own transaction (a ``COUNT(*)`` of the table,
then ``BEGIN``, a ``SELECT`` and an ``UPDATE`` or ``INSERT``), ``set_many`` is a loop of those, and
a read that finds an expired entry deletes it — a write on a GET. On SQLite every one of those
writes waits for the database's single write lock (``BEGIN IMMEDIATE``, ADR 0010), which the
dashboard's figure cache, recomputing a dozen parts at once in several processes, queued on for up to
2 s under load (ADR 0043, ADR 0045). Here:

- ``set_many`` writes all its entries in one transaction, one upsert statement;
- ``add_many`` (the dashboard's) first reads which keys another process already holds unexpired —
  a read, no lock — and writes only the others, in one transaction, keeping any entry another
  process wrote in between (the upsert updates an existing row only when it has expired); when
  every key is already there it takes no lock at all;
- reads never delete: an expired entry is treated as missing, overwritten by the next write of
  its key, and removed by the cull (``MAX_ENTRIES``), as Django's own cull does.

Every write is still committed before the call returns, so a write in one process shows in every
other at once (tests/ops/test_shared_cache.py). PostgreSQL and SQLite both have the upsert.
"""

# ruff: noqa: S608 - the SQL names only the cache table and its columns (quoted); values are parameters
from __future__ import annotations

import base64
import pickle
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now


class DatabaseCache(DjangoDatabaseCache):
    def get_many(self, keys, version=None):
        if not keys:
            return {}
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        connection = connections[router.db_for_read(self.cache_model_class)]
        q = connection.ops.quote_name
        now = connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {q('cache_key')}, {q('value')} FROM {q(self._table)} "
                f"WHERE {q('cache_key')} IN ({', '.join(['%s'] * len(key_map))}) AND {q('expires')} > %s",
                [*key_map, now],
            )
            rows = cursor.fetchall()
        return {
            key_map[key]: pickle.loads(base64.b64decode(connection.ops.process_clob(value).encode()))  # noqa: S301 - our own table
            for key, value in rows
        }

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._write_many({key: value}, timeout, version, only_missing=False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return bool(self._write_many({key: value}, timeout, version, only_missing=True))

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        self._write_many(data, timeout, version, only_missing=False)
        return []

    def add_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        """Like ``add`` for every entry, in one transaction; returns the keys written."""
        return self._write_many(data, timeout, version, only_missing=True)

    def _write_many(self, data, timeout, version, only_missing: bool) -> list:
        if not data:
            return []
        entries = {self.make_and_validate_key(k, version=version): (k, v) for k, v in data.items()}
        connection = connections[router.db_for_write(self.cache_model_class)]
        q = connection.ops.quote_name
        table = q(self._table)
        now = tz_now().replace(microsecond=0)
        db_now = connection.ops.adapt_datetimefield_value(now)
        if only_missing:  # a read (no lock): the keys another process holds unexpired stay as they are
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {q('cache_key')} FROM {table} "
                    f"WHERE {q('cache_key')} IN ({', '.join(['%s'] * len(entries))}) AND {q('expires')} > %s",
                    [*entries, db_now],
                )
                for (held,) in cursor.fetchall():
                    entries.pop(held, None)
            if not entries:
                return []
        timeout = self.get_backend_timeout(timeout)
        if timeout is None:
            exp = datetime.max
        else:
            exp = datetime.fromtimestamp(timeout, tz=UTC if settings.USE_TZ else None)
        exp = connection.ops.adapt_datetimefield_value(exp.replace(microsecond=0))
        rows = [
            (key, base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1"), exp)
            for key, (_, value) in entries.items()
        ]
        sql = (
            f"INSERT INTO {table} ({q('cache_key')}, {q('value')}, {q('expires')}) VALUES (%s, %s, %s) "
            f"ON CONFLICT ({q('cache_key')}) DO UPDATE SET {q('value')} = EXCLUDED.{q('value')}, "
            f"{q('expires')} = EXCLUDED.{q('expires')}"
        )
        if only_missing:  # written by another process since the read above: keep theirs
            sql += f" WHERE {table}.{q('expires')} <= %s"
            rows = [(*r, db_now) for r in rows]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # a read, before the lock
            num = cursor.fetchone()[0]
            with transaction.atomic(using=connection.alias):  # the one write lock of the batch
                if num + len(rows) > self._max_entries:
                    self._cull(connection.alias, cursor, now, num)
                cursor.executemany(sql, rows)
                if len(rows) == 1 and cursor.rowcount == 0:
                    return []  # add: another process wrote it since the read
        return [original for original, _ in entries.values()]
