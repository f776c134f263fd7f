"""The engine's measured quality where people decide: the one-line benchmark note of the suggestions
page (figures read from ``docs/benchmarks-matching.json``, never typed into a template) and
``docs/benchmarks.md`` rendered as a page.

The renderer understands the little Markdown that file uses (headings, paragraphs, lists, tables,
fenced code, `code`, **bold**, links); every character of the source is escaped first.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

SUMMARY_JSON = Path(settings.BASE_DIR) / "docs" / "benchmarks-matching.json"
# the page's names of the sets the file knows (the file's own label is the fallback for new ones)
SET_LABELS = {
    "csl_abstract": gettext_lazy("CSL 摘要"),
    "csl_title": gettext_lazy("CSL 标题"),
    "csl_keywords": gettext_lazy("CSL 关键词"),
    "dblp": gettext_lazy("DBLP 专家发现"),
}


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> dict | None:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    sets = [s for s in data.get("sets", []) if isinstance(s.get("value"), int | float) and s.get("label")]
    if not sets:
        return None
    sets = [{**s, "label": SET_LABELS.get(s.get("key"), s["label"])} for s in sets]
    return {**data, "sets": sets}


def benchmark_summary(path: Path | None = None) -> dict | None:
    """{"metric", "split", "measured", "sets": [{"label", "value"}]} or None when the file is missing
    or has no figures (the page then says nothing rather than something made up)."""
    p = Path(path or SUMMARY_JSON)
    try:
        mtime = p.stat().st_mtime
    except OSError:
        return None
    return _load(str(p), mtime)


_INLINE = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*([^*]+)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+|[\w./#-]+)\)"), r'<a href="\2">\1</a>'),
]


def _inline(text: str) -> str:
    out = escape(text)
    for rx, repl in _INLINE:
        out = rx.sub(repl, out)
    return out


def render_markdown(text: str) -> SafeString:
    html: list[str] = []
    para: list[str] = []
    items: list[str] = []
    table: list[list[str]] = []
    code: list[str] | None = None

    def flush() -> None:
        if para:
            html.append(f"<p>{_inline(' '.join(para))}</p>")
            para.clear()
        if items:
            html.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()
        if table:
            head, *body = table
            body = [r for r in body if not all(re.fullmatch(r":?-{2,}:?", c.strip()) for c in r)]
            rows = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in body)
            th = "".join(f"<th>{_inline(c)}</th>" for c in head)
            html.append(
                f'<div class="table-wrap"><table><thead><tr>{th}</tr></thead><tbody>{rows}</tbody></table></div>'
            )
            table.clear()

    for line in text.splitlines():
        if code is not None:
            if line.strip().startswith("```"):
                html.append("<pre><code>" + escape("\n".join(code)) + "</code></pre>")
                code = None
            else:
                code.append(line)
            continue
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            code = []
        elif m := re.match(r"(#{1,6})\s+(.*)", stripped):
            flush()
            level = min(len(m.group(1)) + 1, 6)  # the page has its own h1
            anchor = re.sub(r"[^a-z0-9]+", "-", m.group(2).split("(")[0].lower()).strip("-")
            ident = f' id="{anchor}"' if anchor else ""
            html.append(f"<h{level}{ident}>{_inline(m.group(2))}</h{level}>")
        elif stripped.startswith("|") and stripped.endswith("|"):
            if para or items:
                rows_so_far = list(table)
                table.clear()
                flush()
                table.extend(rows_so_far)
            table.append([c.strip() for c in stripped[1:-1].split("|")])
        elif re.match(r"[-*]\s+", stripped):
            if para or table:
                flush()
            items.append(re.sub(r"^[-*]\s+", "", stripped))
        elif not stripped:
            flush()
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + stripped
        else:
            if items or table:
                flush()
            para.append(stripped)
    if code is not None:
        html.append("<pre><code>" + escape("\n".join(code)) + "</code></pre>")
    flush()
    return mark_safe("\n".join(html))  # noqa: S308 — every piece above is escaped
