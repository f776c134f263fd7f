"""What an import kind is: a form that validates a row, a natural key, and a service that writes.

Each app that accepts Excel rows defines ``IMPORTS = {"<kind>": <ImportKind subclass>()}`` in its
``intake.py`` (found by ``core.extensions.app_modules("intake")``). The columns are the form's own
fields, so the template's headers are the form's labels and a row is checked by exactly the rules
the page applies; the write goes through the same service as the page (history, audit, access).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.conf import settings
from django.utils import translation

from kechuang.intake.workbook import normalise_header


@dataclass
class Column:
    name: str  # the form field
    header: str  # the form's label: the template's header
    required: bool = False
    note: str = ""  # one line for the template's comment on the header
    choices: list[tuple[str, str]] | None = None  # (label, form value): a drop-down in the template
    aliases: list[str] = field(default_factory=list)
    multiple: bool = False  # several values separated by 、，; in one cell
    lookup: dict[str, str] = field(default_factory=dict)  # norm(cell text) → form value
    is_date: bool = False


@dataclass
class Outcome:
    """What applying one valid row did (or, in a dry run, would do)."""

    action: str  # "create" | "update" | "skip"
    label: str  # what the row is, for the preview (need titles through need_label)
    reason: str = ""
    obj: object = None
    staged: bool = False  # bulk path: ``obj`` is not written yet; ``write_staged`` writes it and sets ``label``


class Later:
    """Text for the report that can only be written after the staged rows are (a near match that
    names a need created earlier in the same file): ``str()`` of it, once written, is the text."""

    def __init__(self, make):
        self.make = make

    def __str__(self) -> str:
        return self.make()


def spellings(text) -> list[str]:
    """``text`` in the current language first, then in every other language of the site.

    Headers, sheet names and choice labels are translated interface text, so a workbook made
    from the Chinese template must still be read when the uploader works in English (and vice
    versa): each is recognised in every language the site offers.
    """
    out = [str(text)]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            s = str(text)
        if s not in out:
            out.append(s)
    return out


def norm(text) -> str:
    """Choice text as compared: NFKC, no spaces, lower case."""
    return normalise_header(text)


DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def date_text(text: str) -> str:
    """2027/6/30, 2027.6.30 and 2027年6月30日 as ISO; anything else unchanged (the form says why)."""
    m = DATE_RE.match(unicodedata.normalize("NFKC", text).strip())
    if not m:
        return text
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return text


class ImportKind:
    """Base class: subclasses set ``label``, ``sheet`` and implement the four hooks."""

    label = ""  # 需求 / 专家 …
    sheet = ""  # the template's sheet name
    key_help = ""  # how a row is matched to an existing record (shown on the page)
    children: tuple[ImportKind, ...] = ()  # extra sheets (论文, 专利) read after this one, same transaction
    # True when ``form(user, data)``'s __init__ depends on the user only, never on the row's data:
    # the bulk path then builds the form once per file and binds a copy of it to each row
    reuse_form = False
    # how many rows' results the report keeps in full (the rest are counted; rows that flag near
    # duplicates are always kept): None keeps every row's; a kind whose files are large sets it
    listed_results: int | None = None

    def allowed(self, user) -> bool:
        raise NotImplementedError

    def form(self, user, data: dict | None = None) -> forms.Form:
        raise NotImplementedError

    def row_data(self, data: dict) -> dict:
        """A row's form data as the form is bound to it (defaults for blank cells); by default as read."""
        return data

    def key(self, cleaned: dict) -> tuple:
        """The natural key of a valid row (a second row with the same key is an error)."""
        raise NotImplementedError

    def apply(self, user, form: forms.Form, context: dict) -> Outcome:
        """Create, update or skip through the app's services (inside the import's transaction)."""
        raise NotImplementedError

    def stage(self, user, form: forms.Form, context: dict) -> Outcome:
        """The bulk path's ``apply``: may return ``Outcome(..., staged=True)`` for a create that
        ``write_staged`` writes later with others (in the same transaction). By default: ``apply``."""
        return self.apply(user, form, context)

    def write_staged(self, user, outcomes: list[Outcome], context: dict) -> list:
        """Write the staged outcomes at once; for each, the ``ApplicationError`` the one-row service
        would have raised, or None (then ``outcome.label`` is set)."""
        raise NotImplementedError

    def likely_duplicates(self, user, cleaned: dict, context: dict) -> list[str]:
        """Near matches a person should look at (not errors); empty by default."""
        return []

    def context(self, user) -> dict:
        """Anything worth computing once per import (lookups, existing keys)."""
        return {}

    def bulk(self):
        """A context manager around the whole import for per-file (not per-row) bookkeeping."""
        return contextlib.nullcontext()

    # -- columns come from the form ------------------------------------------------------------
    skip_fields: tuple[str, ...] = ("version",)
    notes: dict[str, str] = {}
    aliases: dict[str, list[str]] = {}

    def columns(self, user) -> list[Column]:
        f = self.form(user)
        cols = []
        for name, fld in f.fields.items():
            if name in self.skip_fields or isinstance(fld.widget, forms.HiddenInput):
                continue
            col = Column(
                name=name,
                header=str(fld.label or name),
                required=fld.required,
                note=str(self.notes.get(name) or fld.help_text or ""),
                aliases=[*spellings(fld.label or name)[1:], *self.aliases.get(name, [])],
                multiple=isinstance(fld, forms.MultipleChoiceField | forms.ModelMultipleChoiceField),
                is_date=isinstance(fld, forms.DateField),
            )
            if isinstance(fld, forms.ModelChoiceField):  # (ModelMultipleChoiceField too)
                col.choices = []
                for o in fld.queryset:
                    label, value = self.choice_label(name, o), str(o.pk)
                    col.choices.append((label, value))
                    for text in (label, *self.extra_spellings(name, o)):
                        if text:
                            col.lookup.setdefault(norm(text), value)
            elif isinstance(fld, forms.ChoiceField):
                col.choices = [(str(lbl), str(v)) for v, lbl in fld.choices if v not in ("", None)]
                for lbl, value in [(lbl, str(v)) for v, lbl in fld.choices if v not in ("", None)]:
                    for text in spellings(lbl):  # a cell filled in either language
                        col.lookup.setdefault(norm(text), value)
                    col.lookup.setdefault(norm(value), value)
            cols.append(col)
        return cols

    def choice_label(self, name: str, obj) -> str:
        """How a related object is written in a cell (its name); override for other spellings."""
        return str(getattr(obj, "name", obj))

    def extra_spellings(self, name: str, obj) -> list[str]:
        """Other cell texts that mean ``obj`` (short name, credit code …)."""
        return []
