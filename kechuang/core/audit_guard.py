"""Database triggers that make ``core_auditentry`` append-only, and the one door for wiping it.

Rules, the same on both databases:

- UPDATE of an audit row: always refused.
- DELETE (SQLite, PostgreSQL) and TRUNCATE (PostgreSQL): refused, unless the connection is inside
  ``maintenance()``. Only ``manage.py flush`` (``kechuang/core/management/commands/flush.py``)
  enters it: Django's test machinery empties every table that way between transactional tests
  (SQLite flushes with ``DELETE FROM``, PostgreSQL with ``TRUNCATE``), and an operator who runs
  ``flush`` by hand wipes the whole database anyway.

How the "maintenance" flag is scoped:

- PostgreSQL: a transaction-local setting (``set_config('kechuang.audit_maintenance', 'on', true)``)
  that the trigger function reads; it ends with the transaction and cannot leak. Row DELETE stays
  refused even then (flush uses TRUNCATE).
- SQLite has no session variables, so the trigger calls ``kechuang_audit_maintenance()``, an SQL
  function registered on every Django connection (``connection_created``) that reads a flag on
  that connection object. A connection without it (the ``sqlite3`` shell) cannot delete at all.

The refusal is ``IntegrityError`` on both backends (SQLite ``RAISE(ABORT)``, PostgreSQL SQLSTATE
23000). This guards against the application rewriting history (a bug, the admin, a script);
a database owner can still drop triggers — that is for database permissions to stop.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connections, transaction

TABLE = "core_auditentry"
SETTING = "kechuang.audit_maintenance"
SQLITE_FUNCTION = "kechuang_audit_maintenance"
MESSAGE = "审计记录只能追加，不能修改或删除 (core_auditentry is append-only)"

SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
WHEN {SQLITE_FUNCTION}() IS NOT 1
BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE'); END""",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"]

POSTGRES_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('{SETTING}', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '{MESSAGE}: %', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END;
$$""",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_change ON {TABLE}",
    f"""CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE}
FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()""",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"""CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()""",
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_change ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
]


def _statements(vendor: str, install: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_DROP
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_DROP
    raise NotImplementedError(f"no append-only triggers for the {vendor} backend")


def install(schema_editor) -> None:
    """Create the triggers (idempotent). Migrations call this; so must any later one that alters the table."""
    for sql in _statements(schema_editor.connection.vendor, install=True):
        schema_editor.execute(sql, params=None)


def uninstall(schema_editor) -> None:
    for sql in _statements(schema_editor.connection.vendor, install=False):
        schema_editor.execute(sql, params=None)


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: give each SQLite connection the function the trigger asks."""
    if connection.vendor != "sqlite":
        return

    def in_maintenance() -> int:
        return 1 if getattr(connection, "_kechuang_audit_maintenance", False) else 0

    connection.connection.create_function(SQLITE_FUNCTION, 0, in_maintenance)


@contextmanager
def maintenance(using: str = "default"):
    """Allow this connection to empty the audit table (flush only). One transaction; nothing leaks."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [SETTING])
            yield
        else:
            connection.ensure_connection()
            connection._kechuang_audit_maintenance = True
            try:
                yield
            finally:
                connection._kechuang_audit_maintenance = False
