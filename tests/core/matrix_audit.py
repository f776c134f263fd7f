"""Permission-matrix fragment for the audit search page: coordinators only, 404 for every other role."""

from __future__ import annotations

AUDIT = {
    "anonymous": 302,
    "coordinator": 200,
    "district": 404,
    "enterprise": 404,
    "liaison": 404,
    "expert": 404,
    "leadership": 404,
}

ENTRIES = {
    "core:audit": ("get", None, AUDIT),
    "core:audit_export": ("get", None, AUDIT),
}
