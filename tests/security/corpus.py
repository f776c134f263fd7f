"""The bad-input corpus: what a careless user, a broken client or an attacker sends to a form field,
a GET filter or an API parameter. Each item carries the exact bytes that go on the wire, so broken
encodings (a lone surrogate encoded as UTF-8, invalid UTF-8) reach the server as they would from a
browser or a script, not as Python strings the test client would refuse to encode.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote_from_bytes

XSS_ZH = "<script>alert('需求')</script>"
XSS_ATTR = '"><img src=x onerror=alert(1)>'
# what must never appear unescaped in a page that shows stored input
RAW_MARKUP = ("<script>alert(", "<img src=x onerror")


@dataclass(frozen=True)
class Item:
    name: str
    klass: str  # nul | number | digits | overlong | encoding | xss
    wire: bytes  # the value's bytes as sent

    @property
    def quoted(self) -> str:
        """The value percent-encoded for a query string or an urlencoded body."""
        return quote_from_bytes(self.wire, safe="")

    def __str__(self) -> str:
        return self.name


def _item(name: str, klass: str, value: str | bytes) -> Item:
    return Item(name, klass, value if isinstance(value, bytes) else value.encode())


CORPUS: tuple[Item, ...] = (
    _item("nul", "nul", "石墨\x00烯"),
    _item("nul-only", "nul", "\x00"),
    _item("huge", "number", "99999999999999999999999"),
    _item("huge-negative", "number", "-99999999999999999999999"),
    _item("superscript", "digits", "²"),
    _item("arabic-indic", "digits", "١٢٣"),
    _item("fullwidth", "digits", "１２３"),
    _item("overlong", "overlong", "长" * 100_000),
    _item("lone-surrogate", "encoding", b"ab\xed\xa0\x80cd"),  # U+D800 in "UTF-8": %ED%A0%80
    _item("invalid-utf8", "encoding", b"\xff\xfe\xc3("),
    _item("xss-zh", "xss", XSS_ZH),
    _item("xss-attr", "xss", XSS_ATTR),
)
CLASSES = tuple(dict.fromkeys(i.klass for i in CORPUS))


def one_per_class(offset: int) -> list[Item]:
    """One item of each class, the member chosen by ``offset`` (different fields of a target get
    different members, so every member is used somewhere), plus the two that break ``int()`` most
    often: the huge number and "²" (which ``str.isdigit()`` accepts)."""
    out = [i for i in CORPUS if i.name in ("huge", "superscript")]
    for k in CLASSES:
        members = [i for i in CORPUS if i.klass == k and i not in out]
        out.append(members[offset % len(members)])
    return out


# uploads: (name, file name, content, content type)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
UPLOADS = (
    ("path-traversal", "../../etc/passwd", PDF, "application/pdf"),
    ("path-traversal-pdf", "../../../tmp/协议.pdf", PDF, "application/pdf"),
    ("overlong-name", "协" * 296 + ".pdf", PDF, "application/pdf"),
    ("exe-renamed-pdf", "合同.pdf", EXE, "application/pdf"),
    ("nul-in-name", "a\x00b.pdf", PDF, "application/pdf"),
    ("xss-name", XSS_ATTR + ".pdf", PDF, "application/pdf"),
)
