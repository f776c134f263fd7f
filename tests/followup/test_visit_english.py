"""A visit's page in English: "1 enterprise, 90 minutes in all" (not "1 enterprises"); Chinese unchanged."""

from __future__ import annotations

import re


def _text(client, url, lang):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()))


def test_visit_detail_counts_agree_in_english(world, fu, client_for):
    client = client_for("coordinator")
    url = f"/followup/visits/{fu['visit']['own'].pk}/"
    text = _text(client, url, "en")
    assert "1 enterprise, 90 minutes in all" in text and "1 enterprises" not in text
    assert "90 minutes" in text
    zh = _text(client, url, "zh-hans")
    assert "1 家企业，共 90 分钟" in zh and "90 分钟" in zh
