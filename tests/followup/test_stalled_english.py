"""The stalled-needs page in English: "more than 1 day"; Chinese unchanged."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "No progress for more than 1 day<"),
    ("zh-hans", "超过 1 天无进展<"),
])
def test_the_heading_counts_days(world, client_for, settings, lang, said):
    settings.KECHUANG_STALLED_DAYS = 1
    page = client_for("coordinator").get("/followup/stalled/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert said in page
