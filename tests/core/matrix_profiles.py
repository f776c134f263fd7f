"""Permission-matrix fragment for the profile pages outside the admin (issue 10): experts,
achievements and service teams kept by coordinators and liaisons, an expert's own profile, and
organisations / the chain taxonomy kept by coordinators (organisations also by district staff).

A role that may not keep something gets 404 (fail closed), as does an object outside the scope."""

from __future__ import annotations

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")
SIGNED_IN = ROLES[1:]

OBJECTS = {
    "team": dict.fromkeys(ROLES, ("own", "other")),
    "chain": dict.fromkeys(ROLES, ("own", "other")),
    "publication": dict.fromkeys(ROLES, ("own", "other")),
    "patent": dict.fromkeys(ROLES, ("own", "other")),
}


def only(codes: dict, default):
    """``codes`` for the named roles, ``default`` for the other signed-in roles, the login redirect for
    anonymous (a pair when the entry has own/other objects)."""
    anon = (302, 302) if isinstance(default, tuple) else 302
    return {"anonymous": anon} | {r: codes.get(r, default) for r in SIGNED_IN}


KEEPERS_GET = only({"coordinator": 200, "liaison": 200}, 404)
KEEPERS_OBJ_GET = only({"coordinator": (200, 200), "liaison": (200, 404)}, (404, 404))
KEEPERS_OBJ_POST = only({"coordinator": (302, 302), "liaison": (302, 404)}, (404, 404))
PROFILE_GET = only({"coordinator": (200, 200), "liaison": (200, 404), "expert": (200, 404)}, (404, 404))
PROFILE_POST = only({"coordinator": (302, 302), "liaison": (302, 404), "expert": (302, 404)}, (404, 404))

ENTRIES = {
    "experts:create": ("get", None, KEEPERS_GET),
    "experts:edit": ("get", "expert", KEEPERS_OBJ_GET),
    "experts:retire": ("post", "expert", KEEPERS_OBJ_POST),
    "experts:my_profile": ("get", None, only({"expert": 302}, 404)),
    "experts:profile_edit": ("get", "expert", PROFILE_GET),
    "experts:publication_add": ("post", "expert", PROFILE_POST),
    "experts:patent_add": ("post", "expert", PROFILE_POST),
    "experts:publication_remove": ("post", "publication", PROFILE_POST),
    "experts:patent_remove": ("post", "patent", PROFILE_POST),
    "experts:achievement_create": ("get", None, KEEPERS_GET),
    "experts:achievement_edit": ("get", "achievement", KEEPERS_OBJ_GET),
    "experts:achievement_retire": ("post", "achievement", KEEPERS_OBJ_POST),
    "experts:teams": ("get", None, KEEPERS_GET),
    "experts:team_create": ("get", None, KEEPERS_GET),
    "experts:team_edit": ("get", "team", KEEPERS_OBJ_GET),
    "experts:team_retire": ("post", "team", KEEPERS_OBJ_POST),
    "orgs:create": ("get", None, only({"coordinator": 200, "district": 200}, 404)),
    "orgs:edit": ("get", "org", only({"coordinator": (200, 200), "district": (200, 404)}, (404, 404))),
    "orgs:chains": ("get", None, only({"coordinator": 200}, 404)),
    "orgs:chain_create": ("get", None, only({"coordinator": 200}, 404)),
    "orgs:chain_edit": ("get", "chain", only({"coordinator": (200, 200)}, (404, 404))),
}

POST_DATA = {
    "experts:publication_add": {"pub-title": "矩阵测试论文"},
    "experts:patent_add": {"pat-title": "矩阵测试专利"},
}


def build(world):
    from kechuang.experts.models import Patent, Publication, ServiceTeam

    own = ServiceTeam.objects.create(name="材料服务团", theme="散热")
    own.societies.add(world.orgs["soc"])
    own.experts.add(world.experts["own"])
    other = ServiceTeam.objects.create(name="农机服务团")
    other.societies.add(world.orgs["soc2"])
    world.extra["team"] = {"own": own, "other": other}
    world.extra["chain"] = {"own": world.chains["materials"], "other": world.chains["agri"]}

    def with_args(obj):
        obj.url_args = [obj.expert_id, obj.pk]
        return obj

    world.extra["publication"] = {
        "own": with_args(Publication.objects.create(expert=world.experts["own"], title="石墨烯论文")),
        "other": with_args(Publication.objects.create(expert=world.experts["other"], title="农机论文")),
    }
    world.extra["patent"] = {
        "own": with_args(Patent.objects.create(expert=world.experts["own"], title="散热专利")),
        "other": with_args(Patent.objects.create(expert=world.experts["other"], title="农机专利")),
    }
