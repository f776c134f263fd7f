"""Services and the selector for personal API tokens (create, revoke, authenticate)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.api.models import ApiToken
from kechuang.core.audit import audit
from kechuang.core.errors import ApplicationError

PREFIX = "kc_"  # every secret starts so: recognisable in logs and by secret scanners
PREFIX_SHOWN = 10
MAX_ACTIVE_TOKENS = 20
MAX_EXPIRY_DAYS = 366
# last_used_at is rewritten at most this often, so a busy program does not write on every request
TOUCH_EVERY = timedelta(minutes=1)


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def token_list(*, user) -> QuerySet[ApiToken]:
    """The caller's own tokens (never anyone else's, coordinators included)."""
    if user is None or not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


@transaction.atomic
def token_create(*, user, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the secret, which is never stored nor shown again."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise ApplicationError(_("请先登录。"))
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("请填写令牌名称。"), field_errors={"name": [_("请填写令牌名称。")]})
    if len(name) > 80:
        raise ApplicationError(_("令牌名称太长（最多 80 个字）。"), field_errors={"name": [_("名称太长。")]})
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise ApplicationError(
            _("有效期应为 1–366 天。"), field_errors={"expires_in_days": [_("有效期应为 1–366 天。")]}
        )
    now = timezone.now()
    active = token_list(user=user).filter(revoked_at__isnull=True)
    if sum(1 for t in active if not t.is_expired(now)) >= MAX_ACTIVE_TOKENS:
        raise ApplicationError(_("有效令牌已达上限（20 个），请先撤销不用的令牌。"))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:PREFIX_SHOWN],
        key_hash=hash_key(secret),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    audit(user, "api_token.create", token, {"name": name, "prefix": token.prefix, "expires_at": token.expires_at})
    return token, secret


@transaction.atomic
def token_revoke(*, user, pk: int) -> ApiToken:
    """Revoke one of the caller's own tokens (a token of someone else: not found)."""
    token = token_list(user=user).select_for_update().filter(pk=pk).first()
    if token is None:
        raise ApplicationError(_("令牌不存在。"))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(user, "api_token.revoke", token, {"name": token.name, "prefix": token.prefix})
    return token


def token_authenticate(secret: str):
    """The active user a secret belongs to, or None (unknown, revoked, expired, inactive user)."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(secret)).first()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.is_expired(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
