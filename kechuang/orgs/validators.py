"""统一社会信用代码 (GB 32100-2015): 18 characters whose last one is a check character."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (raises ValueError on a character outside the set)."""
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalise_credit_code(value: str) -> str:
    """Upper case, no spaces or dashes (as people paste it from a licence)."""
    return "".join(str(value or "").split()).replace("-", "").upper()


def validate_credit_code(value: str) -> None:
    code = normalise_credit_code(value)
    if len(code) != 18:
        raise ValidationError(gettext("统一社会信用代码应为 18 位（现为 %(n)s 位）。") % {"n": len(code)}, code="length")
    bad = [c for c in code if c not in CHARSET]
    if bad:
        raise ValidationError(
            gettext("统一社会信用代码含有无效字符：%(bad)s（不使用 I、O、Z、S、V）。") % {"bad": '、'.join(dict.fromkeys(bad))},
            code="charset",
        )
    if check_character(code[:17]) != code[17]:
        raise ValidationError(gettext("统一社会信用代码校验位不正确，请核对营业执照上的代码。"), code="check")
