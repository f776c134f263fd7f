"""Self-service onboarding: an enterprise's sign-up application and invitations to join.

Neither row grants anything by itself: a sign-up becomes an account only when a coordinator or the
district's staff approve it, and an invitation only when its one-time link is used before it expires.
The invitation stores a SHA-256 hash of its token, never the token (the link is shown once and e-mailed).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import Role
from kechuang.core.choices import ChoiceLabels
from kechuang.orgs.validators import validate_credit_code


class SignupApplication(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    company_name = models.CharField(_("企业名称"), max_length=128)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, validators=[validate_credit_code])
    district = models.ForeignKey(
        "accounts.Area", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="signups"
    )
    contact_name = models.CharField(_("联系人"), max_length=64)
    contact_phone = models.CharField(_("联系电话"), max_length=32)
    contact_email = models.EmailField(_("电子邮箱"))
    username = models.CharField(_("用户名"), max_length=150)
    password_hash = models.CharField(
        max_length=128
    )  # Django's make_password; the account gets it on approval
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(_("未通过原因"), blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signup_applications",
    )

    class Meta:
        verbose_name = _("企业注册申请")
        verbose_name_plural = _("企业注册申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=models.Q(status="pending"),
                name="signup_one_pending_per_code",
            ),
            models.UniqueConstraint(
                fields=["username"],
                condition=models.Q(status="pending"),
                name="signup_one_pending_per_username",
            ),
        ]

    def __str__(self) -> str:
        return self.company_name


class Invitation(ChoiceLabels, models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待接受")
        USED = "used", _("已使用")
        EXPIRED = "expired", _("已过期")
        REVOKED = "revoked", _("已撤销")

    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    email = models.EmailField(_("电子邮箱"))
    display_name = models.CharField(_("姓名"), max_length=64)
    area = models.ForeignKey(
        "accounts.Area",
        verbose_name=_("负责地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("学会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expert = models.ForeignKey(
        "experts.Expert",
        verbose_name=_("专家档案"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("邀请人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("注册账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("邀请")
        verbose_name_plural = _("邀请")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"

    def state(self, now=None) -> str:
        if self.used_at:
            return self.State.USED
        if self.revoked_at:
            return self.State.REVOKED
        if (now or timezone.now()) >= self.expires_at:
            return self.State.EXPIRED
        return self.State.PENDING

    def state_label(self) -> str:
        return self.State(self.state()).label
