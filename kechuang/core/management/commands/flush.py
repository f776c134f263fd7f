"""Django's ``flush``, allowed to empty the append-only audit table (see ``kechuang/core/audit_guard.py``).

The test machinery (``TransactionTestCase``, pytest-django's ``transactional_db``/``live_server``)
calls ``flush`` between tests; the audit triggers refuse every other DELETE/TRUNCATE.
"""

from __future__ import annotations

from django.core.management.commands import flush

from kechuang.core.audit_guard import maintenance


class Command(flush.Command):
    def handle(self, **options):
        with maintenance(options["database"]):
            return super().handle(**options)
