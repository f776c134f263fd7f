"""Enough of a PDF reader to get the text WeasyPrint wrote (no pdftotext on these machines):
inflate every stream, unpack object streams, map each font's glyph codes back to Unicode through
its ToUnicode CMap, and decode the strings shown with Tj/TJ under that font."""

from __future__ import annotations

import contextlib
import re
import zlib


def _objects(pdf: bytes) -> dict[int, bytes]:
    objs: dict[int, bytes] = {}
    for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", pdf, re.S):
        body = m.group(2)
        s = re.search(rb"stream\r?\n(.*)endstream", body, re.S)
        if s and b"FlateDecode" in body[: s.start()]:
            with contextlib.suppress(zlib.error):
                body = body[: s.start()] + b"stream\n" + zlib.decompress(s.group(1)) + b"endstream"
        objs[int(m.group(1))] = body
    for body in list(objs.values()):
        if b"/Type /ObjStm" in body or b"/Type/ObjStm" in body:
            n = int(re.search(rb"/N (\d+)", body).group(1))
            first = int(re.search(rb"/First (\d+)", body).group(1))
            data = body[body.index(b"stream\n") + 7 : body.rindex(b"endstream")]
            head = data[:first].split()
            pairs = [(int(head[2 * i]), int(head[2 * i + 1])) for i in range(n)]
            for k, (num, off) in enumerate(pairs):
                end = pairs[k + 1][1] if k + 1 < n else len(data) - first
                objs[num] = data[first + off : first + end]
    return objs


def _cmap(data: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for a, b, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            base = int(dst, 16)
            for k, code in enumerate(range(int(a, 16), int(b, 16) + 1)):
                out[code] = chr(base + k)
    return out


def pdf_text(pdf: bytes) -> str:
    objs = _objects(pdf)
    fonts: dict[bytes, dict[int, str]] = {}  # resource name -> cmap (names are unique per document here)
    dicts = []
    for body in objs.values():
        dicts += re.findall(rb"/Font\s*<<(.*?)>>", body, re.S)
        dicts += [objs.get(int(n), b"") for n in re.findall(rb"/Font (\d+) 0 R", body)]
    for res in dicts:
        if res:
            for name, num in re.findall(rb"/(\w+)\s+(\d+) 0 R", res):
                font = objs.get(int(num), b"")
                tu = re.search(rb"/ToUnicode (\d+) 0 R", font)
                if tu:
                    fonts[name] = _cmap(objs.get(int(tu.group(1)), b""))
    text = []
    for body in objs.values():
        if b" Tf" not in body or b"stream" not in body:
            continue
        cmap: dict[int, str] = {}
        for tok in re.finditer(rb"/(\w+) [\d.]+ Tf|<([0-9A-Fa-f]+)>|(ET)", body):
            if tok.group(1):
                cmap = fonts.get(tok.group(1), {})
            elif tok.group(2):
                h = tok.group(2)
                step = 4 if len(h) % 4 == 0 else 2
                text.append("".join(cmap.get(int(h[i : i + step], 16), "") for i in range(0, len(h), step)))
            else:
                text.append("\n")
    return "".join(text)


def font_names(pdf: bytes) -> set[str]:
    return {
        m.decode()
        for m in re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([A-Za-z-]+)", b"".join(_objects(pdf).values()))
    }
