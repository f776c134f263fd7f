"""Every write of the experts app: one transaction, one audit entry.

The contact request workflow (an enterprise asks to get in touch with an expert outside events,
routed through the society's liaison) is data: ``CONTACT_TRANSITIONS`` says which status may follow
which and who ("enterprise", "liaison", "expert") may take the step; the UI shows exactly the steps
``allowed_contact_steps`` returns.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.models import Role
from kechuang.core.access import restrict
from kechuang.core.audit import audit
from kechuang.core.errors import ApplicationError
from kechuang.experts.models import ContactRequest, Expert

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
            _("留言过长，请控制在 %(n)s 字以内。") % {"n": MESSAGE_MAX},
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
