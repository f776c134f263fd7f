"""Our password rules on top of Django's validators (AUTH_PASSWORD_VALIDATORS).

* ``CharacterClassValidator``: at least N of {lower case, upper case, digit, symbol}; non-ASCII
  letters (汉字) count as symbols, so a Chinese passphrase with digits is fine.
* ``NotLikeNamesValidator``: the password must not be built from the username or the user's
  organisation name (its pinyin is out of reach, but the Latin parts are not), nor be a place or
  platform name followed by a year — ``qingdao2026``, ``Kechuang@2026`` and the like are the first
  guesses of anyone who knows where the platform runs.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Names an attacker would try first for this platform: the city, the province, the platform.
LOCAL_WORDS = (
    "qingdao", "shandong", "laoshan", "laixi", "huangdao", "jimo", "jiaozhou", "pingdu",
    "kechuang", "kexie", "cast", "kczg", "admin", "password", "passw0rd", "welcome",
)


def character_classes(password: str) -> set[str]:
    classes = set()
    for ch in password:
        if ch.isascii() and ch.islower():
            classes.add("lower")
        elif ch.isascii() and ch.isupper():
            classes.add("upper")
        elif ch.isdigit():
            classes.add("digit")
        else:
            classes.add("symbol")
    return classes


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(
                _("密码至少要包含小写字母、大写字母、数字、符号中的 %(n)d 类。") % {"n": self.min_classes},
                code="password_too_few_classes",
            )

    def get_help_text(self):
        return _("至少包含小写字母、大写字母、数字、符号中的 %(n)d 类。") % {"n": self.min_classes}


def _skeleton(text: str) -> str:
    """Lower case, leet digits folded back to letters, everything but letters dropped."""
    table = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
    return re.sub(r"[^a-z]", "", text.lower().translate(table))


class NotLikeNamesValidator:
    """Refuses passwords that are mostly the username, the organisation's name or a local word."""

    max_similarity = 0.7

    def _names(self, user) -> list[str]:
        names = list(LOCAL_WORDS)
        if user is None:
            return names
        for attr in ("username", "display_name"):
            value = getattr(user, attr, "") or ""
            names.append(value)
        org = getattr(user, "organisation", None) if getattr(user, "organisation_id", None) else None
        if org is not None:
            names.append(org.name)
            names.append(getattr(org, "short_name", "") or "")
        return [n for n in names if n]

    def validate(self, password, user=None):
        pw = password.lower()
        letters = _skeleton(password)
        for name in self._names(user):
            n = name.lower()
            n_letters = _skeleton(name)
            if len(n) >= 3 and n in pw and len(n) >= len(pw) / 2:
                self._fail()
            if len(n_letters) >= 3 and letters and (
                n_letters in letters and len(n_letters) >= len(letters) * 0.6
                or SequenceMatcher(a=letters, b=n_letters).ratio() >= self.max_similarity
            ):
                self._fail()

    def _fail(self):
        raise ValidationError(
            _("密码与用户名、所属单位名称或常见地名/平台名过于相似，请换一个不易猜到的密码。"),
            code="password_like_names",
        )

    def get_help_text(self):
        return _("不能与用户名、所属单位名称或“青岛”“科创”等常见词相似。")
