"""Reads behind the profile pages: the history of a profile (its audit entries) and the service teams."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kechuang.core.access import restrict
from kechuang.core.models import AuditEntry
from kechuang.experts.models import Achievement, Expert, ServiceTeam


def history(*, user, obj, limit: int = 50) -> list[AuditEntry]:
    """The changes of ``obj`` (an expert with its publications and patents, an achievement, a team),
    newest first — for a reader who may see ``obj`` (the caller checked that it may edit it)."""
    if not restrict(type(obj)._default_manager.filter(pk=obj.pk), user).exists():
        return []
    q = Q(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    if isinstance(obj, Expert):
        q |= Q(object_type__in=("experts.publication", "experts.patent"), changes__expert=obj.pk)
    return list(AuditEntry.objects.filter(q).order_by("-pk")[:limit])


ACTION_LABELS = {
    "expert.create": _("新增专家"),
    "expert.update": _("修改基本信息"),
    "expert.profile_update": _("修改档案"),
    "expert.retire": pgettext_lazy("expert history action", "退出"),
    "expert.reinstate": _("恢复"),
    "expert.contact_consent": _("联系方式公开设置"),
    "publication.create": _("添加论文"),
    "publication.delete": _("删除论文"),
    "patent.create": _("添加专利"),
    "patent.delete": _("删除专利"),
    "achievement.create": _("新增成果"),
    "achievement.update": _("修改成果"),
    "achievement.retire": _("下架"),
    "achievement.reinstate": _("恢复"),
    "service_team.create": _("新增服务团"),
    "service_team.update": _("修改服务团"),
    "service_team.retire": _("解散"),
    "service_team.reinstate": _("恢复"),
}


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a key that is not a field (expert, via, added…)
        return name


def _choices(model, name: str) -> dict:
    try:
        return {k: str(label) for k, label in model._meta.get_field(name).flatchoices}
    except Exception:
        return {}


def _plain(v) -> str:
    if isinstance(v, list):
        return "、".join(str(x) for x in v) or "—"
    return "—" if v in (None, "") else str(v)


def history_rows(*, user, obj, limit: int = 50) -> list[dict]:
    """``history`` ready for a page: the action and the changed fields in words."""
    rows = []
    for e in history(user=user, obj=obj, limit=limit):
        changes = []
        for k, v in (e.changes or {}).items():
            if k == "expert":
                continue
            if isinstance(v, dict) and "to" in v:
                choices = _choices(type(obj), k)
                old, new = (
                    choices.get(v.get(x), v.get(x)) if isinstance(v.get(x), str) else v.get(x)
                    for x in ("from", "to")
                )
                changes.append(f"{_field_label(type(obj), k)}：{_plain(old)} → {_plain(new)}")
            else:
                changes.append(f"{_field_label(type(obj), k)}：{_plain(v)}")
        rows.append(
            {
                "at": e.at,
                "actor": e.actor_username,
                "action": ACTION_LABELS.get(e.action, e.action),
                "changes": changes,
            }
        )
    return rows


def team_list(*, user, include_retired: bool = False) -> QuerySet[ServiceTeam]:
    qs = restrict(ServiceTeam.objects.all(), user).prefetch_related("societies", "experts", "chains")
    return qs if include_retired else qs.filter(retired_at__isnull=True)


def team_get(*, user, pk: int) -> ServiceTeam:
    return get_object_or_404(team_list(user=user, include_retired=True), pk=pk)


def expert_get(*, user, pk: int) -> Expert:
    return get_object_or_404(restrict(Expert.objects.all(), user), pk=pk)


def achievement_get(*, user, pk: int) -> Achievement:
    return get_object_or_404(restrict(Achievement.objects.all(), user), pk=pk)
