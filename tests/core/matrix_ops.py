"""Permission-matrix fragment for operations: /healthz answers everyone (probes carry no session);
long jobs start where the page they replace is visible (same 404s) and belong to their owner alone."""

from __future__ import annotations

import uuid

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")
START = dict.fromkeys(ROLES, 302)  # signed in: to the job's page; anonymous: to the login page
BRIEFING = dict.fromkeys(("enterprise", "liaison", "expert"), 404) | dict.fromkeys(
    ("anonymous", "coordinator", "district", "leadership"), 302
)
OWN_JOB = dict.fromkeys(ROLES[1:], (200, 404)) | {"anonymous": (302, 302)}

OBJECTS = {
    "job": {r: (r, "enterprise" if r == "coordinator" else "coordinator") for r in ROLES[1:]}
    | {"anonymous": ("coordinator", "enterprise")},
}

ENTRIES = {
    "ops:healthz": ("get", None, dict.fromkeys(ROLES, 200)),
    "ops:start_agendas": ("post", "mm_event", START),
    "ops:start_grid": ("post", "mm_event", START),
    "ops:start_briefing": ("post", None, BRIEFING),
    "ops:job": ("get", "job", OWN_JOB),
    "ops:job_status": ("get", "job", OWN_JOB),
    "ops:job_download": ("get", "job", OWN_JOB),
}


def build(world) -> None:
    from django.core.files.base import ContentFile

    from kechuang.ops.models import Job

    jobs = {}
    for role in ROLES[1:]:
        job = Job(id=uuid.uuid4(), kind=Job.Kind.BRIEFING_PDF, user=world.users[role], status=Job.Status.DONE,
                  progress=100, filename="briefing.pdf", content_type="application/pdf")
        job.file.save("briefing.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
        job.save()
        jobs[role] = job
    world.extra["job"] = jobs
