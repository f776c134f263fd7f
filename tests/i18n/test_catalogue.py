"""The English catalogue is complete and compiled: no empty or fuzzy entry, and the committed .mo says what the .po says."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
CJK = re.compile(r"[\u3400-\u9fff]")


def _entries():
    """(context, msgid, [msgstr…], flags) for every entry of the .po, header excluded."""
    out = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        flags: list[str] = []
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags = [f.strip() for f in line[2:].split(",")]
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                fields[key] += json.loads(line)
            else:
                key, _, rest = line.partition(" ")
                fields[key] = json.loads(rest)
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            out.append((fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"), strs, flags))
    return out


def test_every_entry_is_translated_into_english():
    entries = _entries()
    assert len(entries) > 1000
    untranslated = [msgid for _, msgid, _, strs, _ in entries if not all(s.strip() for s in strs)]
    fuzzy = [msgid for _, msgid, _, _, flags in entries if "fuzzy" in flags]
    still_chinese = [msgid for _, msgid, _, strs, _ in entries if any(CJK.search(s) for s in strs)]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy (unchecked guesses): {fuzzy[:20]}"
    assert not still_chinese, f"translations with Chinese left in them: {still_chinese[:20]}"


def test_the_compiled_catalogue_matches_the_po():
    with MO.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    stale = []
    for ctx, msgid, plural, strs, _ in _entries():
        key = f"{ctx}\x04{msgid}" if ctx else msgid
        got = catalog.get((key, 0)) if plural else catalog.get(key)
        if got != strs[0]:
            stale.append(msgid)
    assert not stale, f"django.mo is older than django.po (run manage.py compilemessages): {stale[:10]}"
