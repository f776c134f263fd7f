"""Triggers that refuse UPDATE and DELETE on the audit table (PostgreSQL and SQLite); see core/audit_guard.py."""

from django.db import migrations


def install(apps, schema_editor):
    from kechuang.core import audit_guard

    audit_guard.install(schema_editor)


def uninstall(apps, schema_editor):
    from kechuang.core import audit_guard

    audit_guard.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_actor_username")]

    operations = [migrations.RunPython(install, uninstall)]
