"""The lockout message in English: "1 minute", not "1 minutes"; Chinese unchanged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from kechuang.accounts.security import lockout_message


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "Try again in 1 minute, or ask"),
    ("zh-hans", "请 1 分钟后再试，或联系市科协协调员解锁。"),
])
def test_a_one_minute_lockout_says_minute(settings, lang, said):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    with translation.override(lang):
        assert said in lockout_message()
