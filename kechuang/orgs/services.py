"""Writes to organisations: one transaction, one audit entry, the changed fields recorded."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from kechuang.accounts.models import Role
from kechuang.core.access import restrict
from kechuang.core.audit import audit
from kechuang.core.errors import ApplicationError
from kechuang.orgs.models import Organisation

FIELDS = ("name", "short_name", "kind", "credit_code", "district", "chain", "description")


def can_maintain(user) -> bool:
    """Coordinators keep every organisation; district staff their area's enterprises."""
    return user.is_coordinator or user.role == Role.DISTRICT


def _check_scope(user, data: dict) -> None:
    if user.is_coordinator:
        return
    if user.role != Role.DISTRICT:
        raise ApplicationError(gettext("您的角色不能维护单位信息。"))
    if data.get("kind") != Organisation.Kind.ENTERPRISE:
        raise ApplicationError(gettext("区（市）工作人员只能维护企业。"), field_errors={"kind": [gettext("只能选择“企业”。")]})
    district = data.get("district")
    if district is None or district.pk not in user.area_ids():
        raise ApplicationError(gettext("只能维护本辖区的企业。"), field_errors={"district": [gettext("请选择本辖区。")]})


def _check_unique(data: dict, pk=None) -> None:
    others = Organisation.objects.exclude(pk=pk)
    if others.filter(name=data["name"]).exists():
        raise ApplicationError(gettext("已有同名单位。"), field_errors={"name": [gettext("已有同名单位，请核对是否重复。")]})
    code = data.get("credit_code")
    if code and others.filter(credit_code=code).exists():
        raise ApplicationError(
            gettext("该统一社会信用代码已属于另一家单位。"),
            field_errors={"credit_code": [gettext("该代码已被另一家单位使用。")]},
        )


@transaction.atomic
def organisation_create(*, user, data: dict) -> Organisation:
    if not can_maintain(user):
        raise ApplicationError(gettext("您的角色不能新增单位。"))
    _check_scope(user, data)
    _check_unique(data)
    org = Organisation.objects.create(
        **{k: data.get(k) or ("" if k not in ("district", "chain") else None) for k in FIELDS}
    )
    audit(user, "organisation.create", org, {k: data.get(k) for k in FIELDS})
    return org


@transaction.atomic
def organisation_update(*, user, org: Organisation, data: dict) -> tuple[Organisation, dict]:
    """Change what differs; returns the organisation and ``{field: {from, to}}`` (empty: nothing changed)."""
    if not restrict(Organisation.objects.filter(pk=org.pk), user).exists() or not can_maintain(user):
        raise ApplicationError(gettext("您无权修改该单位。"))
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    merged = {k: data.get(k, getattr(org, k)) for k in FIELDS}
    _check_scope(user, merged)
    _check_unique(merged, pk=org.pk)
    changes = {}
    for k in FIELDS:
        new = merged[k] if merged[k] is not None or k in ("district", "chain") else ""
        if getattr(org, k) != new:
            changes[k] = {"from": getattr(org, k), "to": new}
            setattr(org, k, new)
    if changes:
        org.save()
        audit(user, "organisation.update", org, changes)
    return org, changes
