"""Permission-matrix fragment for the follow-up app (visits, diagnoses, agreements, bases)."""

from __future__ import annotations

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")
ALL = dict.fromkeys(ROLES[1:], 200) | {"anonymous": 302}
ONLY = lambda codes: {r: codes.get(r, 404) for r in ROLES[1:]} | {"anonymous": 302}  # noqa: E731

# every role sees its "own" record and not the "other" one, except coordinators and leadership (all)
SCOPED = dict.fromkeys(("district", "enterprise", "liaison", "expert"), (200, 404)) | {
    "coordinator": (200, 200),
    "leadership": (200, 200),
    "anonymous": (302, 302),
}
SCOPED_POST = dict.fromkeys(("district", "enterprise", "liaison", "expert"), (302, 404)) | {
    "coordinator": (302, 302),
    "leadership": (302, 302),
    "anonymous": (302, 302),
}
OWN_OTHER = dict.fromkeys(ROLES, ("own", "other"))
OBJECTS = dict.fromkeys(("visit", "stop", "agreement", "milestone", "attachment", "base"), OWN_OTHER)

ENTRIES = {
    "followup:visits": ("get", None, ALL),
    "followup:visit_create": ("get", None, ONLY({"coordinator": 200, "district": 200})),
    "followup:visit_detail": ("get", "visit", SCOPED),
    "followup:diagnosis": ("post", "stop", SCOPED_POST),
    "followup:finding_to_need": ("post", "stop", SCOPED_POST),
    "followup:agreements": ("get", None, ALL),
    "followup:agreement_create": ("get", None, ONLY({"coordinator": 200, "district": 200})),
    "followup:agreement_detail": ("get", "agreement", SCOPED),
    "followup:attachment_add": ("post", "agreement", SCOPED_POST),
    "followup:attachment": ("get", "attachment", SCOPED),
    "followup:milestone_done": ("post", "milestone", SCOPED_POST),
    "followup:bases": ("get", None, ALL),
    "followup:base_create": ("get", None, ONLY({"coordinator": 200})),
    "followup:base_detail": ("get", "base", SCOPED),
    "followup:base_service_add": ("post", "base", SCOPED_POST),
    "followup:city_events": ("get", None, ALL),
    "followup:stalled": ("get", None, ALL),
}
POST_DATA = {
    "followup:diagnosis": {
        "findings": "烧结温场不均，批次一致性差。",
        "recommendations": "多点测温",
        "urgency": "high",
    },
    "followup:milestone_done": {"done": "1"},
    "followup:base_service_add": {"date": "2026-06-01", "kind": "event", "title": "技术沙龙活动"},
}


def build(world) -> None:
    """own = 莱西 / 材料学会 / 领军集团 / expert "own"; other = 崂山 / 农机学会 / ent2 / expert "other"."""
    from datetime import date

    from django.core.files.base import ContentFile

    from kechuang.followup.models import Agreement, AgreementAttachment, Base, Milestone, Visit, VisitStop

    w = world
    x = w.extra
    own_soc, other_soc = w.orgs["soc"], w.orgs["soc2"]
    for key, area, soc, ent, expert in (
        ("own", "laixi", own_soc, w.orgs["ent"], w.experts["own"]),
        ("other", "laoshan", other_soc, w.orgs["ent2"], w.experts["other"]),
    ):
        v = Visit.objects.create(title=f"走访{key}", date=date(2026, 3, 5), district=w.areas[area])
        v.societies.set([soc])
        v.experts.set([expert])
        s = VisitStop.objects.create(
            visit=v,
            enterprise=ent,
            minutes=60,
            findings="发现的问题描述足够长。",
            recommendations="建议",
            urgency="low",
        )
        a = Agreement.objects.create(
            title=f"协议{key}", kind="tech_service", amount=10, signed=date(2026, 3, 20)
        )
        a.parties.set([soc, ent])
        a.experts.set([expert])
        m = Milestone.objects.create(agreement=a, title="里程碑", due=date(2026, 9, 1))
        att = AgreementAttachment.objects.create(
            agreement=a, name="协议.pdf", file=ContentFile(b"%PDF", name="a.pdf")
        )
        b = Base.objects.create(
            kind="transfer_base",
            name=f"基地{key}",
            society=soc,
            host=ent,
            district=w.areas[area],
            unveiled=date(2026, 3, 20),
        )
        for kind, obj in (
            ("visit", v),
            ("stop", s),
            ("agreement", a),
            ("milestone", m),
            ("attachment", att),
            ("base", b),
        ):
            x.setdefault(kind, {})[key] = obj
