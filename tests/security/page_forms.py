"""Read every <form> of a rendered page: its method, action and the fields a browser would send (stdlib only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    method: str
    action: str
    enctype: str
    data: list[tuple[str, str]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # every named control, checked or not
    files: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self._select: dict | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def _name(self, name):
        if name not in self.form.names:
            self.form.names.append(name)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = Form(
                (a.get("method") or "get").lower(), a.get("action") or "", (a.get("enctype") or "").lower()
            )
            self.forms.append(self.form)
            return
        if self.form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "button" and name:
            self._name(name)
            self.form.data.append((name, a.get("value") or ""))
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self._name(name)
                self.form.files.append(name)
            elif kind in ("checkbox", "radio"):
                self._name(name)
                if "checked" in a:
                    self.form.data.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset"):
                self._name(name)
                self.form.data.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._name(name)
            self._select = {"name": name, "multiple": "multiple" in a, "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            if "selected" in a:
                self._select["chosen"].append(value)
            if self._select["first"] is None:
                self._select["first"] = value if value is not None else ""
        elif tag == "textarea" and name:
            self._name(name)
            self._textarea, self._text = name, []

    def handle_data(self, data):
        self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif self.form is None:
            return
        elif tag == "select" and self._select is not None:
            s = self._select
            chosen = s["chosen"] or ([] if s["multiple"] else [s["first"] or ""])
            self.form.data += [(s["name"], v if v is not None else "") for v in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.form.data.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def page_forms(html: str) -> list[Form]:
    reader = _Reader()
    reader.feed(html)
    return reader.forms
