"""Writes to a society's library: experts (with publications and patents) and achievements.

One transaction per operation, an audit entry with the changed fields; liaisons write only into
their own society (the forms offer only it, and the services check again).
"""

from __future__ import annotations

import re

from django.db import transaction

from kechuang.accounts.models import Role
from kechuang.core.audit import audit
from kechuang.core.errors import ApplicationError
from kechuang.orgs.models import Organisation

from .forms import societies_for
from .models import Achievement, Expert, Patent, Publication

EXPERT_FIELDS = (
    "name",
    "gender",
    "title",
    "phone",
    "email",
    "region",
    "availability",
    "bio",
    "fields",
    "keywords",
)


def can_maintain_library(user) -> bool:
    """Coordinators keep every society's library; a liaison its own society's."""
    return user.is_coordinator or (user.role == Role.LIAISON and bool(user.organisation_id))


def _check_societies(user, societies) -> None:
    allowed = set(societies_for(user).values_list("pk", flat=True))
    if not societies or any(s.pk not in allowed for s in societies):
        raise ApplicationError(
            "只能把专家放入您所在的学会。", field_errors={"societies": ["只能选择您所在的学会。"]}
        )


UNIVERSITY = re.compile(r"(大学|学院|学校)$")
INSTITUTE = re.compile(r"(研究院|研究所|科学院|研究中心|实验室)")


def affiliation_for(user, name: str) -> tuple[Organisation | None, bool]:
    """The organisation called ``name``, created (kind guessed from the name) when the platform lacks it."""
    if not name:
        return None, False
    org = Organisation.objects.filter(name=name).first()
    if org is not None:
        return org, False
    kind = (
        Organisation.Kind.UNIVERSITY
        if UNIVERSITY.search(name)
        else Organisation.Kind.INSTITUTE
        if INSTITUTE.search(name)
        else Organisation.Kind.ENTERPRISE
    )
    org = Organisation.objects.create(name=name, kind=kind)
    audit(user, "organisation.create", org, {"name": name, "kind": kind, "via": "expert affiliation"})
    return org, True


def _fields_of(data: dict) -> dict:
    have = {f.name for f in Expert._meta.get_fields()}
    return {k: data[k] for k in EXPERT_FIELDS if k in data and k in have}


@transaction.atomic
def expert_create(*, user, data: dict) -> Expert:
    if not can_maintain_library(user):
        raise ApplicationError("您的角色不能新增专家。")
    societies = list(data.get("societies") or [])
    _check_societies(user, societies)
    affiliation, _ = affiliation_for(user, data.get("affiliation_name", ""))
    expert = Expert.objects.create(affiliation=affiliation, **_fields_of(data))
    expert.societies.set(societies)
    audit(
        user,
        "expert.create",
        expert,
        _fields_of(data)
        | {"societies": [s.pk for s in societies], "affiliation": getattr(affiliation, "pk", None)},
    )
    return expert


@transaction.atomic
def expert_update(*, user, expert: Expert, data: dict) -> tuple[Expert, dict]:
    """Change what differs (blank values keep what is there); societies in ``data`` are added, never removed."""
    from kechuang.core.access import restrict

    if not can_maintain_library(user) or not restrict(Expert.objects.filter(pk=expert.pk), user).exists():
        raise ApplicationError("您无权修改该专家。")
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    changes = {}
    for k, v in _fields_of(data).items():
        if v in ("", None, []):
            continue
        if getattr(expert, k) != v:
            changes[k] = {"from": getattr(expert, k), "to": v}
            setattr(expert, k, v)
    name = data.get("affiliation_name")
    if name and getattr(expert.affiliation, "name", None) != name:
        org, _ = affiliation_for(user, name)
        changes["affiliation"] = {"from": getattr(expert.affiliation, "name", None), "to": name}
        expert.affiliation = org
    new = [
        s
        for s in data.get("societies") or []
        if s.pk not in set(expert.societies.values_list("pk", flat=True))
    ]
    if new:
        _check_societies(user, new)
        expert.societies.add(*new)
        changes["societies"] = {"added": [s.name for s in new]}
    if changes:
        expert.save()
        audit(user, "expert.update", expert, changes)
    return expert, changes


def _norm_title(text: str) -> str:
    return re.sub(r"\W+", "", text or "").lower()


@transaction.atomic
def publication_add(*, user, expert: Expert, data: dict) -> tuple[Publication, bool]:
    """Add a publication unless the expert already has one with the same title (then: unchanged)."""
    for p in expert.publications.all():
        if _norm_title(p.title) == _norm_title(data["title"]):
            return p, False
    pub = Publication.objects.create(
        expert=expert,
        title=data["title"],
        abstract=data.get("abstract") or "",
        venue=data.get("venue") or "",
        year=data.get("year"),
    )
    audit(user, "publication.create", pub, {"expert": expert.pk, "title": pub.title})
    return pub, True


@transaction.atomic
def patent_add(*, user, expert: Expert, data: dict) -> tuple[Patent, bool]:
    number = (data.get("number") or "").strip()
    for p in expert.patents.all():
        if (number and p.number == number) or _norm_title(p.title) == _norm_title(data["title"]):
            return p, False
    pat = Patent.objects.create(
        expert=expert,
        title=data["title"],
        number=number,
        abstract=data.get("abstract") or "",
        year=data.get("year"),
    )
    audit(user, "patent.create", pat, {"expert": expert.pk, "title": pat.title, "number": number})
    return pat, True


ACHIEVEMENT_FIELDS = (
    "title",
    "owner_society",
    "owner_expert",
    "description",
    "maturity",
    "transfer_mode",
    "ip",
    "chain",
    "fields",
)


def _owner_expert(society, name: str):
    if not name:
        return None
    found = list(Expert.objects.filter(name=name, societies=society)[:2])
    if len(found) != 1:
        why = "该学会没有这位专家" if not found else "该学会有多位同名专家"
        raise ApplicationError(
            f"完成专家“{name}”：{why}。", field_errors={"owner_expert_name": [f"{why}，请核对。"]}
        )
    return found[0]


@transaction.atomic
def achievement_save(*, user, data: dict, achievement: Achievement | None = None) -> tuple[Achievement, dict]:
    """Create (``achievement`` None) or update an achievement of one of the user's societies."""
    if not can_maintain_library(user):
        raise ApplicationError("您的角色不能维护科技成果。")
    society = data.get("owner_society")
    if society is None or not societies_for(user).filter(pk=society.pk).exists():
        raise ApplicationError(
            "只能维护您所在学会的成果。", field_errors={"owner_society": ["只能选择您所在的学会。"]}
        )
    values = {k: data[k] for k in ACHIEVEMENT_FIELDS if k in data}
    values["owner_expert"] = _owner_expert(society, data.get("owner_expert_name", ""))
    if achievement is None:
        a = Achievement.objects.create(**values)
        audit(user, "achievement.create", a, values)
        return a, values
    a = Achievement.objects.select_for_update().get(pk=achievement.pk)
    if not societies_for(user).filter(pk=a.owner_society_id).exists():
        raise ApplicationError("只能维护您所在学会的成果。")
    changes = {}
    for k, v in values.items():
        if v in ("", None, []) and k != "owner_expert":
            continue
        if k == "owner_expert" and v is None:
            continue
        if getattr(a, k) != v:
            changes[k] = {"from": getattr(a, k), "to": v}
            setattr(a, k, v)
    if changes:
        a.save()
        audit(user, "achievement.update", a, changes)
    return a, changes
