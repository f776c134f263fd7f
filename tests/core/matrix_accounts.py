"""Permission-matrix fragment for the sign-in security pages (accounts)."""

from __future__ import annotations

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")
ALL = dict.fromkeys(ROLES[1:], 200) | {"anonymous": 302}
COORDINATOR_ONLY = dict.fromkeys(ROLES[2:], 404) | {"coordinator": 200, "anonymous": 302}

ENTRIES = {
    "accounts:password_change": ("get", None, ALL),
    # with KECHUANG_REQUIRE_2FA off (tests) and no device, verification has nothing to ask:
    # coordinators are sent on to enrolment, everyone else to where they were going
    "accounts:otp_verify": ("get", None, dict.fromkeys(ROLES, 302)),
    "accounts:otp_setup": ("get", None, COORDINATOR_ONLY),
    "accounts:recovery_codes": ("get", None, COORDINATOR_ONLY),
    "accounts:lockouts": ("get", None, COORDINATOR_ONLY),
}
