"""Read a rendered HTML form the way a browser would submit it, unchanged (stdlib only).

Used by the "open a form and save it without touching anything: nothing may change" tests.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, index: int):
        super().__init__(convert_charrefs=True)
        self.index, self.seen, self.inside = index, -1, False
        self.data: list[tuple[str, str]] = []
        self._select: dict | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self.seen += 1
            self.inside = self.seen == self.index
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.data.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in a, "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            self._select["pending"] = value
            self._text = []
            if "selected" in a:
                self._select["chosen"].append(value)
            if self._select["first"] is None:
                self._select["first"] = value if value is not None else ""
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select is not None:
            s = self._select
            chosen = s["chosen"] or ([] if s["multiple"] else [s["first"] or ""])
            self.data += [(s["name"], v if v is not None else "") for v in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.data.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_data(html: str, *, with_field: str) -> dict[str, list[str]]:
    """The fields of the first POST form in ``html`` that has ``with_field``, as a browser sends them."""
    index = 0
    while True:
        reader = _FormReader(index)
        reader.feed(html)
        if reader.seen < index:
            raise AssertionError(f"no POST form with a field {with_field!r}")
        out: dict[str, list[str]] = {}
        for name, value in reader.data:
            out.setdefault(name, []).append(value)
        if with_field in out:
            return out
        index += 1
