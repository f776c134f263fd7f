"""Second-factor enrolment and verification (django-otp): a TOTP device per user plus a static
device holding the one-time recovery codes. Writes are transactions and audited."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kechuang.accounts.security import audit_sign_in

DEVICE_NAME = "身份验证器"
RECOVERY_NAME = "恢复码"


def can_enrol(user) -> bool:
    """Who may set up a second factor: everyone it is (or will be) required of."""
    return bool(user.is_authenticated and (user.is_coordinator or user.is_staff or user.is_superuser))


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (kept across page reloads so the QR code stays put)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_b32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code, drawn here (no external service)."""
    img = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return img.to_string(encoding="unicode")


def config_secret(device: TOTPDevice) -> str:
    return parse_qs(urlparse(device.config_url).query)["secret"][0]


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < settings.KECHUANG_RECOVERY_CODES:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def otp_enrol_confirm(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm ``device`` with a first code; replaces any earlier device and recovery codes.

    Returns the new recovery codes (to show once), or None if the code was wrong."""
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        if not device.verify_token(token):
            audit_sign_in("auth.otp_enrol_failed", username=user.get_username(), request=request, user=user,
                          actor=user)
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit_sign_in("auth.otp_enrolled", username=user.get_username(), request=request, user=user, actor=user,
                      recovery_codes=len(codes))
    otp_login(request, device)
    return codes


def otp_recovery_regenerate(request) -> list[str]:
    user = request.user
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit_sign_in("auth.recovery_codes_regenerated", username=user.get_username(), request=request,
                      user=user, actor=user, recovery_codes=len(codes))
    return codes


def otp_verify(request, token: str) -> bool:
    """Second step of sign-in: a TOTP code (6 digits) or a recovery code; marks the session verified."""
    user = request.user
    if token.isdigit() and len(token) == 6:
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
        kind = "totp"
    else:
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
        kind = "recovery_code"
    for device in devices:
        matched = verify_token(user, device.persistent_id, token)
        if matched is not None:
            otp_login(request, matched)
            remaining = matched.token_set.count() if kind == "recovery_code" else None
            audit_sign_in("auth.otp_verified", username=user.get_username(), request=request, user=user,
                          actor=user, method=kind, **({"recovery_codes_left": remaining} if remaining is not None else {}))
            return True
    audit_sign_in("auth.otp_failed", username=user.get_username(), request=request, user=user, actor=user,
                  method=kind)
    return False
