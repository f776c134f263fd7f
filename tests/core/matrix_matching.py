"""Permission-matrix entries of the matching app (loaded by tests/core/test_permission_matrix.py).

Suggestions and decisions are for coordinators only (404 for everyone else, even the enterprise that
owns the need). Respond: only the expert the accepted match was routed to (need ``pub_laixi``);
for the expert's "other" need (``secret_ent2``, coordinators only) the need itself is a 404.
"""

from __future__ import annotations

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")
COORD_ONLY = dict.fromkeys(ROLES, (404, 404)) | {"anonymous": (302, 302)}

ENTRIES = {
    "matching:suggestions": ("get", "need", COORD_ONLY | {"coordinator": (200, 200)}),
    "matching:decide": ("post", "need", COORD_ONLY | {"coordinator": (302, 302)}),
    "matching:record": ("post", "need", COORD_ONLY | {"coordinator": (302, 302)}),
    "matching:undo": ("post", "need", COORD_ONLY | {"coordinator": (302, 302)}),
    # docs/benchmarks.md rendered: public figures, any signed-in user
    "matching:benchmarks": ("get", None, dict.fromkeys(ROLES, 200) | {"anonymous": 302}),
    "matching:respond": ("post", "need", COORD_ONLY | {"expert": (302, 404)}),
    "matching:inbox": ("get", None, dict.fromkeys(ROLES, 200) | {"anonymous": 302}),
    "matching:expert_needs": (
        "get",
        "expert",
        {
            "coordinator": (200, 200),
            "district": (200, 200),
            "enterprise": (200, 200),  # its own needs that may suit an expert it may browse
            "liaison": (200, 404),
            "expert": (200, 404),
            "leadership": (200, 200),
            "anonymous": (302, 302),
        },
    ),
    "matching:achievement_needs": (
        "get",
        "achievement",
        {
            "coordinator": (200, 200),
            "district": (200, 200),
            "enterprise": (200, 200),
            "liaison": (200, 404),
            "expert": (200, 404),
            "leadership": (200, 200),
            "anonymous": (302, 302),
        },
    ),
    # API: suggestions need the need to be visible (full list for coordinators, accepted ones otherwise)
    "api:matching_need_suggestions": (
        "get",
        "need",
        {
            "coordinator": (200, 200),
            "district": (200, 404),
            "enterprise": (200, 404),
            "liaison": (200, 404),
            "expert": (200, 404),
            "leadership": (200, 404),
            "anonymous": (401, 401),
        },
    ),
    "api:matching_expert_needs": (
        "get",
        "expert",
        {
            "coordinator": (200, 200),
            "district": (200, 200),
            "enterprise": (200, 200),  # its own needs that may suit an expert it may browse
            "liaison": (200, 404),
            "expert": (200, 404),
            "leadership": (200, 200),
            "anonymous": (401, 401),
        },
    ),
}

# filled by build(): the POST bodies name objects of the test world
POST_DATA = {
    "matching:decide": {"kind": "expert", "decision": "accept"},
    "matching:record": {},
    "matching:undo": {"match": "0"},  # no such match: refused with a message, nothing written
    "matching:respond": {"response": "interested"},
}


def build(world) -> None:
    from kechuang.matching.models import Match

    expert = world.experts["own"]
    POST_DATA["matching:decide"]["candidate"] = expert.pk
    match = Match.objects.create(
        need=world.needs["pub_laixi"],
        kind="expert",
        expert=expert,
        status="accepted",
        routed_to_user=world.users["expert"],
    )
    POST_DATA["matching:respond"]["match"] = match.pk
    world.extra.setdefault("match", {})["routed"] = match
