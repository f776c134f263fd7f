"""Permission-matrix fragment for onboarding: sign-up, the review queue, invitations and their links.

The sign-up and invitation-link pages are public (anonymous 200; a signed-in user is sent home from
the sign-up). The queue is for coordinators and district staff (a sign-up of another district is
404 to them); invitations for coordinators and liaisons (another society's invitation is 404).
"""

from __future__ import annotations

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")
SIGNED_IN = ROLES[1:]

OBJECTS = {
    "signup": dict.fromkeys(ROLES, ("own", "other")),
    "invitation": dict.fromkeys(ROLES, ("own", "other")),
    # own: a pending link; other: a link already used (410, a clear page)
    "invite_link": dict.fromkeys(ROLES, ("own", "other")),
}


def _only(codes: dict, default):
    return {"anonymous": 302} | {r: codes.get(r, default) for r in SIGNED_IN}


ENTRIES = {
    "onboarding:signup": ("get", None, dict.fromkeys(SIGNED_IN, 302) | {"anonymous": 200}),
    "onboarding:signup_done": ("get", None, dict.fromkeys(ROLES, 200)),
    "onboarding:signups": ("get", None, _only({"coordinator": 200, "district": 200}, 404)),
    "onboarding:signup_detail": (
        "get",
        "signup",
        _only({"coordinator": (200, 200), "district": (200, 404)}, (404, 404)) | {"anonymous": (302, 302)},
    ),
    "onboarding:signup_approve": (
        "post",
        "signup",
        _only({"coordinator": (302, 302), "district": (302, 404)}, (404, 404)) | {"anonymous": (302, 302)},
    ),
    "onboarding:signup_reject": (
        "post",
        "signup",
        _only({"coordinator": (302, 302), "district": (302, 404)}, (404, 404)) | {"anonymous": (302, 302)},
    ),
    "onboarding:invitations": ("get", None, _only({"coordinator": 200, "liaison": 200}, 404)),
    "onboarding:invitation_create": ("get", None, _only({"coordinator": 200, "liaison": 200}, 404)),
    "onboarding:invitation_resend": (
        "post",
        "invitation",
        _only({"coordinator": (302, 302), "liaison": (302, 404)}, (404, 404)) | {"anonymous": (302, 302)},
    ),
    "onboarding:invitation_revoke": (
        "post",
        "invitation",
        _only({"coordinator": (302, 302), "liaison": (302, 404)}, (404, 404)) | {"anonymous": (302, 302)},
    ),
    "onboarding:accept": ("get", "invite_link", dict.fromkeys(ROLES, (200, 410))),
}

POST_DATA = {"onboarding:signup_reject": {"reason": "资料不全"}}


def build(world):
    from kechuang.experts.models import Expert
    from kechuang.onboarding import services
    from kechuang.onboarding.models import SignupApplication
    from kechuang.orgs.validators import check_character

    def code(body):
        return body + check_character(body)

    def signup(name, body, area, username):
        return SignupApplication.objects.create(
            company_name=name,
            credit_code=code(body),
            district=area,
            contact_name="联系人",
            contact_phone="13800000000",
            contact_email=f"{username}@example.com",
            username=username,
            password_hash="!",
        )

    world.extra["signup"] = {
        "own": signup("莱西申请企业有限公司", "91370285MA3C4K7X1", world.areas["laixi-zone"], "apply-laixi"),
        "other": signup("崂山申请企业有限公司", "91370212MA3C4K7X2", world.areas["laoshan"], "apply-laoshan"),
    }
    fresh = Expert.objects.create(name="待邀专家", title="教授")
    fresh.societies.add(world.orgs["soc"])
    own, _ = services.invitation_create(
        user=world.users["liaison"],
        data={"role": "expert", "email": "e@x.example", "display_name": "待邀专家", "expert": fresh},
    )
    other, _ = services.invitation_create(
        user=world.users["coordinator"],
        data={
            "role": "liaison",
            "email": "l@x.example",
            "display_name": "联络员",
            "organisation": world.orgs["soc2"],
        },
    )
    world.extra["invitation"] = {"own": own, "other": other}

    class Link:
        def __init__(self, token):
            self.pk, self.url_args = 0, [token]

    _i, pending = services.invitation_create(
        user=world.users["coordinator"],
        data={
            "role": "district",
            "email": "d@x.example",
            "display_name": "区员",
            "area": world.areas["laoshan"],
        },
    )
    _j, used = services.invitation_create(
        user=world.users["coordinator"],
        data={
            "role": "district",
            "email": "d2@x.example",
            "display_name": "区员二",
            "area": world.areas["laoshan"],
        },
    )
    services.invitation_accept(token=used, username="used-invite", password="Matrix-Used-2026!")
    world.extra["invite_link"] = {"own": Link(pending), "other": Link(used)}
