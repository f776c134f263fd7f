"""Registration: enterprise representatives with the needs they bring, experts through their
society, and the slots a participant cannot attend."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from kechuang.accounts.models import Role, User
from kechuang.core.access import restrict
from kechuang.core.audit import audit
from kechuang.core.errors import ApplicationError
from kechuang.events.models import Event, Participant
from kechuang.events.services._common import can_act_for, matchmaking_day, require_upcoming, valid_slots
from kechuang.experts.models import Expert
from kechuang.needs.selectors import need_list
from kechuang.orgs.models import Organisation


def can_register_enterprise(user) -> bool:
    """Enterprise contacts (for their enterprise), district staff and coordinators register representatives."""
    return user.is_coordinator or user.role in (Role.ENTERPRISE, Role.DISTRICT)


def can_register_expert(user) -> bool:
    """Society liaisons (for their society's experts) and coordinators register experts."""
    return user.is_coordinator or user.role == Role.LIAISON


@transaction.atomic
def event_register_enterprise(
    *,
    user,
    event: Event,
    name: str,
    organisation: Organisation | None = None,
    position: str = "",
    needs: Sequence = (),
    unavailable_slots: Iterable = (),
) -> Participant:
    """An enterprise representative registers with the needs they bring (only their enterprise's own)."""
    day = matchmaking_day(event)
    require_upcoming(event)
    if not can_register_enterprise(user):
        raise ApplicationError(gettext("您的角色不能为企业报名。"))
    if user.role == Role.ENTERPRISE:
        organisation = user.organisation
    if organisation is None or organisation.kind != Organisation.Kind.ENTERPRISE:
        raise ApplicationError(gettext("请选择参会企业。"))
    if not restrict(Organisation.objects.filter(pk=organisation.pk), user).exists():
        raise ApplicationError(gettext("您无权为该企业报名。"))
    name = (name or "").strip()
    if not name:
        raise ApplicationError(gettext("请填写企业代表姓名。"), field_errors={"name": [gettext("请填写企业代表姓名。")]})
    need_ids = {getattr(n, "pk", n) for n in needs}
    allowed = set(
        need_list(user=user).filter(enterprise=organisation, pk__in=need_ids).values_list("pk", flat=True)
    )
    if need_ids - allowed:
        raise ApplicationError(
            gettext("只能带来本企业自己的需求。"), field_errors={"needs": [gettext("只能选择本企业的需求。")]}
        )
    if not need_ids:
        raise ApplicationError(
            gettext("请至少选择一项会前提交的需求。"), field_errors={"needs": [gettext("请至少选择一项会前提交的需求。")]}
        )
    slots = valid_slots(day, unavailable_slots)
    already = gettext("%(value)s已报名本次对接会。") % {"value": name[:64]}
    registered = Participant.objects.filter(
        event=event, organisation=organisation, name=name[:64], kind=Participant.Kind.ENTERPRISE
    )
    if registered.filter(status=Participant.Status.REGISTERED).exists():
        raise ApplicationError(already)
    try:
        with transaction.atomic():  # the unique index decides between two clicks at the same moment
            p = Participant.objects.create(
                event=event,
                kind=Participant.Kind.ENTERPRISE,
                name=name[:64],
                position=position[:64],
                organisation=organisation,
                user=user if user.role == Role.ENTERPRISE else None,
                unavailable_slots=slots,
                registered_by=user,
            )
    except IntegrityError:
        raise ApplicationError(already) from None
    p.needs.set(sorted(need_ids))
    audit(user, "event.register_enterprise", p, {"event": event.pk, "needs": sorted(need_ids)})
    return p


@transaction.atomic
def event_register_expert(
    *,
    user,
    event: Event,
    expert: Expert,
    society: Organisation | None = None,
    unavailable_slots: Iterable = (),
    online_only: bool = False,
) -> Participant:
    """A society liaison registers one of their society's experts (coordinators any expert)."""
    day = matchmaking_day(event)
    require_upcoming(event)
    if not can_register_expert(user):
        raise ApplicationError(gettext("专家由所属学会的联络员统一报名。"))
    if expert.retired_at is not None:  # left the expert pool (onboarding): history stays, no new meetings
        raise ApplicationError(gettext("%(name)s已退出专家库，不能报名。") % {"name": expert.name})
    if user.role == Role.LIAISON:
        society = user.organisation
        if not restrict(Expert.objects.filter(pk=expert.pk), user).exists():
            raise ApplicationError(gettext("只能为本学会的专家报名。"))
    event_socs = set(event.societies.values_list("pk", flat=True))
    if society is None:
        society = expert.societies.filter(pk__in=event_socs).order_by("pk").first()
    if society is None or society.pk not in event_socs:
        raise ApplicationError(gettext("该学会未参加本次对接会。"))
    if not expert.societies.filter(pk=society.pk).exists():
        raise ApplicationError(gettext("该专家不属于所选学会。"))
    if Participant.objects.filter(event=event, expert=expert, status=Participant.Status.REGISTERED).exists():
        raise ApplicationError(gettext("%(name)s已报名本次对接会。") % {"name": expert.name})
    try:
        with transaction.atomic():
            p = Participant.objects.create(
                event=event,
                kind=Participant.Kind.EXPERT,
                name=expert.name,
                position=expert.title,
                organisation=society,
                expert=expert,
                user=User.objects.filter(expert=expert).first(),
                unavailable_slots=valid_slots(day, unavailable_slots),
                online_only=bool(online_only),
                registered_by=user,
            )
    except IntegrityError:
        raise ApplicationError(gettext("%(name)s已报名本次对接会。") % {"name": expert.name}) from None
    audit(
        user,
        "event.register_expert",
        p,
        {"event": event.pk, "expert": expert.pk, "society": society.pk, "online_only": p.online_only},
    )
    return p


@transaction.atomic
def participant_set_online_only(*, user, participant: Participant, online_only: bool) -> Participant:
    """Mark a participant "仅线上" (cannot travel: every meeting of theirs is held by video, needing
    no table) or back to on site. Meetings already placed keep their form until the next re-plan,
    which turns a "仅线上" participant's meetings online."""
    matchmaking_day(participant.event)
    if not can_act_for(user, participant):
        raise ApplicationError(gettext("您不能修改该参会者的参会方式。"))
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status != Participant.Status.REGISTERED:
        raise ApplicationError(gettext("该参会者已取消参会。"))
    participant.online_only = bool(online_only)
    participant.save(update_fields=["online_only"])
    audit(user, "event.participant_online_only", participant, {"online_only": participant.online_only})
    return participant


@transaction.atomic
def participant_set_unavailable(*, user, participant: Participant, slots: Iterable) -> Participant:
    """The slots ``participant`` cannot attend (the participant themself, whoever speaks for them,
    or a coordinator). The scheduler never places a meeting there; a meeting already placed in
    such a slot is moved by the next re-plan (the validator names it until then)."""
    day = matchmaking_day(participant.event)
    if not can_act_for(user, participant):
        raise ApplicationError(gettext("您不能修改该参会者的时间。"))
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status != Participant.Status.REGISTERED:
        raise ApplicationError(gettext("该参会者已取消参会。"))
    participant.unavailable_slots = valid_slots(day, slots)
    participant.save(update_fields=["unavailable_slots"])
    audit(user, "event.participant_unavailable", participant, {"slots": participant.unavailable_slots})
    return participant
