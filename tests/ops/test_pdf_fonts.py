"""PDFs the platform writes draw their Chinese with a real embedded CJK font (no tofu boxes).

`make run` installs fonts-noto-cjk (scripts/system-deps.sh fonts) because the agendas, table cards and
briefings need it; this checks the result where it matters, in the PDF's embedded font programs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pdf_glyphs import missing_glyphs
from pdf_text import pdf_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_briefing_pdf_embeds_glyphs_for_its_chinese(world):
    from kechuang.dashboard import exports, selectors

    user = world.users["coordinator"]
    pdf = exports.briefing_pdf(user, selectors.dashboard_scope(user=user))
    text = pdf_text(pdf)
    chinese = {ch for ch in text if "\u4e00" <= ch <= "\u9fff"}
    assert len(chinese) >= 20  # a real briefing in Chinese, not an empty page
    assert missing_glyphs(pdf, "".join(sorted(chinese))) == set()
    assert missing_glyphs(pdf, "科创对接") == set()


def test_the_checker_sees_tofu_when_no_cjk_font_is_available(tmp_path):
    """The same check fails for a PDF rendered with the CJK fonts hidden (fontconfig sees only DejaVu)."""
    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>/usr/share/fonts/truetype</dir><cachedir>{tmp_path}/cache</cachedir></fontconfig>",
        encoding="utf-8",
    )
    out = tmp_path / "tofu.pdf"
    script = (
        "import sys; from weasyprint import HTML\n"
        "HTML(string='<p style=\"font-family: Noto Sans CJK SC\">科创对接 agenda</p>').write_pdf(sys.argv[1])\n"
    )
    env = dict(os.environ, FONTCONFIG_FILE=str(tmp_path / "fonts.conf"))
    subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env, timeout=120)
    pdf = out.read_bytes()
    assert missing_glyphs(pdf, "科创对接") == set("科创对接")
    assert missing_glyphs(pdf, "agenda") == set()


def test_make_run_installs_the_cjk_font_first():
    """`make run` runs the fonts part of system-deps before anything else (not only `make test`)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/system-deps.sh fonts" in run
    script = (ROOT / "scripts" / "system-deps.sh").read_text(encoding="utf-8")
    assert "fonts-noto-cjk" in script
