"""Needs: the list and one need as the needs pages show them, and the writes of those pages —
submit, edit, move along the pipeline — through ``needs.services`` with the page's own form
(``NeedForm``) validating the input."""

from datetime import date, datetime

from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view

from kechuang.accounts.models import Area, Role
from kechuang.api.common import (
    LIST_ERRORS,
    NO_NUL,
    READ_ERRORS,
    WRITE_ERRORS,
    ApiError,
    apply_ordering,
    form_errors,
    ordering_field,
    pk_path,
    service_call,
)
from kechuang.api.pagination import paginate_rows
from kechuang.core.errors import ApplicationError
from kechuang.core.filters import SEARCH_MAX_CHARS
from kechuang.core.pagecache import cached_page
from kechuang.needs import selectors, services
from kechuang.needs.forms import NeedForm
from kechuang.needs.models import Need, NeedStatus
from kechuang.needs.selectors import need_label
from kechuang.orgs.models import IndustryChain

router = Router(tags=["needs"])
ORDERING = {
    "created_at": "created_at",
    "status_changed_at": "status_changed_at",
    "title": "title",
    "status": "status",
    "deadline": "deadline",
}


class NeedOut(Schema):
    id: int
    title: str
    enterprise: str
    kind: str
    chain: str
    district: str
    status: str
    confidentiality: str
    major: bool
    created_at: datetime

    @staticmethod
    def resolve_title(obj, context):
        return need_label(context["request"].user, obj)

    @staticmethod
    def resolve_enterprise(obj):
        return obj.enterprise.name

    @staticmethod
    def resolve_chain(obj):
        return obj.chain.code

    @staticmethod
    def resolve_district(obj):
        return obj.district.code


class NeedAttachmentOut(Schema):
    id: int
    name: str
    uploaded_at: datetime
    url: str

    @staticmethod
    def resolve_url(obj):
        return reverse("needs:attachment", args=[obj.pk])


class NeedDetailOut(NeedOut):
    background: str
    problem: str
    goal: str
    keywords: list[str]
    budget_min: int | None
    budget_max: int | None
    deadline: date | None
    source: str
    contact_name: str = Field("", description="联系人; empty unless the caller handles the need")
    contact_phone: str = Field("", description="联系电话; empty unless the caller handles the need")
    attachments: list[NeedAttachmentOut] = []

    @staticmethod
    def resolve_contact_name(obj, context):
        return obj.contact_name if services.can_see_contact(context["request"].user, obj) else ""

    @staticmethod
    def resolve_contact_phone(obj, context):
        return obj.contact_phone if services.can_see_contact(context["request"].user, obj) else ""

    @staticmethod
    def resolve_attachments(obj, context):
        return list(selectors.need_attachments(user=context["request"].user, need=obj))




class NeedFilters(Schema):
    q: str | None = Field(None, max_length=SEARCH_MAX_CHARS)
    # codes: no NUL character (PostgreSQL refuses it in a query: a 500 instead of an empty list)
    chain: str | None = Field(None, max_length=64, pattern=NO_NUL)
    district: str | None = Field(None, max_length=64, pattern=NO_NUL)
    status: NeedStatus | None = None
    confidentiality: Need.Confidentiality | None = None
    major: bool | None = None
    ordering: str | None = ordering_field(ORDERING)


NEED_OUT_FIELDS = tuple(NeedOut.model_fields)  # the first columns of selectors.API_ROW_COLUMNS, named


def _need_rows(request, page) -> list[dict]:
    """The page's rows as ``NeedOut`` printed them (ADR 0054), titles through ``need_label``; the
    confidential ones shown are audited as an export of the list is (``via="api:needs"``)."""
    rows = selectors.api_need_rows(request.user, page, via="api:needs")
    return [dict(zip(NEED_OUT_FIELDS, row, strict=True)) for row in rows]


@router.get("/", response={200: list[NeedOut], **LIST_ERRORS})
@decorate_view(cached_page)  # a browser session's read, kept as the needs page is (ADR 0059)
@paginate_rows()
def list_needs(request, filters: Query[NeedFilters]):
    f = filters.dict(exclude_none=True)
    ordering = f.pop("ordering", None)
    qs = selectors.need_list(user=request.user, filters=f).order_by("-created_at", "-pk")
    return apply_ordering(qs, ORDERING, ordering), _need_rows


@router.get("/{need_id}", response={200: NeedDetailOut, **READ_ERRORS})
@decorate_view(cached_page)
def get_need(request, need_id: int = pk_path()):
    need = selectors.need_get(user=request.user, pk=need_id)
    services.need_record_view(user=request.user, need=need, via="api")
    return need


# ---------------------------------------------------------------------------------------- writes
PK = {"ge": 1, "le": 2**31 - 1}
MONEY = {"ge": 0, "le": 2**31 - 1}


class NeedFieldsIn(Schema):
    """The fields of the need form (taxonomy by code, keywords as a list)."""

    title: str = Field(..., max_length=128, description="项目名称")
    kind: Need.Kind = Need.Kind.TECH
    chain: str = Field(..., max_length=64, description="行业领域/产业链代码")
    district: str = Field(..., max_length=64, description="地区代码")
    background: str = Field(..., max_length=5000, description="需求背景")
    problem: str = Field(..., max_length=5000, description="需解决的主要技术难题（至少 20 字）")
    goal: str = Field(..., max_length=5000, description="期望实现的技术目标")
    keywords: list[str] = Field([], max_length=20, description="关键词")
    budget_min: int | None = Field(None, description="预算下限（万元）", **MONEY)
    budget_max: int | None = Field(None, description="预算上限（万元）", **MONEY)
    deadline: date | None = None
    contact_name: str = Field("", max_length=64)
    contact_phone: str = Field("", max_length=32)
    confidentiality: Need.Confidentiality = Need.Confidentiality.PUBLIC


class NeedSubmitIn(NeedFieldsIn):
    enterprise: int | None = Field(None, description="需求企业 id（企业用户不填：就是本企业）", **PK)


class NeedUpdateIn(Schema):
    """Only the fields sent change; ``version`` is the one the client read (a later save by someone
    else is a 409, not a silent overwrite)."""

    version: int = Field(..., **PK)
    title: str | None = Field(None, max_length=128)
    kind: Need.Kind | None = None
    chain: str | None = Field(None, max_length=64)
    district: str | None = Field(None, max_length=64)
    background: str | None = Field(None, max_length=5000)
    problem: str | None = Field(None, max_length=5000)
    goal: str | None = Field(None, max_length=5000)
    keywords: list[str] | None = Field(None, max_length=20)
    budget_min: int | None = Field(None, **MONEY)
    budget_max: int | None = Field(None, **MONEY)
    deadline: date | None = None
    contact_name: str | None = Field(None, max_length=64)
    contact_phone: str | None = Field(None, max_length=32)
    confidentiality: Need.Confidentiality | None = None


def _code_pk(model, code) -> str:
    """The primary key the form expects for a taxonomy code ("" when unknown: the form says so)."""
    if code in (None, ""):
        return ""
    pk = model.objects.filter(code=str(code).replace("\x00", "")).values_list("pk", flat=True).first()
    return str(pk) if pk is not None else "0"


def _form_data(values: dict) -> dict:
    data = {}
    for k, v in values.items():
        if k == "chain":
            data[k] = _code_pk(IndustryChain, v)
        elif k == "district":
            data[k] = _code_pk(Area, v)
        elif k == "keywords":
            data["keywords_text"] = "，".join(str(x) for x in (v or []))
        elif v is None:
            data[k] = ""
        else:
            data[k] = v.isoformat() if isinstance(v, date) else str(v)
    return data


def _detail(request, pk: int) -> Need:
    return selectors.need_get(user=request.user, pk=pk)


@router.post("/", response={201: NeedDetailOut, **WRITE_ERRORS}, url_name="need_submit")
def submit_need(request, payload: NeedSubmitIn):
    """Submit a need, as the need form does (same validation, history and audit)."""
    user = request.user
    if not services.can_submit(user):
        raise ApiError(403, _("您的角色不能提交需求。"))
    values = payload.dict()
    enterprise = values.pop("enterprise")
    data = _form_data(values)
    if user.role != Role.ENTERPRISE:
        data["enterprise"] = str(enterprise) if enterprise else ""
    form = NeedForm(data, user=user)
    if not form.is_valid():
        raise form_errors(form)
    with service_call():
        need = services.need_submit(user=user, data=form.service_data(), enterprise=form.cleaned_data.get("enterprise"))
    return 201, _detail(request, need.pk)


@router.patch("/{need_id}", response={200: NeedDetailOut, **WRITE_ERRORS}, url_name="need_update")
def update_need(request, payload: NeedUpdateIn, need_id: int = pk_path()):
    """Edit a need's content (never its status); unchanged values change nothing."""
    user = request.user
    need = selectors.need_get(user=user, pk=need_id)
    if not services.can_edit(user, need):
        raise ApiError(403, _("当前状态下您不能修改该需求。"))
    if payload.version != need.version:
        raise ApiError(409, _("该需求已被他人修改，请刷新后重试。"))
    current = model_to_dict(need, fields=list(NeedForm.Meta.fields))
    current["chain"], current["district"] = need.chain.code, need.district.code
    current["keywords"] = list(need.keywords or [])
    current.update(payload.dict(exclude_unset=True, exclude={"version"}))
    data = _form_data(current)
    data["version"] = str(payload.version)
    form = NeedForm(data, instance=need, user=user, editing=True)
    if not form.is_valid():
        raise form_errors(form)
    try:
        services.need_update(user=user, need=need, data=form.service_data(), expected_version=payload.version)
    except ApplicationError as exc:
        status = 409 if exc.message == _("该需求已被他人修改，请刷新后重试。") else 400
        raise ApiError(status, exc.message, field_errors=exc.field_errors) from None
    return _detail(request, need.pk)


class TransitionIn(Schema):
    to_status: NeedStatus
    note: str = Field("", max_length=1000, description="说明（退回时必填）")


def _may_move(user, need: Need) -> bool:
    """The roles that move needs along the pipeline at all (which step: ``allowed_transitions``)."""
    if user.is_coordinator:
        return True
    if user.role == Role.DISTRICT:
        return need.district_id in user.area_ids()
    return user.role == Role.ENTERPRISE and need.enterprise_id == user.organisation_id


@router.post("/{need_id}/transitions", response={200: NeedDetailOut, **WRITE_ERRORS}, url_name="need_transition")
def transition_need(request, payload: TransitionIn, need_id: int = pk_path()):
    """Move a need one step along the pipeline (``needs.services.TRANSITIONS``)."""
    user = request.user
    need = selectors.need_get(user=user, pk=need_id)
    if not _may_move(user, need):
        raise ApiError(403, _("您不能变更该需求的状态。"))
    if payload.to_status not in services.allowed_transitions(user, need):
        raise ApiError(
            409,
            _("不能将需求从“%(a)s”改为“%(b)s”。")
            % {"a": NeedStatus(need.status).label, "b": NeedStatus(payload.to_status).label},
        )
    with service_call():
        services.need_transition(user=user, need=need, to_status=payload.to_status, note=payload.note)
    return _detail(request, need.pk)
