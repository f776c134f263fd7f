"""Every write of the experts app: one transaction, one audit entry.

The library (experts with publications and patents, achievements) is kept by coordinators and, for
their own society, liaisons: the forms offer only that society and the services check again.

The contact request workflow (an enterprise asks to get in touch with an expert outside events,
routed through the society's liaison) is data: ``CONTACT_TRANSITIONS`` says which status may follow
which and who ("enterprise", "liaison", "expert") may take the step; the UI shows exactly the steps
``allowed_contact_steps`` returns.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _

from kechuang.accounts.models import Role
from kechuang.core.access import restrict
from kechuang.core.audit import audit, record_many
from kechuang.core.errors import ApplicationError
from kechuang.core.signals import bulk_written
from kechuang.experts.models import Achievement, ContactRequest, Expert, Patent, Publication
from kechuang.experts.selectors import societies_for
from kechuang.orgs.models import Organisation

CS = ContactRequest.Status
# from status -> {to status: who may take the step}
CONTACT_TRANSITIONS: dict[str, dict[str, str]] = {
    CS.PENDING: {CS.FORWARDED: "liaison", CS.DECLINED: "liaison", CS.WITHDRAWN: "enterprise"},
    CS.FORWARDED: {CS.ACCEPTED: "expert", CS.DECLINED_BY_EXPERT: "expert", CS.WITHDRAWN: "enterprise"},
    CS.ACCEPTED: {},
    CS.DECLINED_BY_EXPERT: {},
    CS.DECLINED: {},
    CS.WITHDRAWN: {},
}
# steps that must say why
NOTE_REQUIRED = {CS.DECLINED}
MESSAGE_MAX = 1000


def contact_step_labels() -> dict[str, str]:
    return {
        CS.FORWARDED: _("转交专家"),
        CS.DECLINED: _("不予转交"),
        CS.WITHDRAWN: _("撤回请求"),
        CS.ACCEPTED: _("同意对接"),
        CS.DECLINED_BY_EXPERT: _("暂不对接"),
    }


def _acts_as(user, req: ContactRequest) -> set[str]:
    """The parts ``user`` plays in ``req``: the asking enterprise, the routing liaison, the expert."""
    parts = set()
    if user.role == Role.ENTERPRISE and user.organisation_id == req.enterprise_id:
        parts.add("enterprise")
    if user.is_coordinator or (user.role == Role.LIAISON and user.organisation_id == req.society_id):
        parts.add("liaison")
    if user.role == Role.EXPERT and user.expert_id == req.expert_id:
        parts.add("expert")
    return parts


def allowed_contact_steps(user, req: ContactRequest) -> list[str]:
    """The statuses ``user`` may move ``req`` to now."""
    parts = _acts_as(user, req)
    return [to for to, who in CONTACT_TRANSITIONS.get(req.status, {}).items() if who in parts]


def can_request_contact(user, expert: Expert | None = None) -> bool:
    """Enterprise contacts ask for contact (the expert must be in a society whose liaison routes it)."""
    if user.role != Role.ENTERPRISE or not user.organisation_id:
        return False
    return expert is None or expert.societies.filter(kind="society").exists()


def contact_needs(user):
    """The needs an enterprise may tie a request to: its own (as far as it may see them)."""
    from kechuang.needs.models import Need

    if user.role != Role.ENTERPRISE or not user.organisation_id:
        return Need.objects.none()
    return restrict(Need.objects.filter(enterprise_id=user.organisation_id), user).order_by("-created_at")


def _routing_society(expert: Expert):
    """The society whose liaison routes requests to ``expert``: one with a liaison account first."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef

    liaisons = get_user_model().objects.filter(organisation=OuterRef("pk"), role=Role.LIAISON, is_active=True)
    return (
        expert.societies.filter(kind="society")
        .annotate(has_liaison=Exists(liaisons))
        .order_by("-has_liaison", "pk")
        .first()
    )


@transaction.atomic
def contact_request_create(*, user, expert: Expert, message: str, need=None) -> ContactRequest:
    """An enterprise asks to get in touch with ``expert``; the request waits for the society's liaison."""
    if not can_request_contact(user):
        raise ApplicationError(_("只有企业联系人可以请求对接专家。"))
    if not restrict(Expert.objects.filter(pk=expert.pk), user).exists():
        raise ApplicationError(_("找不到该专家。"))
    society = _routing_society(expert)
    if society is None:
        raise ApplicationError(_("该专家未加入学会，暂不能经学会联络员请求对接。"))
    message = (message or "").strip()
    if not message:
        raise ApplicationError(_("请写明对接事由。"), field_errors={"message": [_("请写明对接事由。")]})
    if len(message) > MESSAGE_MAX:
        raise ApplicationError(
            ngettext("留言过长，请控制在 %(n)s 字以内。", "留言过长，请控制在 %(n)s 字以内。", MESSAGE_MAX) % {"n": MESSAGE_MAX},
            field_errors={"message": [_("留言过长。")]},
        )
    if need is not None and not contact_needs(user).filter(pk=need.pk).exists():
        raise ApplicationError(
            _("只能选择本企业的需求。"), field_errors={"need": [_("只能选择本企业的需求。")]}
        )
    open_exists = ContactRequest.objects.filter(
        enterprise_id=user.organisation_id, expert=expert, status__in=ContactRequest.OPEN
    ).exists()
    if open_exists:
        raise ApplicationError(_("您已向该专家提出对接请求，正在处理中，请勿重复提交。"))
    try:
        with transaction.atomic():
            req = ContactRequest.objects.create(
                enterprise_id=user.organisation_id,
                expert=expert,
                society=society,
                need=need,
                message=message,
                requested_by=user,
            )
    except IntegrityError as exc:  # a second click racing the first
        raise ApplicationError(_("您已向该专家提出对接请求，正在处理中，请勿重复提交。")) from exc
    audit(
        user,
        "contact_request.create",
        req,
        {"expert": expert.pk, "society": society.pk, "need": need.pk if need else None},
    )
    return req


@transaction.atomic
def contact_request_transition(
    *, user, req: ContactRequest, to_status: str, note: str = ""
) -> ContactRequest:
    """Move ``req`` one step (forward / decline by the liaison, accept / decline by the expert,
    withdraw by the enterprise), recording who and why."""
    req = ContactRequest.objects.select_for_update().get(pk=req.pk)
    if to_status not in allowed_contact_steps(user, req):
        raise ApplicationError(_("该请求当前为“%(s)s”，您不能进行此操作。") % {"s": req.get_status_display()})
    note = (note or "").strip()
    if to_status in NOTE_REQUIRED and not note:
        raise ApplicationError(_("请填写不予转交的原因。"), field_errors={"note": [_("请填写原因。")]})
    now = timezone.now()
    old = req.status
    who = CONTACT_TRANSITIONS[old][to_status]
    req.status = to_status
    if who == "liaison":
        req.liaison_note, req.handled_by, req.handled_at = note, user, now
    elif who == "expert":
        req.expert_note, req.answered_at = note, now
    req.save()
    audit(user, "contact_request.transition", req, {"from": old, "to": to_status, "note": note})
    return req


@transaction.atomic
def expert_contact_consent(*, user, expert: Expert, contact_public: bool) -> Expert:
    """The expert (or its society's liaison, or a coordinator) sets whether enterprises may see the
    expert's phone and e-mail on the profile."""
    if not can_edit_contact_consent(user, expert):
        raise ApplicationError(_("您不能修改该专家的联系方式公开设置。"))
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if expert.contact_public != contact_public:
        expert.contact_public = contact_public
        expert.save(update_fields=["contact_public", "updated_at"])
        audit(user, "expert.contact_consent", expert, {"contact_public": contact_public})
    return expert


def can_edit_contact_consent(user, expert: Expert) -> bool:
    if user.is_coordinator:
        return True
    if user.role == Role.EXPERT and user.expert_id == expert.pk:
        return True
    return (
        user.role == Role.LIAISON
        and bool(user.organisation_id)
        and expert.societies.filter(pk=user.organisation_id).exists()
    )


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


def _check_societies(user, societies, allowed: set | None = None) -> None:
    if allowed is None:
        allowed = set(societies_for(user).values_list("pk", flat=True))
    if not societies or any(s.pk not in allowed for s in societies):
        raise ApplicationError(
            gettext("只能把专家放入您所在的学会。"), field_errors={"societies": [gettext("只能选择您所在的学会。")]}
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
        raise ApplicationError(gettext("您的角色不能新增专家。"))
    societies = list(data.get("societies") or [])
    _check_societies(user, societies)
    affiliation, _ = affiliation_for(user, data.get("affiliation_name", ""))
    expert = expert_new(data=data, affiliation=affiliation)
    expert.save(force_insert=True)
    expert.societies.set(societies)
    audit(user, "expert.create", expert, expert._created)
    return expert


def expert_new(*, data: dict, affiliation: Organisation | None) -> Expert:
    """The expert ``expert_create`` would create, not saved yet (``expert_create_many`` saves a list).

    ``affiliation`` is ``affiliation_for(user, data["affiliation_name"])``'s organisation. The
    societies and the audit entry's changes ride along on the instance."""
    societies = list(data.get("societies") or [])
    expert = Expert(affiliation=affiliation, **_fields_of(data))
    expert._societies = societies
    expert._created = _fields_of(data) | {
        "societies": [s.pk for s in societies],
        "affiliation": getattr(affiliation, "pk", None),
    }
    return expert


@transaction.atomic
def expert_create_many(*, user, experts: list[Expert]) -> list[ApplicationError | None]:
    """``expert_create`` for many experts at once (an Excel import): the same checks, the same rows.

    ``experts`` come from ``expert_new``. Each is checked as ``expert_create`` checks it (the user's
    societies asked once); the ones that pass are inserted in batches with their society links and
    one ``expert.create`` audit entry each, and ``bulk_written`` tells the dashboard and the matching
    index (``bulk_create`` sends neither ``post_save`` nor ``m2m_changed``). Returns, for each expert,
    the refusal ``expert_create`` would have raised, or None when it was saved (pk set).
    """
    if not can_maintain_library(user):
        raise ApplicationError(gettext("您的角色不能新增专家。"))
    allowed = set(societies_for(user).values_list("pk", flat=True))
    refusals: list[ApplicationError | None] = []
    for e in experts:
        try:
            _check_societies(user, e._societies, allowed)
        except ApplicationError as exc:
            refusals.append(exc)
        else:
            refusals.append(None)
    ok = [e for e, r in zip(experts, refusals, strict=True) if r is None]
    if not ok:
        return refusals
    Expert.objects.bulk_create(ok, batch_size=BULK_BATCH)
    through = Expert.societies.through
    through.objects.bulk_create(
        [through(expert_id=e.pk, organisation_id=s.pk) for e in ok for s in dict.fromkeys(e._societies)],
        batch_size=BULK_BATCH,
    )
    record_many(user, "expert.create", [(e, e._created) for e in ok])
    bulk_written.send(sender=Expert, objs=ok)
    return refusals


BULK_BATCH = 500


@transaction.atomic
def expert_update(*, user, expert: Expert, data: dict) -> tuple[Expert, dict]:
    """Change what differs (blank values keep what is there); societies in ``data`` are added, never removed."""
    from kechuang.core.access import restrict

    if not can_maintain_library(user) or not restrict(Expert.objects.filter(pk=expert.pk), user).exists():
        raise ApplicationError(gettext("您无权修改该专家。"))
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


def _publication_new(expert: Expert, data: dict) -> Publication:
    return Publication(
        expert=expert,
        title=data["title"],
        abstract=data.get("abstract") or "",
        venue=data.get("venue") or "",
        year=data.get("year"),
    )


def _patent_new(expert: Expert, data: dict) -> Patent:
    return Patent(
        expert=expert,
        title=data["title"],
        number=(data.get("number") or "").strip(),
        abstract=data.get("abstract") or "",
        year=data.get("year"),
    )


def _same_publication(p: Publication, data: dict) -> bool:
    return _norm_title(p.title) == _norm_title(data["title"])


def _same_patent(p: Patent, data: dict) -> bool:
    number = (data.get("number") or "").strip()
    return bool(number and p.number == number) or _norm_title(p.title) == _norm_title(data["title"])


@transaction.atomic
def publication_add(*, user, expert: Expert, data: dict) -> tuple[Publication, bool]:
    """Add a publication unless the expert already has one with the same title (then: unchanged)."""
    for p in expert.publications.all():
        if _same_publication(p, data):
            return p, False
    pub = _publication_new(expert, data)
    pub.save(force_insert=True)
    audit(user, "publication.create", pub, {"expert": expert.pk, "title": pub.title})
    return pub, True


@transaction.atomic
def patent_add(*, user, expert: Expert, data: dict) -> tuple[Patent, bool]:
    for p in expert.patents.all():
        if _same_patent(p, data):
            return p, False
    pat = _patent_new(expert, data)
    pat.save(force_insert=True)
    audit(user, "patent.create", pat, {"expert": expert.pk, "title": pat.title, "number": pat.number})
    return pat, True


def _add_many(user, model, items, *, same, new, changes) -> list[tuple[object, bool]]:
    """``publication_add``/``patent_add`` for ``items`` ((expert, data), in file order) at once: each
    expert's records asked in one query for the list, a record added earlier in the list counts as
    existing for the rows after it (as the one-by-one calls see it), the new ones inserted in batches
    with one audit entry each; ``bulk_written`` as ``post_save`` would. Returns (record, created) each."""
    have: dict[int, list] = {}
    for p in model.objects.filter(expert_id__in={e.pk for e, _data in items}):  # the model's ordering, as .all()
        have.setdefault(p.expert_id, []).append(p)
    out, created = [], []
    for expert, data in items:
        mine = have.setdefault(expert.pk, [])
        found = next((p for p in mine if same(p, data)), None)
        if found is not None:
            out.append((found, False))
            continue
        obj = new(expert, data)
        mine.append(obj)
        created.append(obj)
        out.append((obj, True))
    if created:
        model.objects.bulk_create(created, batch_size=BULK_BATCH)
        record_many(user, f"{model._meta.model_name}.create", [(o, changes(o)) for o in created])
        bulk_written.send(sender=model, objs=created)
    return out


@transaction.atomic
def publication_add_many(*, user, items: list[tuple[Expert, dict]]) -> list[tuple[Publication, bool]]:
    """``publication_add`` for each (expert, row data) of an import, in one go (see ``_add_many``)."""
    return _add_many(
        user, Publication, items, same=_same_publication, new=_publication_new,
        changes=lambda p: {"expert": p.expert_id, "title": p.title},
    )


@transaction.atomic
def patent_add_many(*, user, items: list[tuple[Expert, dict]]) -> list[tuple[Patent, bool]]:
    """``patent_add`` for each (expert, row data) of an import, in one go (see ``_add_many``)."""
    return _add_many(
        user, Patent, items, same=_same_patent, new=_patent_new,
        changes=lambda p: {"expert": p.expert_id, "title": p.title, "number": p.number},
    )


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
        why = gettext("该学会没有这位专家") if not found else gettext("该学会有多位同名专家")
        raise ApplicationError(
            gettext("完成专家“%(name)s”：%(why)s。") % {"name": name, "why": why}, field_errors={"owner_expert_name": [gettext("%(why)s，请核对。") % {"why": why}]}
        )
    return found[0]


@transaction.atomic
def achievement_save(*, user, data: dict, achievement: Achievement | None = None) -> tuple[Achievement, dict]:
    """Create (``achievement`` None) or update an achievement of one of the user's societies."""
    if not can_maintain_library(user):
        raise ApplicationError(gettext("您的角色不能维护科技成果。"))
    society = data.get("owner_society")
    if society is None or not societies_for(user).filter(pk=society.pk).exists():
        raise ApplicationError(
            gettext("只能维护您所在学会的成果。"), field_errors={"owner_society": [gettext("只能选择您所在的学会。")]}
        )
    values = {k: data[k] for k in ACHIEVEMENT_FIELDS if k in data}
    values["owner_expert"] = _owner_expert(society, data.get("owner_expert_name", ""))
    if achievement is None:
        a = Achievement.objects.create(**values)
        audit(user, "achievement.create", a, values)
        return a, values
    a = Achievement.objects.select_for_update().get(pk=achievement.pk)
    if not societies_for(user).filter(pk=a.owner_society_id).exists():
        raise ApplicationError(gettext("只能维护您所在学会的成果。"))
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
