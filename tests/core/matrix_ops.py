"""Permission-matrix fragment for operations: /healthz answers everyone (probes carry no session)."""

from __future__ import annotations

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")

ENTRIES = {
    "ops:healthz": ("get", None, dict.fromkeys(ROLES, 200)),
}
