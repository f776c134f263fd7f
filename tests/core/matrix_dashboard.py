"""Permission-matrix fragment for the dashboard: leadership, coordinators and district staff only."""

from __future__ import annotations

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")
DASH = {
    "anonymous": 302,
    "coordinator": 200,
    "district": 200,
    "leadership": 200,
    "enterprise": 404,
    "liaison": 404,
    "expert": 404,
}

ENTRIES = {
    "dashboard:index": ("get", None, DASH),
    "dashboard:export_xlsx": ("get", None, DASH),
    "dashboard:export_pdf": ("get", None, DASH),
}
