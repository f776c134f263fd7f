"""Permission-matrix fragment for the experts app: contact requests and the contact consent."""

from __future__ import annotations

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")
ALL = dict.fromkeys(ROLES[1:], 200) | {"anonymous": 302}

OBJECTS = {"contactrequest": dict.fromkeys(ROLES, ("own", "other"))}

# POSTs on an expert in scope come back to the profile (302, refused with a message when the role may
# not do it); an expert outside the scope is 404.
ON_EXPERT = {
    "coordinator": (302, 302),
    "district": (302, 302),
    "enterprise": (302, 302),
    "liaison": (302, 404),
    "expert": (302, 404),
    "leadership": (302, 302),
    "anonymous": (302, 302),
}

ENTRIES = {
    "experts:contact_request": ("post", "expert", ON_EXPERT),
    "experts:contact_consent": ("post", "expert", ON_EXPERT),
    "experts:requests": ("get", None, ALL),
    "experts:request_step": (
        "post",
        "contactrequest",
        {
            "coordinator": (302, 302),
            "district": (404, 404),
            "enterprise": (302, 404),
            "liaison": (302, 404),
            "expert": (302, 404),
            "leadership": (404, 404),
            "anonymous": (302, 302),
        },
    ),
}

POST_DATA = {"experts:request_step": {"to_status": "accepted"}}


def build(world):
    from django.utils import timezone

    from kechuang.experts.models import ContactRequest

    coord = world.users["coordinator"]
    world.extra.setdefault("contactrequest", {})
    # the world's enterprise asked the world's expert; the liaison of its society forwarded it and the
    # expert accepted (closed, so the enterprise may ask again: the corpus's baseline goes through)
    world.extra["contactrequest"]["own"] = ContactRequest.objects.create(
        enterprise=world.orgs["ent"],
        expert=world.experts["own"],
        society=world.orgs["soc"],
        message="想请教石墨烯散热方案",
        requested_by=world.users["enterprise"],
        status=ContactRequest.Status.ACCEPTED,
        handled_by=world.users["liaison"],
        handled_at=timezone.now(),
    )
    # another enterprise asked another society's expert: nobody of the world's roles but coordinators
    world.extra["contactrequest"]["other"] = ContactRequest.objects.create(
        enterprise=world.orgs["ent2"],
        expert=world.experts["other"],
        society=world.orgs["soc2"],
        message="农机维修",
        requested_by=coord,
    )
