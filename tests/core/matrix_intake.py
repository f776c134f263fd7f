"""Permission-matrix fragment for the Excel import pages.

The import page and templates exist for the roles that may import some kind; a batch is seen by
its uploader and by coordinators (404 for everyone else); only the uploader can commit it.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.core.files.base import ContentFile

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")

OBJECTS = {
    "intake_kind": dict.fromkeys(ROLES, ("needs", "needs")),
    # "other" is a batch uploaded by someone else (the enterprise's, or for the enterprise the district's)
    "intake_batch": {r: (r, "enterprise") for r in ROLES}
    | {"enterprise": ("enterprise", "district"), "anonymous": ("coordinator", "enterprise")},
}


def build(world):
    from kechuang.intake.models import ImportBatch

    world.extra["intake_kind"] = {"needs": SimpleNamespace(pk="needs")}
    batches = {}
    owners = {r: world.users[r] for r in ROLES[1:]}
    for key, user in owners.items():
        b = ImportBatch(
            user=user,
            kind="needs",
            filename=f"{key}.xlsx",
            size=10,
            status="invalid",
            report={"summary": "共 1 行", "errors": [], "results": []},
        )
        b.file.save(f"{key}.xlsx", ContentFile(b"x"), save=False)
        b.save()
        batches[key] = b
    world.extra["intake_batch"] = batches


IMPORTERS = {
    "anonymous": 302,
    "coordinator": 200,
    "district": 200,
    "enterprise": 200,
    "liaison": 200,
    "expert": 404,
    "leadership": 404,
}
NEEDS_IMPORTERS = IMPORTERS | {"liaison": 404}  # liaisons import experts and achievements, not needs

ENTRIES = {
    "intake:home": ("get", None, IMPORTERS),
    "intake:template": ("get", "intake_kind", {r: (c, c) for r, c in NEEDS_IMPORTERS.items()}),
    "intake:batch": (
        "get",
        "intake_batch",
        {
            "anonymous": (302, 302),
            "coordinator": (200, 200),
            "district": (200, 404),
            "enterprise": (200, 404),
            "liaison": (200, 404),
            "expert": (200, 404),
            "leadership": (200, 404),
        },
    ),
    # own batch: the refusal ("not checked") is flashed and the page redirects; another's batch is 404,
    # except for coordinators, who see it but are refused the commit (302 with a message)
    "intake:commit": (
        "post",
        "intake_batch",
        {
            "anonymous": (302, 302),
            "coordinator": (302, 302),
            "district": (302, 404),
            "enterprise": (302, 404),
            "liaison": (302, 404),
            "expert": (302, 404),
            "leadership": (302, 404),
        },
    ),
}
