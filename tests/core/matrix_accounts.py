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
    # password reset by e-mail: open to everyone (signed in or not); the link's token decides
    "accounts:password_reset": ("get", None, dict.fromkeys(ROLES, 200)),
    "accounts:password_reset_done": ("get", None, dict.fromkeys(ROLES, 200)),
    # own = a valid link (→ 302 to the set-password form, the token kept in the session);
    # other = a forged token (200: the page says the link is invalid, nothing else)
    "accounts:password_reset_confirm": ("get", "reset_link", dict.fromkeys(ROLES, (302, 200))),
    "accounts:password_reset_complete": ("get", None, dict.fromkeys(ROLES, 200)),
}
OBJECTS = {"reset_link": dict.fromkeys(ROLES, ("valid", "forged"))}


def build(world) -> None:
    from types import SimpleNamespace

    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from kechuang.accounts.models import User

    # a user nobody logs in as in the matrix (a login changes last_login, which ends the token)
    user = User.objects.create_user("forgetful", password="pw-test-123", role="enterprise",
                                    organisation=world.orgs["ent"], email="forgetful@example.org")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    world.extra["reset_link"] = {
        "valid": SimpleNamespace(pk=None, url_args=[uid, default_token_generator.make_token(user)]),
        "forged": SimpleNamespace(pk=None, url_args=[uid, "cz3a4b-0123456789abcdef0123456789abcdef"]),
    }
