"""Every write of onboarding: one transaction, one audit entry, people told after the commit.

- ``signup_submit`` (anonymous): a pending application, nothing else — no account, no organisation.
- ``signup_approve`` / ``signup_reject``: a coordinator, or the staff of the application's district.
  Approval creates (or links) the enterprise and its contact's account in one transaction.
- ``invitation_create`` / ``invitation_resend`` / ``invitation_revoke`` / ``invitation_accept``:
  coordinators invite district staff and liaisons; a liaison invites its own society's experts. The
  token lives only in the link: the row keeps its SHA-256, and a resend replaces it (the old link dies).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.models import Area, Role
from kechuang.core.access import restrict
from kechuang.core.audit import audit
from kechuang.core.errors import ApplicationError
from kechuang.experts.models import Expert
from kechuang.notifications.kinds import Kind
from kechuang.notifications.services import notify_on_commit
from kechuang.onboarding.models import Invitation, SignupApplication
from kechuang.orgs.models import Organisation
from kechuang.orgs.validators import normalise_credit_code

log = logging.getLogger(__name__)
User = get_user_model()
S = SignupApplication.Status
INVITATION_DAYS = getattr(settings, "KECHUANG_INVITATION_DAYS", 7)


def _site(path: str) -> str:
    return settings.KECHUANG_SITE_URL.rstrip("/") + path


def _mail_on_commit(subject: str, body: str, to: str) -> None:
    """E-mail someone who has no account (yet): after the commit, and a failure only logged."""

    def send():
        try:
            send_mail(subject, body, None, [to])
        except Exception:  # the decision stands; the lost e-mail is in the log
            log.exception("could not send onboarding e-mail to %s", to)

    transaction.on_commit(send, robust=True)


def _password_errors(password: str, user) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as e:
        return list(e.messages)
    return []


def _username_taken(username: str) -> bool:
    return (
        User.objects.filter(username__iexact=username).exists()
        or SignupApplication.objects.filter(username__iexact=username, status=S.PENDING).exists()
    )


# ---------------------------------------------------------------- enterprise sign-up


def reviewers_for(district: Area) -> list:
    """Who reviews a sign-up in ``district``: the coordinators and the staff whose area contains it."""
    ancestors, a = [], district
    while a is not None:
        ancestors.append(a.pk)
        a = a.parent
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(role=Role.COORDINATOR) | Q(role=Role.DISTRICT, area_id__in=ancestors))
        .order_by("pk")
    )


@transaction.atomic
def signup_submit(*, data: dict) -> SignupApplication:
    """Record an enterprise's application; it grants nothing until approved."""
    code = normalise_credit_code(data["credit_code"])
    name = " ".join(data["company_name"].split())
    username = data["username"].strip()
    district = data["district"]
    if district is None or district.kind == Area.Kind.CITY:
        raise ApplicationError(
            _("请选择企业所在的区（市）。"), field_errors={"district": [_("请选择区（市）。")]}
        )
    if Organisation.objects.filter(credit_code=code).exists():
        raise ApplicationError(
            _(
                "该统一社会信用代码的企业已在平台注册。如需开通账号，请联系所在区（市）工作人员或市科协协调员。"
            ),
            field_errors={"credit_code": [_("该统一社会信用代码已注册。")]},
        )
    if SignupApplication.objects.filter(credit_code=code, status=S.PENDING).exists():
        raise ApplicationError(
            _("该统一社会信用代码已有一份注册申请正在审核，请耐心等待审核结果。"),
            field_errors={"credit_code": [_("该代码已有待审核的申请。")]},
        )
    if _username_taken(username):
        raise ApplicationError(
            _("该用户名已被使用。"), field_errors={"username": [_("该用户名已被使用，请换一个。")]}
        )
    probe = User(username=username, email=data["contact_email"], display_name=data["contact_name"])
    if errors := _password_errors(data["password"], probe):
        raise ApplicationError(_("密码不符合要求。"), field_errors={"password1": errors})
    try:
        with transaction.atomic():
            app = SignupApplication.objects.create(
                company_name=name,
                credit_code=code,
                district=district,
                contact_name=data["contact_name"].strip(),
                contact_phone=data["contact_phone"].strip(),
                contact_email=data["contact_email"].strip(),
                username=username,
                password_hash=make_password(data["password"]),
            )
    except IntegrityError as exc:  # the same code or user name sent twice at the same moment
        raise ApplicationError(_("该统一社会信用代码或用户名已有待审核的申请。")) from exc
    audit(None, "signup.submit", app, {"credit_code": code, "district": district.pk, "username": username})
    notify_on_commit(
        Kind.SIGNUP_SUBMITTED,
        reviewers_for(district),
        params={"company": name, "district": district.name},
        link=reverse("onboarding:signup_detail", args=[app.pk]),
    )
    return app


def can_review_signups(user) -> bool:
    return bool(
        user.is_authenticated and (user.is_coordinator or (user.role == Role.DISTRICT and user.area_id))
    )


def _locked_pending(user, app: SignupApplication) -> SignupApplication:
    if (
        not can_review_signups(user)
        or not restrict(SignupApplication.objects.filter(pk=app.pk), user).exists()
    ):
        raise ApplicationError(_("您无权审核该申请。"))
    app = SignupApplication.objects.select_for_update().get(pk=app.pk)
    if app.status != S.PENDING:
        raise ApplicationError(_("该申请已经审核（%(s)s），不能再次审核。") % {"s": app.get_status_display()})
    return app


@transaction.atomic
def signup_approve(*, user, app: SignupApplication) -> SignupApplication:
    """Create (or link) the enterprise and its contact's account; tell the contact."""
    app = _locked_pending(user, app)
    if User.objects.filter(username__iexact=app.username).exists():
        raise ApplicationError(
            _("用户名“%(u)s”已被占用，请驳回并请企业换一个用户名重新申请。") % {"u": app.username}
        )
    org = Organisation.objects.filter(credit_code=app.credit_code).first()
    created = False
    if org is None:
        org = Organisation.objects.filter(name=app.company_name, credit_code="").first()
        if org is not None and org.kind != Organisation.Kind.ENTERPRISE:
            raise ApplicationError(_("平台中已有同名的非企业单位“%(n)s”，请核对后处理。") % {"n": org.name})
        if org is not None:  # an enterprise the platform knew by name only: it gains its code
            org.credit_code = app.credit_code
            org.district = org.district or app.district
            org.save(update_fields=["credit_code", "district"])
            audit(user, "organisation.update", org, {"credit_code": app.credit_code, "via": "signup"})
    if org is None:
        if Organisation.objects.filter(name=app.company_name).exists():
            raise ApplicationError(_("平台中已有同名单位，请核对后处理。"))
        org = Organisation.objects.create(
            name=app.company_name,
            kind=Organisation.Kind.ENTERPRISE,
            district=app.district,
            credit_code=app.credit_code,
        )
        created = True
        audit(
            user,
            "organisation.create",
            org,
            {"name": org.name, "credit_code": org.credit_code, "via": "signup"},
        )
    account = User(
        username=app.username,
        role=Role.ENTERPRISE,
        organisation=org,
        display_name=app.contact_name,
        email=app.contact_email,
        phone=app.contact_phone,
        password=app.password_hash,
    )
    account.save()
    app.status, app.decided_at, app.decided_by = S.APPROVED, timezone.now(), user
    app.organisation, app.user = org, account
    app.save()
    audit(
        user,
        "signup.approve",
        app,
        {
            "organisation": org.pk,
            "organisation_created": created,
            "user": account.pk,
            "username": account.username,
        },
    )
    notify_on_commit(
        Kind.SIGNUP_APPROVED,
        [account],
        params={"company": org.name},
        link=reverse("needs:create"),
        exclude=user,
    )
    return app


@transaction.atomic
def signup_reject(*, user, app: SignupApplication, reason: str) -> SignupApplication:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("请填写未通过的原因。"), field_errors={"reason": [_("请填写原因，申请人会收到。")]}
        )
    app = _locked_pending(user, app)
    app.status, app.decided_at, app.decided_by, app.reason = S.REJECTED, timezone.now(), user, reason[:2000]
    app.save()
    audit(user, "signup.reject", app, {"reason": app.reason})
    _mail_on_commit(
        _("科创对接平台：企业注册申请未通过"),
        _(
            "%(name)s，您好：\n\n您为“%(company)s”提交的注册申请未通过审核，原因：%(reason)s\n\n"
            "您可以修改后重新申请：%(url)s\n\n—— 科创对接平台"
        )
        % {
            "name": app.contact_name,
            "company": app.company_name,
            "reason": app.reason,
            "url": _site(reverse("onboarding:signup")),
        },
        app.contact_email,
    )
    return app


# ---------------------------------------------------------------- invitations


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitable_roles(user) -> list[str]:
    """The roles ``user`` may invite: coordinators district staff and liaisons; a liaison its experts."""
    if not user.is_authenticated:
        return []
    if user.is_coordinator:
        return [Role.DISTRICT, Role.LIAISON]
    if user.role == Role.LIAISON and user.organisation_id:
        return [Role.EXPERT]
    return []


def can_invite(user) -> bool:
    return bool(invitable_roles(user))


def invitable_experts(user):
    """The experts a liaison may invite: its society's, without an account yet."""
    qs = Expert.objects.filter(user__isnull=True)
    if user.is_coordinator:
        return qs.filter(societies__kind=Organisation.Kind.SOCIETY).distinct()
    if user.role == Role.LIAISON and user.organisation_id:
        return qs.filter(societies=user.organisation_id).distinct()
    return qs.none()


def _check_invitation(user, data: dict) -> dict:
    role = data.get("role")
    if role not in invitable_roles(user):
        raise ApplicationError(_("您不能邀请该角色。"), field_errors={"role": [_("请选择可邀请的角色。")]})
    out = {"role": role, "area": None, "organisation": None, "expert": None}
    if role == Role.DISTRICT:
        area = data.get("area")
        if area is None or area.kind == Area.Kind.CITY:
            raise ApplicationError(
                _("请选择负责的区（市）。"), field_errors={"area": [_("请选择区（市）。")]}
            )
        out["area"] = area
    elif role == Role.LIAISON:
        org = data.get("organisation")
        if org is None or org.kind != Organisation.Kind.SOCIETY:
            raise ApplicationError(
                _("请选择联络员所在的学会。"), field_errors={"organisation": [_("请选择学会。")]}
            )
        out["organisation"] = org
    else:  # an expert of the liaison's own society, without an account
        expert = data.get("expert")
        if expert is None or not invitable_experts(user).filter(pk=expert.pk).exists():
            raise ApplicationError(
                _("只能邀请本学会尚未开通账号的专家。"), field_errors={"expert": [_("请选择本学会的专家。")]}
            )
        out["expert"] = expert
        out["organisation"] = (
            Organisation.objects.get(pk=user.organisation_id)
            if not user.is_coordinator
            else expert.societies.filter(kind=Organisation.Kind.SOCIETY).order_by("pk").first()
        )
    return out


def _send_invitation(inv: Invitation, token: str) -> None:
    _mail_on_commit(
        _("科创对接平台：邀请您开通账号"),
        _(
            "%(name)s，您好：\n\n%(inviter)s 邀请您以“%(role)s”身份开通科创对接平台账号。\n"
            "请在 %(expires)s 前打开以下链接设置密码（链接仅可使用一次）：\n%(url)s\n\n—— 科创对接平台"
        )
        % {
            "name": inv.display_name,
            "inviter": inv.created_by,
            "role": Role(inv.role).label,
            "expires": timezone.localtime(inv.expires_at).strftime("%Y-%m-%d %H:%M"),
            "url": _site(reverse("onboarding:accept", args=[token])),
        },
        inv.email,
    )


@transaction.atomic
def invitation_create(*, user, data: dict) -> tuple[Invitation, str]:
    """A one-time invitation; returns it and the token (shown once, e-mailed, never stored)."""
    scope = _check_invitation(user, data)
    email = (data.get("email") or "").strip()
    name = (data.get("display_name") or "").strip()
    if not email:
        raise ApplicationError(_("请填写电子邮箱。"), field_errors={"email": [_("请填写电子邮箱。")]})
    if not name:
        raise ApplicationError(_("请填写姓名。"), field_errors={"display_name": [_("请填写姓名。")]})
    open_same = [
        i
        for i in Invitation.objects.filter(email__iexact=email, role=scope["role"])
        if i.state() == "pending"
    ]
    if open_same:
        raise ApplicationError(
            _("已向该邮箱发出同一角色的邀请，尚未使用；如需重发，请在邀请列表中点“重发”。"),
            field_errors={"email": [_("该邮箱已有待接受的邀请。")]},
        )
    token = secrets.token_urlsafe(32)
    inv = Invitation.objects.create(
        email=email,
        display_name=name,
        token_hash=hash_token(token),
        created_by=user,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        **scope,
    )
    audit(
        user,
        "invitation.create",
        inv,
        {
            "role": inv.role,
            "email": email,
            "area": scope["area"],
            "organisation": scope["organisation"],
            "expert": scope["expert"],
        },
    )
    _send_invitation(inv, token)
    return inv, token


def _locked_manageable(user, inv: Invitation) -> Invitation:
    if not can_invite(user) or not restrict(Invitation.objects.filter(pk=inv.pk), user).exists():
        raise ApplicationError(_("您无权管理该邀请。"))
    return Invitation.objects.select_for_update().get(pk=inv.pk)


@transaction.atomic
def invitation_resend(*, user, inv: Invitation) -> tuple[Invitation, str]:
    """A fresh link and a fresh expiry; the old link stops working."""
    inv = _locked_manageable(user, inv)
    if inv.used_at or inv.revoked_at:
        raise ApplicationError(_("该邀请%(s)s，不能重发。") % {"s": inv.state_label()})
    token = secrets.token_urlsafe(32)
    inv.token_hash = hash_token(token)
    inv.sent_at = timezone.now()
    inv.expires_at = inv.sent_at + timedelta(days=INVITATION_DAYS)
    inv.save(update_fields=["token_hash", "sent_at", "expires_at"])
    audit(user, "invitation.resend", inv, {"expires_at": inv.expires_at})
    _send_invitation(inv, token)
    return inv, token


@transaction.atomic
def invitation_revoke(*, user, inv: Invitation) -> Invitation:
    inv = _locked_manageable(user, inv)
    if inv.used_at:
        raise ApplicationError(_("该邀请已被使用，不能撤销；如需停用账号请联系协调员。"))
    if not inv.revoked_at:
        inv.revoked_at = timezone.now()
        inv.save(update_fields=["revoked_at"])
        audit(user, "invitation.revoke", inv, {})
    return inv


def invitation_for_token(token: str) -> Invitation | None:
    if not token or len(token) > 128:
        return None
    return (
        Invitation.objects.select_related("area", "organisation", "expert")
        .filter(token_hash=hash_token(token))
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str):
    """The invitee chooses a user name and a password and gets the account of the invitation's role and scope."""
    found = invitation_for_token(token)
    if found is None:
        raise ApplicationError(_("邀请链接无效。"))
    inv = Invitation.objects.select_for_update().get(pk=found.pk)
    if inv.state() != Invitation.State.PENDING:
        raise ApplicationError(_("该邀请链接%(s)s，不能再使用。") % {"s": inv.state_label()})
    username = (username or "").strip()
    if not username:
        raise ApplicationError(_("请填写用户名。"), field_errors={"username": [_("请填写用户名。")]})
    if _username_taken(username):
        raise ApplicationError(
            _("该用户名已被使用。"), field_errors={"username": [_("该用户名已被使用，请换一个。")]}
        )
    if inv.expert_id and User.objects.filter(expert_id=inv.expert_id).exists():
        raise ApplicationError(_("该专家已开通账号。"))
    account = User(
        username=username,
        role=inv.role,
        display_name=inv.display_name,
        email=inv.email,
        area=inv.area if inv.role == Role.DISTRICT else None,
        organisation=inv.organisation if inv.role == Role.LIAISON else None,
        expert=inv.expert if inv.role == Role.EXPERT else None,
    )
    if errors := _password_errors(password, account):
        raise ApplicationError(_("密码不符合要求。"), field_errors={"new_password1": errors})
    account.set_password(password)
    account.save()
    inv.used_at, inv.used_by = timezone.now(), account
    inv.save(update_fields=["used_at", "used_by"])
    audit(account, "invitation.accept", inv, {"user": account.pk, "role": account.role})
    return account
