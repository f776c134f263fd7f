"""Planner statistics after a bulk load.

PostgreSQL plans from statistics that autovacuum gathers some time after rows arrive. Straight
after a bulk load (the demo scenario, a restore from backup) every table still looks empty, and the
planner nests loops that are fine for one row and quadratic for thousands: the enterprise's experts
list took 8–17 s a count in CI's PostgreSQL pass, on the demo loaded seconds before. pg_restore's
manual says the same: run ANALYZE after a restore. ANALYZE is allowed inside a transaction and counts
the transaction's own rows, so a load inside one (a test, an atomic import) is covered too.
"""

from __future__ import annotations

from django.db import connections


def refresh_planner_statistics(using: str = "default") -> None:
    """``ANALYZE`` every table on PostgreSQL; nothing elsewhere (SQLite plans well without)."""
    conn = connections[using]
    if conn.vendor == "postgresql":
        with conn.cursor() as cur:
            cur.execute("ANALYZE")
