"""Permission-matrix fragment for the notification centre: everyone reads and marks their own
notifications; someone else's is a 404 (not 403), like anything outside a user's scope."""

from __future__ import annotations

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")
ALL = dict.fromkeys(ROLES[1:], 200) | {"anonymous": 302}
OWN_OTHER_GET = dict.fromkeys(ROLES[1:], (302, 404)) | {"anonymous": (302, 302)}  # own: read, then its link

ENTRIES = {
    "notifications:list": ("get", None, ALL),
    "notifications:settings": ("get", None, ALL),
    "notifications:open": ("get", "notification", OWN_OTHER_GET),
    "notifications:read": ("post", "notification", OWN_OTHER_GET),
    "notifications:read_all": ("post", None, dict.fromkeys(ROLES, 302)),
}
OBJECTS = {"notification": {role: (f"own_{role}", "other") for role in ROLES} | {
    "anonymous": ("own_coordinator", "other")
}}


def build(world) -> None:
    from kechuang.accounts.models import User
    from kechuang.notifications.kinds import Kind
    from kechuang.notifications.models import Notification

    bystander = User.objects.create_user("bystander", password="pw-test-123", role="enterprise",
                                         organisation=world.orgs["ent2"])
    need = world.needs["secret_ent2"]
    objs = {"other": Notification.objects.create(recipient=bystander, kind=Kind.NEED_REVIEWED, need=need,
                                                 link=f"/needs/{need.pk}/")}
    for role, user in world.users.items():
        objs[f"own_{role}"] = Notification.objects.create(
            recipient=user, kind=Kind.NEED_REVIEWED, need=world.needs["pub_laixi"], link="/needs/"
        )
    world.extra["notification"] = objs
