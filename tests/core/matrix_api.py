"""Permission-matrix fragment for the JSON API's resources and the personal-token page.

Reads answer 401 without a session or token and 404 outside the caller's scope (the same rules as the
pages). The writes' scope needs a JSON body, which the matrix's form posts do not send: here they show
401 for anonymous and 400 (a body that is not JSON) for everyone else; tests/api/test_api_writes.py covers each
write per role with real bodies (404 outside scope, 403 not allowed, 409 conflicts).
"""

from __future__ import annotations

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")
LIST = dict.fromkeys(ROLES[1:], 200) | {"anonymous": 401}
NEEDS_EVENT = dict.fromkeys(ROLES[1:], 422) | {"anonymous": 401}  # ?event= is required
BODY = dict.fromkeys(ROLES[1:], 400) | {"anonymous": 401}
SCOPED = dict.fromkeys(("district", "enterprise", "liaison", "expert"), (200, 404)) | {
    "coordinator": (200, 200),
    "leadership": (200, 200),
    "anonymous": (401, 401),
}
ON_NEED = dict.fromkeys(ROLES[1:], (400, 400)) | {"anonymous": (401, 401)}
OWN_OTHER = dict.fromkeys(ROLES, ("own", "other"))
OBJECTS = {"api_match": OWN_OTHER, "api_token": OWN_OTHER, "api_path": OWN_OTHER}

ENTRIES = {
    "api:need_submit": ("post", None, BODY),
    "api:need_update": ("patch", "need", dict.fromkeys(ROLES[1:], (422, 422)) | {"anonymous": (401, 401)}),
    "api:need_transition": ("post", "need", ON_NEED),
    "api:organisation_list": ("get", None, LIST),
    "api:organisation_get": (
        "get",
        "org",
        {
            "coordinator": (200, 200),
            "district": (200, 404),
            "enterprise": (200, 404),
            "liaison": (200, 404),
            "expert": (200, 404),
            "leadership": (200, 200),
            "anonymous": (401, 401),
        },
    ),
    "api:achievement_list": ("get", None, LIST),
    "api:achievement_get": (
        "get",
        "achievement",
        {
            "coordinator": (200, 200),
            "district": (200, 200),
            "enterprise": (200, 200),
            "liaison": (200, 404),
            "expert": (200, 404),
            "leadership": (200, 200),
            "anonymous": (401, 401),
        },
    ),
    "api:match_list": ("get", None, LIST),
    # own: an accepted match (an achievement) of 领军集团's public need routed to the expert "own";
    # other: a suggestion (a society) for the coordinators-only need of 崂山
    "api:match_get": (
        "get",
        "api_match",
        {
            "coordinator": (200, 200),
            "district": (404, 404),
            "enterprise": (200, 404),
            "liaison": (404, 404),
            "expert": (200, 404),
            "leadership": (404, 404),
            "anonymous": (401, 401),
        },
    ),
    "api:match_decide": ("post", None, BODY),
    "api:event_list": ("get", None, LIST),
    "api:event_get": ("get", "mm_event", dict.fromkeys(ROLES[1:], 200) | {"anonymous": 401}),
    "api:meeting_request_list": ("get", None, NEEDS_EVENT),
    "api:meeting_request_get": ("get", "mm_request", SCOPED),
    "api:meeting_request_create": ("post", None, BODY),
    "api:meeting_request_answer": ("post", "mm_request", ON_NEED),
    "api:meeting_list": ("get", None, NEEDS_EVENT),
    "api:meeting_get": ("get", "mm_meeting", SCOPED),
    "api:visit_list": ("get", None, LIST),
    "api:visit_get": ("get", "visit", SCOPED),
    "api:agreement_list": ("get", None, LIST),
    "api:agreement_get": ("get", "agreement", SCOPED),
    # any other path under /api/: a JSON 404 (401 before that without credentials)
    "api:_no_such_path": ("get", "api_path", dict.fromkeys(ROLES[1:], (404, 404)) | {"anonymous": (401, 401)}),
    # the personal token page: every signed-in user has one; revoking another's token is a 404
    "apitokens:list": ("get", None, dict.fromkeys(ROLES[1:], 200) | {"anonymous": 302}),
    "apitokens:revoke": (
        "post",
        "api_token",
        dict.fromkeys(ROLES, (302, 302)),  # back to the page; someone else's token: "不存在", unchanged
    ),
}


def build(world) -> None:
    from types import SimpleNamespace

    from kechuang.api.tokens import token_create
    from kechuang.matching.models import Match

    w = world
    own = Match.objects.create(
        need=w.needs["pub_laixi"],
        kind="achievement",
        achievement=w.achievements["own"],
        status="accepted",
        routed_to_user=w.users["expert"],
    )
    other = Match.objects.create(need=w.needs["secret_ent2"], kind="society", society=w.orgs["soc2"])
    w.extra["api_match"] = {"own": own, "other": other}
    # "own" is any role's token in the check below only by key; revoking is scoped to the caller
    w.extra["api_path"] = {
        "own": SimpleNamespace(pk=None, url_args=["nowhere"]),
        "other": SimpleNamespace(pk=None, url_args=["needs/x/y"]),
    }
    w.extra["api_token"] = {
        "own": token_create(user=w.users["coordinator"], name="矩阵令牌")[0],
        "other": token_create(user=w.users["leadership"], name="别人的令牌")[0],
    }
