"""Every write to visits, diagnoses, agreements and bases: one transaction, one audit entry each.

Bad input raises ``ApplicationError`` with a Chinese message before anything is written; the
transaction makes sure nothing is half-written if a later step refuses.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from kechuang.accounts.models import Role
from kechuang.core.access import can_see, restrict
from kechuang.core.audit import audit
from kechuang.core.errors import ApplicationError
from kechuang.core.uploads import check_attachment
from kechuang.followup.models import (
    Agreement,
    AgreementAttachment,
    Base,
    BaseService,
    Milestone,
    Urgency,
    Visit,
    VisitStop,
)
from kechuang.needs.models import Need, NeedStatus
from kechuang.needs.services import allowed_transitions, need_submit, need_transition
from kechuang.orgs.models import Organisation

MAX_VISIT_MINUTES = 12 * 60
# the accepted files and their checks are shared with the need's attachments: kechuang.core.uploads


def can_plan_visits(user) -> bool:
    return user.is_coordinator or user.role == Role.DISTRICT


def can_diagnose(user, visit: Visit) -> bool:
    """Coordinators, district staff of the visit's area and the experts on the visit write diagnoses."""
    if user.is_coordinator:
        return True
    if user.role == Role.DISTRICT:
        return visit.district_id in user.area_ids()
    if user.role == Role.EXPERT and user.expert_id:
        return visit.experts.filter(pk=user.expert_id).exists()
    return False


def can_make_need_from_finding(user) -> bool:
    """Coordinators and district staff offer "turn this finding into a need" on a visit page."""
    return user.is_coordinator or user.role == Role.DISTRICT


def can_record_agreements(user) -> bool:
    return user.is_coordinator or user.role == Role.DISTRICT


def can_record_bases(user) -> bool:
    return user.is_coordinator


def _deny(message: str = gettext_lazy("您无权执行此操作。")):
    raise ApplicationError(message)


# --------------------------------------------------------------------------- visits
@transaction.atomic
def visit_plan(*, user, data: dict) -> Visit:
    """Plan a visit day: the place, the expert team and the enterprises in order with time at each."""
    if not can_plan_visits(user):
        _deny(gettext("您的角色不能安排走访。"))
    title = (data.get("title") or "").strip()
    errors: dict[str, list[str]] = {}
    if len(title) < 4:
        errors["title"] = [gettext("请填写走访名称（至少 4 个字）。")]
    district = data.get("district")
    if district is None:
        errors["district"] = [gettext("请选择走访地区。")]
    elif user.role == Role.DISTRICT and district.pk not in user.area_ids():
        errors["district"] = [gettext("只能安排本地区的走访。")]
    if data.get("date") is None:
        errors["date"] = [gettext("请选择走访日期。")]
    park = data.get("park")
    if park is not None and park.kind != Organisation.Kind.PARK:
        errors["park"] = [gettext("请选择园区。")]
    stops = list(data.get("stops") or [])
    if not stops and park is None:
        errors["stops"] = [gettext("请至少选择一家企业或一个园区。")]
    seen: set[int] = set()
    total = 0
    for i, s in enumerate(stops, start=1):
        ent = s.get("enterprise")
        if ent is None or ent.kind != Organisation.Kind.ENTERPRISE:
            errors.setdefault("stops", []).append(gettext("第 %(i)s 站请选择企业。") % {"i": i})
            continue
        if ent.pk in seen:
            errors.setdefault("stops", []).append(gettext("企业“%(name)s”重复出现。") % {"name": ent.name})
        seen.add(ent.pk)
        if not can_see(user, ent):
            errors.setdefault("stops", []).append(gettext("您无权安排走访企业“%(name)s”。") % {"name": ent.name})
        minutes = s.get("minutes") or 0
        if not 10 <= minutes <= 480:
            errors.setdefault("stops", []).append(gettext("企业“%(name)s”的停留时间应在 10–480 分钟之间。") % {"name": ent.name})
        total += minutes
    if total > MAX_VISIT_MINUTES:
        errors.setdefault("stops", []).append(gettext("一天的走访总时长不能超过 12 小时。"))
    societies = list(data.get("societies") or [])
    if any(s.kind != Organisation.Kind.SOCIETY for s in societies):
        errors["societies"] = [gettext("参与学会只能选择全国学会。")]
    if errors:
        raise ApplicationError(gettext("走访计划未保存，请按提示修改。"), field_errors=errors)
    visit = Visit.objects.create(
        title=title,
        date=data["date"],
        park=park,
        district=district,
        event=data.get("event"),
        note=data.get("note", ""),
        planned_by=user,
    )
    visit.experts.set(data.get("experts") or [])
    visit.societies.set(societies)
    VisitStop.objects.bulk_create(
        [
            VisitStop(
                visit=visit, enterprise=s["enterprise"], order=s.get("order") or i, minutes=s["minutes"]
            )
            for i, s in enumerate(stops, start=1)
        ]
    )
    audit(
        user,
        "visit.plan",
        visit,
        {
            "title": title,
            "date": visit.date,
            "district": district,
            "park": park,
            "experts": [e.pk for e in data.get("experts") or []],
            "societies": [s.pk for s in societies],
            "stops": [(s["enterprise"].pk, s["minutes"]) for s in stops],
        },
    )
    return visit


@transaction.atomic
def diagnosis_record(
    *, user, stop: VisitStop, findings: str, recommendations: str, urgency: str
) -> VisitStop:
    """Record the structured diagnosis (把脉) for one enterprise of a visit."""
    stop = VisitStop.objects.select_for_update().select_related("visit").get(pk=stop.pk)
    if not can_diagnose(user, stop.visit):
        _deny(gettext("您无权记录该走访的诊断意见。"))
    findings, recommendations = (findings or "").strip(), (recommendations or "").strip()
    errors = {}
    if len(findings) < 10:
        errors["findings"] = [gettext("请具体描述发现的问题（至少 10 个字）。")]
    if not recommendations:
        errors["recommendations"] = [gettext("请填写专家建议。")]
    if urgency not in Urgency.values:
        errors["urgency"] = [gettext("请选择紧迫程度。")]
    if errors:
        raise ApplicationError(gettext("诊断意见未保存，请按提示修改。"), field_errors=errors)
    old = {"findings": stop.findings, "recommendations": stop.recommendations, "urgency": stop.urgency}
    stop.findings, stop.recommendations, stop.urgency = findings, recommendations, urgency
    stop.diagnosed_by, stop.diagnosed_at = user, timezone.now()
    stop.save()
    audit(
        user,
        "visit.diagnosis",
        stop,
        {"old": old, "findings": findings, "recommendations": recommendations, "urgency": urgency},
    )
    return stop


def _first_clause(text: str, limit: int = 40) -> str:
    for sep in "。；;，,！!？?\n":
        text = text.split(sep)[0]
    return text.strip().rstrip(".…、：:")[:limit].strip()


def need_title_from_finding(stop: VisitStop) -> str:
    """The title a need made from a diagnosis starts with (the user may edit it before creating): the
    enterprise and the finding's first clause, whole words, never cut off with "..."."""
    ent = stop.enterprise
    return f"{ent.short_name or ent.name}：{_first_clause(stop.findings)}"[:128]


@transaction.atomic
def finding_to_need(
    *, user, stop: VisitStop, title: str = "", confidentiality: str = Need.Confidentiality.PUBLIC
) -> Need:
    """Turn a visit finding into a need (source: visit) through ``need_submit`` and link it back."""
    stop = VisitStop.objects.select_for_update().select_related("visit", "enterprise").get(pk=stop.pk)
    if not can_see(user, stop.visit):
        _deny(gettext("您无权操作该走访。"))
    if not stop.diagnosed:
        raise ApplicationError(gettext("请先记录诊断意见，再将问题转为需求。"))
    if stop.needs.exists():
        raise ApplicationError(gettext("该诊断已经生成过需求，请在需求库中跟进。"))
    ent = stop.enterprise
    if ent.chain_id is None:
        raise ApplicationError(gettext("企业“%(name)s”未设置产业链，请先在组织信息中补充。") % {"name": ent.name})
    visit = stop.visit
    data = {
        "title": (title or "").strip() or need_title_from_finding(stop),
        "kind": Need.Kind.TECH,
        "chain": ent.chain,
        "district": ent.district or visit.district,
        "background": gettext("%(date)s“%(title)s”走访把脉时发现。") % {"date": f"{visit.date:%Y年%m月%d日}", "title": visit.title},
        "problem": stop.findings,
        "goal": stop.recommendations,
        "keywords": [],
        "confidentiality": confidentiality,
        "source": Need.Source.VISIT,
        "major": stop.urgency == Urgency.HIGH,
    }
    if len(data["title"]) > 128:
        data["title"] = data["title"][:128]
    need = need_submit(user=user, data=data, enterprise=ent)
    stop.needs.add(need)
    audit(user, "visit.finding_to_need", stop, {"need": need, "visit": visit})
    return need


# --------------------------------------------------------------------------- agreements
def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation as exc:
        raise ApplicationError(gettext("金额请填写数字（万元）。"), field_errors={"amount": [gettext("请填写数字。")]}) from exc
    if not d.is_finite():
        raise ApplicationError(gettext("金额请填写数字（万元）。"), field_errors={"amount": [gettext("请填写数字。")]})
    if d < 0:
        raise ApplicationError(gettext("金额不能为负数。"), field_errors={"amount": [gettext("金额不能为负数。")]})
    field = Agreement._meta.get_field("amount")  # what the column holds: 12 digits, 2 after the point
    if d >= Decimal(10) ** (field.max_digits - field.decimal_places):
        raise ApplicationError(gettext("金额过大，请以万元为单位填写。"), field_errors={"amount": [gettext("金额过大。")]})
    return d


@transaction.atomic
def agreement_record(*, user, data: dict) -> Agreement:
    """Record a signed agreement; linked needs move to "agreement" when that step is allowed now.

    Returns the agreement with ``moved_needs`` / ``unmoved_needs`` lists for the message shown to the user.
    An attachment in ``data["attachment"]`` is stored in the same transaction (refused file → nothing saved).
    """
    if not can_record_agreements(user):
        _deny(gettext("您的角色不能登记合作协议。"))
    errors: dict[str, list[str]] = {}
    title = (data.get("title") or "").strip()
    if len(title) < 4:
        errors["title"] = [gettext("请填写协议名称（至少 4 个字）。")]
    if data.get("kind") not in Agreement.Kind.values:
        errors["kind"] = [gettext("请选择协议类型。")]
    parties = list(dict.fromkeys(data.get("parties") or []))
    if len(parties) < 2:
        errors["parties"] = [gettext("协议至少需要两方。")]
    elif user.role == Role.DISTRICT and not any(p.district_id in user.area_ids() for p in parties):
        errors["parties"] = [gettext("签约方中至少应有一家本地区单位。")]
    signed = data.get("signed")
    if signed is None:
        errors["signed"] = [gettext("请填写签订日期。")]
    elif signed > timezone.localdate():
        errors["signed"] = [gettext("签订日期不能晚于今天。")]
    needs = list(dict.fromkeys(data.get("needs") or []))
    visible = set(
        restrict(Need.objects.filter(pk__in=[n.pk for n in needs]), user).values_list("pk", flat=True)
    )
    if any(n.pk not in visible for n in needs):
        errors["needs"] = [gettext("包含您无权查看的需求。")]
    visits = list(data.get("visits") or [])
    visible_visits = set(
        restrict(Visit.objects.filter(pk__in=[v.pk for v in visits]), user).values_list("pk", flat=True)
    )
    if any(v.pk not in visible_visits for v in visits):
        errors["visits"] = [gettext("包含您无权查看的走访。")]
    milestones = [m for m in data.get("milestones") or [] if (m.get("title") or "").strip() or m.get("due")]
    for m in milestones:
        if not (m.get("title") or "").strip() or m.get("due") is None:
            errors.setdefault("milestones", []).append(gettext("每个里程碑都需要名称和计划完成日期。"))
            break
        if signed is not None and m["due"] < signed:
            errors.setdefault("milestones", []).append(gettext("里程碑“%(value)s”的日期早于签订日期。") % {"value": m['title']})
    try:
        amount = _amount(data.get("amount"))
    except ApplicationError as e:
        errors.update(e.field_errors)
        amount = None
    if errors:
        raise ApplicationError(gettext("协议未保存，请按提示修改。"), field_errors=errors)
    agreement = Agreement.objects.create(
        title=title,
        kind=data["kind"],
        amount=amount,
        signed=signed,
        event=data.get("event"),
        note=data.get("note", ""),
        recorded_by=user,
    )
    agreement.parties.set(parties)
    agreement.needs.set(needs)
    agreement.visits.set(visits)
    agreement.experts.set(data.get("experts") or [])
    Milestone.objects.bulk_create(
        [
            Milestone(agreement=agreement, title=m["title"].strip(), due=m["due"], done_on=m.get("done_on"))
            for m in milestones
        ]
    )
    moved, unmoved = [], []
    for need in needs:
        need.refresh_from_db(fields=["status"])
        if NeedStatus.AGREEMENT in allowed_transitions(user, need):
            need_transition(user=user, need=need, to_status=NeedStatus.AGREEMENT, note=f"签订协议：{title}")
            moved.append(need)
        elif need.status not in (NeedStatus.AGREEMENT, NeedStatus.DELIVERED):
            unmoved.append(need)
    audit(
        user,
        "agreement.record",
        agreement,
        {
            "title": title,
            "kind": agreement.kind,
            "amount": str(amount) if amount is not None else None,
            "signed": signed,
            "parties": [p.pk for p in parties],
            "needs": [n.pk for n in needs],
            "moved_needs": [n.pk for n in moved],
            "event": agreement.event_id,
            "visits": [v.pk for v in visits],
            "milestones": [(m["title"], m["due"]) for m in milestones],
        },
    )
    agreement.moved_needs, agreement.unmoved_needs = moved, unmoved
    if data.get("attachment"):  # in the same transaction: a refused file leaves no agreement behind
        attachment_add(user=user, agreement=agreement, file=data["attachment"])
    return agreement


@transaction.atomic
def milestone_set_done(*, user, milestone: Milestone, done: bool, on: date | None = None) -> Milestone:
    """Tick a milestone off (or reopen it)."""
    milestone = Milestone.objects.select_for_update().select_related("agreement").get(pk=milestone.pk)
    if not can_record_agreements(user) or not can_see(user, milestone.agreement):
        _deny()
    on = on or timezone.localdate()
    if done and on < milestone.agreement.signed:
        raise ApplicationError(gettext("完成日期不能早于协议签订日期。"))
    old = milestone.done_on
    milestone.done_on = on if done else None
    milestone.save(update_fields=["done_on"])
    audit(user, "agreement.milestone", milestone, {"from": old, "to": milestone.done_on})
    return milestone


@transaction.atomic
def attachment_add(*, user, agreement: Agreement, file, name: str = "") -> AgreementAttachment:
    """Attach a scanned agreement or annex (size and type checked, stored with the default storage)."""
    if not can_record_agreements(user) or not can_see(user, agreement):
        _deny()
    check_attachment(file)
    name_field = AgreementAttachment._meta.get_field("name")
    att = AgreementAttachment.objects.create(
        agreement=agreement,
        file=file,
        name=((name or "").strip() or PurePath(file.name).name)[: name_field.max_length],
        uploaded_by=user,
    )
    audit(
        user, "agreement.attachment", agreement, {"attachment": att.pk, "name": att.name, "size": file.size}
    )
    return att


# --------------------------------------------------------------------------- bases
@transaction.atomic
def base_record(*, user, data: dict) -> Base:
    """Register an achievement-transfer base or an industry innovation service centre."""
    if not can_record_bases(user):
        _deny(gettext("只有市科协协调员可以登记基地和服务中心。"))
    errors: dict[str, list[str]] = {}
    name = (data.get("name") or "").strip()
    if len(name) < 4:
        errors["name"] = [gettext("请填写名称（至少 4 个字）。")]
    elif Base.objects.filter(name=name).exists():
        errors["name"] = [gettext("已有同名的基地或中心。")]
    if data.get("kind") not in Base.Kind.values:
        errors["kind"] = [gettext("请选择类型。")]
    society = data.get("society")
    if society is None or society.kind != Organisation.Kind.SOCIETY:
        errors["society"] = [gettext("请选择共建的全国学会。")]
    if data.get("host") is None:
        errors["host"] = [gettext("请选择依托单位。")]
    if data.get("district") is None:
        errors["district"] = [gettext("请选择所在地区。")]
    if data.get("unveiled") is None:
        errors["unveiled"] = [gettext("请填写揭牌日期。")]
    if errors:
        raise ApplicationError(gettext("基地未保存，请按提示修改。"), field_errors=errors)
    base = Base.objects.create(
        kind=data["kind"],
        name=name,
        society=society,
        host=data["host"],
        district=data["district"],
        unveiled=data["unveiled"],
        agreement=data.get("agreement"),
        description=data.get("description", ""),
        recorded_by=user,
    )
    audit(
        user,
        "base.record",
        base,
        {k: data.get(k) for k in ("kind", "society", "host", "district", "unveiled", "agreement")}
        | {"name": name},
    )
    return base


@transaction.atomic
def base_service_record(*, user, base: Base, data: dict) -> BaseService:
    """Add one service a base delivered (an event, a consultation or a project)."""
    if not can_record_bases(user):
        _deny(gettext("只有市科协协调员可以登记基地服务。"))
    errors: dict[str, list[str]] = {}
    title = (data.get("title") or "").strip()
    if len(title) < 4:
        errors["title"] = [gettext("请填写服务内容（至少 4 个字）。")]
    if data.get("kind") not in BaseService.Kind.values:
        errors["kind"] = [gettext("请选择服务类型。")]
    when = data.get("date")
    if when is None:
        errors["date"] = [gettext("请填写日期。")]
    elif when < base.unveiled:
        errors["date"] = [gettext("服务日期不能早于揭牌日期。")]
    if errors:
        raise ApplicationError(gettext("服务记录未保存，请按提示修改。"), field_errors=errors)
    svc = BaseService.objects.create(
        base=base, date=when, kind=data["kind"], title=title, note=data.get("note", "")
    )
    audit(user, "base.service", base, {"service": svc.pk, "date": when, "kind": svc.kind, "title": title})
    return svc
