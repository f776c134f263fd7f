"""Permission-matrix fragment for a need's files (drawings, specifications): whoever sees the need sees
its files; outside that scope every file URL is 404. Uploading and deleting are the need's handlers'
(coordinator, its enterprise, the district staff who submitted it); others in scope get 302 + a message."""

from __future__ import annotations

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")
SCOPED = dict.fromkeys(ROLES[2:], (200, 404)) | {"coordinator": (200, 200), "anonymous": (302, 302)}
SCOPED_POST = dict.fromkeys(ROLES[2:], (302, 404)) | {"coordinator": (302, 302), "anonymous": (302, 302)}
# the same own/other needs as the need pages (test_permission_matrix.OBJECTS["need"])
OBJECTS = {
    "need_attachment": {
        "coordinator": ("conf_ent", "secret_ent2"),
        "district": ("pub_zone", "conf_ent"),
        "enterprise": ("conf_ent", "pub_laoshan"),
        "liaison": ("pub_laixi", "conf_ent"),
        "expert": ("pub_laixi", "secret_ent2"),
        "leadership": ("pub_laoshan", "secret_ent2"),
        "anonymous": ("pub_laixi", "conf_ent"),
    }
}
ENTRIES = {
    "needs:attachment_add": ("post", "need", SCOPED_POST),
    "needs:attachment": ("get", "need_attachment", SCOPED),
    "needs:attachment_delete": ("post", "need_attachment", SCOPED_POST),
}
POST_DATA = {"needs:attachment_delete": {"confirmed": "yes"}}


def build(world) -> None:
    from django.core.files.base import ContentFile

    from kechuang.needs.models import NeedAttachment

    world.extra["need_attachment"] = {
        key: NeedAttachment.objects.create(need=need, name="图纸.pdf", file=ContentFile(b"%PDF-1.4", name="d.pdf"))
        for key, need in world.needs.items()
    }
