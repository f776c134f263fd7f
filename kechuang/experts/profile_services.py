"""Writes behind the profile pages (outside the admin): an expert's own profile, publications and
patents, retiring experts and achievements, and service teams. One transaction and one audit entry
each; the audit entries are the profile's history (``profile_selectors.history``).

Matching hears about every change through its signals (``kechuang.matching.signals``: a saved expert,
publication, patent or achievement marks its index stale) — nothing here calls matching directly.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.models import Role
from kechuang.core.access import restrict
from kechuang.core.audit import audit
from kechuang.core.errors import ApplicationError
from kechuang.experts.models import Achievement, Expert, Patent, Publication, ServiceTeam
from kechuang.experts.selectors import societies_for
from kechuang.experts.services import can_maintain_library

# what an expert keeps on their own profile (name, societies and affiliation stay with the liaison)
PROFILE_FIELDS = ("title", "phone", "email", "region", "availability", "bio", "fields", "keywords")


def can_edit_profile(user, expert: Expert) -> bool:
    """The expert themself, its society's liaison, a coordinator."""
    if not user.is_authenticated or not restrict(Expert.objects.filter(pk=expert.pk), user).exists():
        return False
    if user.is_coordinator:
        return True
    if user.role == Role.EXPERT:
        return user.expert_id == expert.pk
    return user.role == Role.LIAISON and expert.societies.filter(pk=user.organisation_id).exists()


def can_maintain_expert(user, expert: Expert) -> bool:
    """Edit the society fields and retire: a coordinator or the liaison of one of the expert's societies."""
    return (
        can_maintain_library(user)
        and restrict(Expert.objects.filter(pk=expert.pk), user).exists()
        and (user.is_coordinator or expert.societies.filter(pk=user.organisation_id).exists())
    )


def _check_profile(user, expert) -> Expert:
    if not can_edit_profile(user, expert):
        raise ApplicationError(_("您无权修改该专家档案。"))
    return Expert.objects.select_for_update().get(pk=expert.pk)


@transaction.atomic
def expert_profile_update(*, user, expert: Expert, data: dict) -> tuple[Expert, dict]:
    """Set the profile fields to exactly what the form says; returns ``{field: {from, to}}`` (empty:
    nothing changed, nothing written — not even ``updated_at``)."""
    expert = _check_profile(user, expert)
    if expert.retired_at:
        raise ApplicationError(_("该专家已退出，不能修改档案。"))
    changes = {}
    for k in PROFILE_FIELDS:
        if k not in data:
            continue
        new = data[k] if data[k] is not None else ""
        if getattr(expert, k) != new:
            changes[k] = {"from": getattr(expert, k), "to": new}
            setattr(expert, k, new)
    if changes:
        expert.save()
        audit(user, "expert.profile_update", expert, changes)
    return expert, changes


@transaction.atomic
def profile_publication_add(*, user, expert: Expert, data: dict) -> tuple[Publication, bool]:
    """``services.publication_add`` for whoever may edit the profile (the same title twice: unchanged)."""
    from kechuang.experts.services import publication_add

    expert = _check_profile(user, expert)
    return publication_add(user=user, expert=expert, data=data)


@transaction.atomic
def profile_patent_add(*, user, expert: Expert, data: dict) -> tuple[Patent, bool]:
    from kechuang.experts.services import patent_add

    expert = _check_profile(user, expert)
    return patent_add(user=user, expert=expert, data=data)


@transaction.atomic
def publication_remove(*, user, expert: Expert, pk: int) -> None:
    expert = _check_profile(user, expert)
    pub = Publication.objects.filter(expert=expert, pk=pk).first()
    if pub is None:
        raise ApplicationError(_("找不到该论文。"))
    audit(user, "publication.delete", pub, {"expert": expert.pk, "title": pub.title})
    pub.delete()


@transaction.atomic
def patent_remove(*, user, expert: Expert, pk: int) -> None:
    expert = _check_profile(user, expert)
    pat = Patent.objects.filter(expert=expert, pk=pk).first()
    if pat is None:
        raise ApplicationError(_("找不到该专利。"))
    audit(user, "patent.delete", pat, {"expert": expert.pk, "title": pat.title, "number": pat.number})
    pat.delete()


@transaction.atomic
def expert_retire(*, user, expert: Expert, retire: bool = True) -> Expert:
    """Soft: the expert stays (history, past matches, agreements) but is marked retired and unavailable."""
    if not can_maintain_expert(user, expert):
        raise ApplicationError(_("您无权让该专家退出。"))
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if bool(expert.retired_at) == retire:
        return expert
    before = {"retired_at": expert.retired_at, "availability": expert.availability}
    if retire:
        expert.retired_at = timezone.now()
        expert.availability = Expert.Availability.UNAVAILABLE
    else:
        expert.retired_at = None
    expert.save()
    audit(user, "expert.retire" if retire else "expert.reinstate", expert, {"from": before})
    return expert


@transaction.atomic
def achievement_retire(*, user, achievement: Achievement, retire: bool = True) -> Achievement:
    if (
        not can_maintain_library(user)
        or not societies_for(user).filter(pk=achievement.owner_society_id).exists()
    ):
        raise ApplicationError(_("只能维护您所在学会的成果。"))
    a = Achievement.objects.select_for_update().get(pk=achievement.pk)
    if bool(a.retired_at) == retire:
        return a
    a.retired_at = timezone.now() if retire else None
    a.save()
    audit(user, "achievement.retire" if retire else "achievement.reinstate", a, {})
    return a


# ---------------------------------------------------------------- service teams


def _check_team_societies(user, societies) -> None:
    allowed = set(societies_for(user).values_list("pk", flat=True))
    if not societies or any(s.pk not in allowed for s in societies):
        raise ApplicationError(
            _("只能选择您所在的学会。"), field_errors={"societies": [_("只能选择您所在的学会。")]}
        )


def _check_team_experts(experts, societies) -> None:
    pks = {s.pk for s in societies}
    strays = [e.name for e in experts if not any(s.pk in pks for s in e.societies.all())]
    if strays:
        raise ApplicationError(
            _("专家须属于服务团的学会：%(n)s") % {"n": "、".join(strays)},
            field_errors={"experts": [_("请选择所选学会的专家。")]},
        )


TEAM_FIELDS = ("name", "theme", "target_city")
TEAM_M2M = ("societies", "experts", "chains")


@transaction.atomic
def service_team_save(*, user, data: dict, team: ServiceTeam | None = None) -> tuple[ServiceTeam, dict]:
    """Create (``team`` None) or update a service team of the user's societies."""
    if not can_maintain_library(user):
        raise ApplicationError(_("您的角色不能维护科技服务团。"))
    chosen = list(data.get("societies") or [])
    _check_team_societies(user, chosen)
    if team is not None:
        if not restrict(ServiceTeam.objects.filter(pk=team.pk), user).exists():
            raise ApplicationError(_("您无权修改该服务团。"))
        team = ServiceTeam.objects.select_for_update().get(pk=team.pk)
        mine = set(societies_for(user).values_list("pk", flat=True))
        # a liaison keeps the other societies of a shared team as they are
        chosen += [s for s in team.societies.all() if s.pk not in mine]
        others = [e for e in team.experts.all() if not any(s.pk in mine for s in e.societies.all())]
        data = data | {"experts": list(data.get("experts") or []) + others}
    data = data | {"societies": chosen}
    _check_team_experts(list(data.get("experts") or []), chosen)
    changes: dict = {}
    if team is None:
        team = ServiceTeam.objects.create(**{k: data.get(k) or "" for k in TEAM_FIELDS})
        changes = {k: data.get(k) or "" for k in TEAM_FIELDS}
        for k in TEAM_M2M:
            getattr(team, k).set(data.get(k) or [])
            changes[k] = [o.pk for o in data.get(k) or []]
        audit(user, "service_team.create", team, changes)
        return team, changes
    for k in TEAM_FIELDS:
        new = data.get(k) or ""
        if getattr(team, k) != new:
            changes[k] = {"from": getattr(team, k), "to": new}
            setattr(team, k, new)
    for k in TEAM_M2M:
        old = set(getattr(team, k).values_list("pk", flat=True))
        new = {o.pk for o in data.get(k) or []}
        if old != new:
            changes[k] = {"added": sorted(new - old), "removed": sorted(old - new)}
            getattr(team, k).set(data.get(k) or [])
    if changes:
        team.save()
        audit(user, "service_team.update", team, changes)
    return team, changes


@transaction.atomic
def service_team_retire(*, user, team: ServiceTeam, retire: bool = True) -> ServiceTeam:
    if not can_maintain_library(user) or not restrict(ServiceTeam.objects.filter(pk=team.pk), user).exists():
        raise ApplicationError(_("您无权修改该服务团。"))
    team = ServiceTeam.objects.select_for_update().get(pk=team.pk)
    if bool(team.retired_at) != retire:
        team.retired_at = timezone.now() if retire else None
        team.save()
        audit(user, "service_team.retire" if retire else "service_team.reinstate", team, {})
    return team
