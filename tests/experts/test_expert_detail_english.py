"""An expert's page in English: the note after a non-public contact is in ASCII brackets; Chinese unchanged."""

from __future__ import annotations

import re

from kechuang.experts.models import Expert


def test_the_non_public_contact_note_takes_the_reader_s_brackets(world, client_for):
    e = world.experts["own"]
    Expert.objects.filter(pk=e.pk).update(contact_public=False)
    client = client_for("coordinator")

    def contact(lang):
        page = client.get(f"/experts/{e.pk}/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        [dd] = re.findall(r'<dd data-testid="expert-contact">(.*?)</dd>', page, re.S)
        return dd

    en, zh = contact("en"), contact("zh-hans")
    assert '<span class="muted"> (' in en and "（" not in en, en
    assert '<span class="muted">（未向企业公开）</span>' in zh, zh
