"""Every write to a need: one transaction, one audit entry, full status history."""

from __future__ import annotations

import contextlib
import threading
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from kechuang.accounts.models import Role
from kechuang.core.access import restrict
from kechuang.core.audit import audit, record_many, record_view
from kechuang.core.bulk import insert_many
from kechuang.core.errors import ApplicationError
from kechuang.core.signals import bulk_written
from kechuang.core.uploads import check_attachment
from kechuang.needs.models import Need, NeedAttachment, NeedStageFact, NeedStatus, NeedStatusChange
from kechuang.notifications import hooks as notify
from kechuang.orgs.models import Organisation

S = NeedStatus
# The pipeline: submitted → reviewed → matched → met → agreement → delivered/closed.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: (S.REVIEWED, S.RETURNED, S.CLOSED),
    S.RETURNED: (S.SUBMITTED, S.CLOSED),
    S.REVIEWED: (S.MATCHED, S.RETURNED, S.CLOSED),
    S.MATCHED: (S.MET, S.CLOSED),
    S.MET: (S.AGREEMENT, S.CLOSED),
    S.AGREEMENT: (S.DELIVERED, S.CLOSED),
    S.DELIVERED: (S.CLOSED,),
    S.CLOSED: (),
}
TRANSITION_LABELS = {
    S.REVIEWED: gettext_lazy("审核通过"),
    S.RETURNED: gettext_lazy("退回修改"),
    S.SUBMITTED: gettext_lazy("重新提交"),
    S.MATCHED: gettext_lazy("标记为已匹配"),
    S.MET: gettext_lazy("标记为已对接"),
    S.AGREEMENT: gettext_lazy("标记为已签约"),
    S.DELIVERED: gettext_lazy("标记为已交付"),
    S.CLOSED: gettext_lazy("关闭需求"),
}

FIELDS = (
    "title",
    "kind",
    "chain",
    "district",
    "background",
    "problem",
    "goal",
    "keywords",
    "budget_min",
    "budget_max",
    "deadline",
    "contact_name",
    "contact_phone",
    "confidentiality",
    "source",
    "major",
)


def allowed_transitions(user, need: Need) -> list[str]:
    """The statuses ``user`` may move ``need`` to now (the UI shows exactly these buttons)."""
    nexts = TRANSITIONS.get(need.status, ())
    if user.is_coordinator:
        return list(nexts)
    if user.role == Role.DISTRICT and need.district_id in user.area_ids():
        return [s for s in nexts if s in (S.REVIEWED, S.RETURNED)]
    if user.role == Role.ENTERPRISE and need.enterprise_id == user.organisation_id:
        return [s for s in nexts if s in (S.SUBMITTED, S.CLOSED) and need.status in S.EDITABLE_BY_ENTERPRISE]
    return []


_facts = threading.local()


@contextlib.contextmanager
def facts_deferred():
    """Rebuild the dashboard stage facts of every need touched in the block once, at its end.

    For bulk writes (an Excel import); use inside the writing transaction so facts and history
    commit together.
    """
    if getattr(_facts, "ids", None) is not None:
        yield
        return
    _facts.ids = set()
    try:
        yield
        ids = _facts.ids
    finally:
        _facts.ids = None
    if ids:
        NeedStageFact.rebuild(sorted(ids))


def _record_step(need: Need, from_status: str, to_status: str, *, at, by, note: str) -> NeedStatusChange:
    """One history row, and the need's dashboard stage facts kept current in the same transaction."""
    step = NeedStatusChange.objects.create(
        need=need, from_status=from_status, to_status=to_status, at=at, by=by, note=note
    )
    pending = getattr(_facts, "ids", None)
    if pending is not None:
        pending.add(need.pk)
    else:
        NeedStageFact.rebuild([need.pk])
    return step


def can_submit(user) -> bool:
    """Enterprises, district staff and coordinators submit needs; other roles never see the form."""
    return user.is_coordinator or user.role in (Role.ENTERPRISE, Role.DISTRICT)


def _submit_refusal(user, data: dict, enterprise: Organisation | None, allowed: set[int] | None = None):
    """Why ``user`` may not submit this need (an ``ApplicationError`` to raise), or None.

    ``allowed``: the enterprise ids ``user`` may submit for, when the caller decided them for many
    needs in one query (``need_submit_many``); otherwise one query here."""
    if enterprise is None or enterprise.kind != Organisation.Kind.ENTERPRISE:
        return ApplicationError(gettext("请选择需求所属企业。"), field_errors={"enterprise": [gettext("请选择需求所属企业。")]})
    if not (
        enterprise.pk in allowed
        if allowed is not None
        else restrict(Organisation.objects.filter(pk=enterprise.pk), user).exists()
    ):
        return ApplicationError(
            gettext("您无权为该企业提交需求。"), field_errors={"enterprise": [gettext("您无权为该企业提交需求。")]}
        )
    bmin, bmax = data.get("budget_min"), data.get("budget_max")
    if bmin is not None and bmax is not None and bmin > bmax:
        return ApplicationError(
            gettext("预算下限不能高于上限。"), field_errors={"budget_max": [gettext("预算上限应不低于下限。")]}
        )
    return None


def need_new(*, user, data: dict, enterprise: Organisation | None = None, now=None) -> Need:
    """The need ``need_submit`` would create, not saved yet (``need_submit_many`` saves a list of them)."""
    if user.role == Role.ENTERPRISE:
        enterprise = user.organisation
    now = now or timezone.now()
    source = data.get("source") or (Need.Source.DISTRICT if user.role == Role.DISTRICT else Need.Source.SELF)
    need = Need(
        enterprise=enterprise,
        submitted_by=user,
        status=S.SUBMITTED,
        status_changed_at=now,
        created_at=now,
        **{k: v for k, v in data.items() if k in FIELDS and k != "source"},
        source=source,
    )
    need._submitted = {k: data.get(k) for k in FIELDS if k in data}  # what the audit entry records
    return need


SUBMIT_NOTE = "提交需求"  # the first history row's note (stored data, in the source language)


@transaction.atomic
def need_submit(*, user, data: dict, enterprise: Organisation | None = None) -> Need:
    """Create a need from validated form data; the first history row is the submission."""
    if user.role == Role.ENTERPRISE:
        enterprise = user.organisation
    if not can_submit(user):
        raise ApplicationError(gettext("您的角色不能提交需求。"))
    if refusal := _submit_refusal(user, data, enterprise):
        raise refusal
    need = need_new(user=user, data=data, enterprise=enterprise)
    need.save(force_insert=True)
    now = need.created_at
    _record_step(need, "", S.SUBMITTED, at=now, by=user, note=SUBMIT_NOTE)
    audit(user, "need.submit", need, need._submitted)
    return need


@transaction.atomic
def need_submit_many(*, user, needs: list[Need]) -> list[ApplicationError | None]:
    """``need_submit`` for many needs at once (an Excel import): the same checks, the same rows.

    ``needs`` come from ``need_new``. Each is checked as ``need_submit`` checks it (the enterprises
    in one query); the ones that pass are inserted in batches with their first history row, their
    dashboard stage facts and one ``need.submit`` audit entry each, and ``bulk_written`` tells the
    dashboard and the matching index (``bulk_create`` sends no ``post_save``). Returns, for each
    need, the refusal that ``need_submit`` would have raised, or None when it was saved (pk set).
    """
    if not can_submit(user):
        raise ApplicationError(gettext("您的角色不能提交需求。"))
    ids = {n.enterprise_id for n in needs if n.enterprise_id is not None}
    allowed = set(restrict(Organisation.objects.filter(pk__in=ids), user).values_list("pk", flat=True))
    refusals = [_submit_refusal(user, n._submitted, n.enterprise, allowed) for n in needs]
    ok = [n for n, r in zip(needs, refusals, strict=True) if r is None]
    if not ok:
        return refusals
    insert_many(ok, returning=True)  # bulk_create's rows and ids, without its per-value compiler (ADR 0041)
    steps = [
        NeedStatusChange(need=n, from_status="", to_status=S.SUBMITTED, at=n.created_at, by=user, note=SUBMIT_NOTE)
        for n in ok
    ]
    insert_many(steps)  # append-only rows whose ids nobody reads here: no insert compiler (ADR 0041)
    pending = getattr(_facts, "ids", None)
    if pending is not None:
        pending.update(n.pk for n in ok)
    else:
        NeedStageFact.rebuild([n.pk for n in ok])
    record_many(user, "need.submit", [(n, n._submitted) for n in ok])
    bulk_written.send(sender=Need, objs=ok)
    bulk_written.send(sender=NeedStatusChange, objs=steps)
    return refusals



@transaction.atomic
def need_transition(*, user, need: Need, to_status: str, note: str = "") -> Need:
    """Move ``need`` one step along the pipeline, recording who, when and why."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    if to_status not in allowed_transitions(user, need):
        raise ApplicationError(
            gettext("不能将需求从“%(label)s”改为“%(value)s”。") % {"label": S(need.status).label, "value": S(to_status).label if to_status in S.values else to_status}
        )
    if to_status == S.RETURNED and not note.strip():
        raise ApplicationError(gettext("退回需求时请填写原因。"), field_errors={"note": [gettext("请填写退回原因。")]})
    now = timezone.now()
    old = need.status
    need.status = to_status
    need.status_changed_at = now
    if to_status == S.REVIEWED and need.owner_id is None and user.is_coordinator:
        need.owner = user
    need.save(update_fields=["status", "status_changed_at", "owner", "updated_at"])
    _record_step(need, old, to_status, at=now, by=user, note=note)
    audit(user, "need.transition", need, {"from": old, "to": to_status, "note": note})
    notify.need_transitioned(user=user, need=need, to_status=to_status, note=note)
    return need


def can_edit(user, need: Need) -> bool:
    """Coordinators may correct any open need; the enterprise edits until review (or after a return)."""
    if need.status == S.CLOSED:
        return False
    if user.is_coordinator:
        return True
    if user.role == Role.ENTERPRISE and need.enterprise_id == user.organisation_id:
        return need.status in S.EDITABLE_BY_ENTERPRISE
    return (
        user.role == Role.DISTRICT
        and need.submitted_by_id == user.pk
        and need.status in S.EDITABLE_BY_ENTERPRISE
    )


@transaction.atomic
def need_update(*, user, need: Need, data: dict, expected_version: int | None = None) -> Need:
    """Edit a need's content (never its status: that is ``need_transition``); the diff is audited.

    ``expected_version`` is the version the editor's form was rendered from: if someone saved in
    between, the second editor is refused instead of silently overwriting the first.
    """
    need = Need.objects.select_for_update().get(pk=need.pk)
    if not can_edit(user, need):
        raise ApplicationError(gettext("当前状态下您不能修改该需求。"))
    if expected_version is not None and expected_version != need.version:
        raise ApplicationError(gettext("该需求已被他人修改，请刷新后重试。"))
    bmin = data.get("budget_min", need.budget_min)
    bmax = data.get("budget_max", need.budget_max)
    if bmin is not None and bmax is not None and bmin > bmax:
        raise ApplicationError(
            gettext("预算下限不能高于上限。"), field_errors={"budget_max": [gettext("预算上限应不低于下限。")]}
        )
    changes = {}
    for k in FIELDS:
        if k in data and k != "source" and getattr(need, k) != data[k]:
            changes[k] = {"from": getattr(need, k), "to": data[k]}
            setattr(need, k, data[k])
    if changes:
        need.version += 1
        need.save()
        audit(user, "need.update", need, changes)
    return need


def need_record_view(*, user, need: Need, via: str = "detail") -> None:
    """Every view of a confidential need is audited (who saw it, when, through what)."""
    if need.is_confidential:
        record_view(user, need, via=via, confidentiality=need.confidentiality)


# ---------------------------------------------------------------- the follow-up owner (跟进负责人)
#
# Who assigns: coordinators any open need; district staff the needs of their own area.
# Who may own: staff who may see the need — coordinators (only a coordinator names one) and district
# staff whose area covers the need's district (a district assigner names staff of their own area).
# A change is one history row (status unchanged, the note names old and new owner) and one audit row.


def can_assign_owner(user, need: Need) -> bool:
    if need.status == S.CLOSED or not user.is_active:
        return False
    if user.is_coordinator:
        return True
    return user.role == Role.DISTRICT and need.district_id in user.area_ids()


def owner_eligible(user, need: Need, owner) -> bool:
    """May ``user`` make ``owner`` the follow-up owner of ``need``? (Both must see the need.)"""
    if owner is None or not owner.is_active:
        return False
    if owner.is_coordinator:
        if not user.is_coordinator:
            return False
    elif owner.role == Role.DISTRICT:
        if need.district_id not in owner.area_ids():
            return False
        if not user.is_coordinator and owner.area_id not in user.area_ids():
            return False
    else:
        return False
    return restrict(Need.objects.filter(pk=need.pk), owner).exists()


def may_assign_owners(user) -> bool:
    """Does ``user`` assign follow-up owners at all (the list's bulk form)?"""
    return user.is_coordinator or (user.role == Role.DISTRICT and bool(user.area_id))


def owner_name(owner) -> str:
    if owner is None:
        return _("未指定")
    return str(owner)  # the name people know (display_name), else the username


def _assign(user, need: Need, owner, *, now) -> bool:
    """Assign one locked need; False when it already had that owner (nothing written)."""
    from kechuang.needs.selectors import need_label

    if not can_assign_owner(user, need):
        raise ApplicationError(_("您不能为需求“%(need)s”指定跟进负责人。") % {"need": need_label(user, need)})
    if not owner_eligible(user, need, owner):
        raise ApplicationError(
            _(
                "“%(owner)s”不能跟进需求“%(need)s”"
                "（跟进负责人须为能查看该需求的协调员或所在地区的区（市）工作人员）。"
            )
            % {"owner": owner_name(owner), "need": need_label(user, need)},
            field_errors={"owner": [_("请选择能跟进该需求的工作人员。")]},
        )
    if need.owner_id == owner.pk:
        return False
    old = need.owner
    need.owner = owner
    need.save(update_fields=["owner", "updated_at"])
    NeedStatusChange.objects.create(
        need=need,
        from_status=need.status,
        to_status=need.status,
        at=now,
        by=user,
        # stored data, in the source language like every history note (not the reader's language)
        note=f"跟进负责人：{str(old) if old else '未指定'} → {owner}",
    )
    audit(
        user,
        "need.assign_owner",
        need,
        {"owner": {"from": old.pk if old else None, "to": owner.pk}, "owner_name": owner_name(owner)},
    )
    return True


@transaction.atomic
def need_assign_owner(*, user, need: Need, owner) -> Need:
    """Make ``owner`` the follow-up owner of ``need`` (history row + audit entry)."""
    need = Need.objects.select_for_update(of=("self",)).select_related("owner").get(pk=need.pk)
    _assign(user, need, owner, now=timezone.now())
    return need


BULK_OWNER_LIMIT = 200


@transaction.atomic
def needs_assign_owner(*, user, needs, owner) -> int:
    """``need_assign_owner`` for many needs at once, all or nothing; returns how many changed."""
    ids = sorted({n.pk for n in needs})
    if not ids:
        raise ApplicationError(_("请先勾选需求。"), field_errors={"needs": [_("请先勾选需求。")]})
    if len(ids) > BULK_OWNER_LIMIT:
        raise ApplicationError(ngettext("一次最多为 %(n)d 项需求指定跟进负责人。", "一次最多为 %(n)d 项需求指定跟进负责人。", BULK_OWNER_LIMIT) % {"n": BULK_OWNER_LIMIT})
    # only needs the user may see are locked and changed; anything else is "not found" to them
    locked = list(
        restrict(Need.objects.filter(pk__in=ids), user).select_for_update(of=("self",)).select_related("owner").order_by("pk")
    )
    if len(locked) != len(ids):
        raise ApplicationError(_("所选需求中有不存在或您无权查看的需求，未做任何修改。"))
    now = timezone.now()
    return sum(_assign(user, n, owner, now=now) for n in locked)


def can_see_contact(user, need: Need) -> bool:
    """The need's contact person and phone reach the people who handle the need — coordinators, the
    enterprise itself, district staff of its area — not experts, liaisons or leadership, who reach the
    enterprise through the coordinator (as with experts' contact details)."""
    if user.is_coordinator:
        return True
    if user.role == Role.ENTERPRISE:
        return need.enterprise_id == user.organisation_id
    return user.role == Role.DISTRICT and need.district_id in user.area_ids()


# --------------------------------------------------------------------------- attachments


def can_attach(user, need: Need) -> bool:
    """Who adds and deletes a need's files (drawings, specifications): coordinators, the need's own
    enterprise, and the district staff who submitted it; never on a closed need."""
    if need.status == S.CLOSED:
        return False
    if user.is_coordinator:
        return True
    if user.role == Role.ENTERPRISE:
        return need.enterprise_id == user.organisation_id
    return user.role == Role.DISTRICT and need.submitted_by_id == user.pk


@transaction.atomic
def need_attachment_add(*, user, need: Need, file, name: str = "") -> NeedAttachment:
    """Attach a file to ``need`` (type, size and content checked like agreement attachments); audited."""
    if not can_attach(user, need):
        raise ApplicationError(gettext("您不能为该需求上传附件。"))
    check_attachment(file)
    max_name = NeedAttachment._meta.get_field("name").max_length
    att = NeedAttachment.objects.create(
        need=need,
        file=file,
        name=((name or "").strip() or PurePath(file.name).name)[:max_name],
        uploaded_by=user,
    )
    audit(user, "need.attachment_add", need, {"attachment": att.pk, "name": att.name, "size": file.size})
    return att


@transaction.atomic
def need_attachment_delete(*, user, attachment: NeedAttachment) -> None:
    """Delete a need's file (the record and the stored file); audited with its name."""
    need = attachment.need
    if not can_attach(user, need):
        raise ApplicationError(gettext("您不能删除该附件。"))
    name, pk = attachment.name, attachment.pk
    storage, path = attachment.file.storage, attachment.file.name
    attachment.delete()
    audit(user, "need.attachment_delete", need, {"attachment": pk, "name": name})
    transaction.on_commit(lambda: storage.delete(path) if path else None)


def need_attachment_record_download(*, user, attachment: NeedAttachment) -> None:
    """A download of a confidential need's file is a view of that need: audited."""
    need = attachment.need
    if need.is_confidential:
        record_view(
            user, need, via="attachment", confidentiality=need.confidentiality,
            attachment=attachment.pk, name=attachment.name,
        )
