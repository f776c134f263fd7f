"""A reader for MiniZinc data files (``.dzn``) and the B2B scheduling format.

We parse the data ourselves instead of depending on MiniZinc: the format used by the B2B
benchmark is a small subset (ints, sets ``{..}``, ranges ``a..b``, 1-D arrays ``[..]``,
2-D arrays ``[| .. | .. |]`` and ``array1d``/``array2d``). Errors carry the line number and
the field so a user can fix a hand-edited file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .model import Meeting, Problem


class DznError(ValueError):
    """Malformed data: the message names the line and, where known, the field."""


_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+) | (?P<comment>%[^\n]*) |
    (?P<int>-?\d+) | (?P<name>[A-Za-z_][A-Za-z0-9_]*) |
    (?P<op>\[\||\|\]|\.\.|[\[\]{}(),;=|])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    line: int


def _tokenise(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos, line = 0, 1
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise DznError(f"line {line}: unexpected character {text[pos]!r}")
        kind = m.lastgroup or ""
        if kind not in ("ws", "comment"):
            toks.append(_Tok(kind, m.group(), line))
        line += m.group().count("\n")
        pos = m.end()
    return toks


class _Parser:
    def __init__(self, toks: list[_Tok]):
        self.toks, self.i, self.field = toks, 0, ""

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def fail(self, what: str) -> DznError:
        tok = self.peek()
        where = f"line {tok.line}" if tok else "end of file"
        got = f", found {tok.text!r}" if tok else ""
        field = f" in field '{self.field}'" if self.field else ""
        return DznError(f"{where}{field}: expected {what}{got}")

    def take(self, text: str | None = None, kind: str | None = None) -> _Tok:
        tok = self.peek()
        if tok is None or (text is not None and tok.text != text) or (kind is not None and tok.kind != kind):
            raise self.fail(repr(text) if text else kind or "token")
        self.i += 1
        return tok

    def at(self, text: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.text == text

    def document(self) -> dict[str, object]:
        out: dict[str, object] = {}
        while self.peek() is not None:
            name = self.take(kind="name")
            self.field = name.text
            self.take("=")
            out[name.text] = self.value()
            self.take(";")
            self.field = ""
        return out

    def value(self) -> object:
        tok = self.peek()
        if tok is None:
            raise self.fail("a value")
        if tok.text == "{":
            return self.set_literal()
        if tok.text == "[|":
            return self.array2d_literal()
        if tok.text == "[":
            return self.array1d_literal()
        if tok.kind == "name" and tok.text in ("array1d", "array2d"):
            return self.array_call()
        if tok.kind == "name" and tok.text in ("true", "false"):
            self.i += 1
            return tok.text == "true"
        if tok.kind == "int":
            self.i += 1
            if self.at(".."):
                self.i += 1
                hi = int(self.take(kind="int").text)
                return frozenset(range(int(tok.text), hi + 1))
            return int(tok.text)
        raise self.fail("a value")

    def set_literal(self) -> frozenset[int]:
        self.take("{")
        items: set[int] = set()
        while not self.at("}"):
            lo = int(self.take(kind="int").text)
            if self.at(".."):
                self.i += 1
                items.update(range(lo, int(self.take(kind="int").text) + 1))
            else:
                items.add(lo)
            if not self.at("}"):
                self.take(",")
        self.take("}")
        return frozenset(items)

    def array1d_literal(self) -> list[object]:
        self.take("[")
        items: list[object] = []
        while not self.at("]"):
            items.append(self.value())
            if not self.at("]"):
                self.take(",")
        self.take("]")
        return items

    def array2d_literal(self) -> list[list[object]]:
        self.take("[|")
        rows: list[list[object]] = []
        row: list[object] = []
        while True:
            if self.at("|]"):
                self.i += 1
                if row:
                    rows.append(row)
                break
            if self.at("|"):
                self.i += 1
                rows.append(row)
                row = []
                continue
            row.append(self.value())
            if not (self.at("|") or self.at("|]")):
                self.take(",")
        widths = {len(r) for r in rows}
        if len(widths) > 1:
            raise DznError(f"field '{self.field}': 2-D array rows have different lengths {sorted(widths)}")
        return rows

    def array_call(self) -> list[object]:
        kind = self.take(kind="name").text
        self.take("(")
        dims = []
        for _ in range(1 if kind == "array1d" else 2):
            d = self.value()
            if not isinstance(d, frozenset):
                raise self.fail("an index range a..b")
            dims.append(len(d))
            self.take(",")
        flat = self.array1d_literal()
        self.take(")")
        if kind == "array1d":
            return flat
        n, m = dims
        if n * m != len(flat):
            raise DznError(f"field '{self.field}': array2d has {len(flat)} values, expected {n}x{m}")
        return [flat[r * m : (r + 1) * m] for r in range(n)]


def parse_dzn(text: str) -> dict[str, object]:
    """Parse MiniZinc data into ``{name: value}`` (ints, frozensets, lists, lists of rows)."""
    return _Parser(_tokenise(text)).document()


def _int(data: dict[str, object], name: str) -> int:
    if name not in data:
        raise DznError(f"missing field '{name}'")
    v = data[name]
    if not isinstance(v, int) or isinstance(v, bool):
        raise DznError(f"field '{name}' must be an integer")
    return v


def problem_from_dzn(data: dict[str, object], name: str = "") -> Problem:
    """Build a :class:`Problem` from parsed B2B data, checking every field's shape.

    ``meetingsxBusiness`` and ``nMeetingsBusiness`` are redundant (derived from ``requested``)
    and only cross-checked; in the published files ``meetingsxBusiness`` is shifted by one with
    a dummy ``1``, so it is not used to build anything. ``forbidden`` uses 0 as a dummy slot.
    """
    n_b = _int(data, "nBusiness")
    n_m = _int(data, "nMeetings")
    n_tables = _int(data, "nTables")
    n_slots = _int(data, "nTotalSlots")
    n_morning = _int(data, "nMorningSlots")
    req = data.get("requested")
    if not isinstance(req, list):
        raise DznError("missing or malformed field 'requested' (a 2-D array [| p1, p2, session | ... |])")
    if len(req) != n_m:
        raise DznError(f"field 'requested' has {len(req)} rows but nMeetings = {n_m}")
    meetings = []
    for i, row in enumerate(req, start=1):
        if not isinstance(row, list) or len(row) != 3 or not all(isinstance(v, int) for v in row):
            raise DznError(f"field 'requested' row {i}: expected 3 integers p1, p2, session")
        a, b, sess = row
        for p in (a, b):
            if not 1 <= p <= n_b:
                raise DznError(f"field 'requested' row {i}: participant {p} outside 1..{n_b}")
        if a == b:
            raise DznError(f"field 'requested' row {i}: a participant cannot meet itself ({a})")
        if sess not in (1, 2, 3):
            raise DznError(f"field 'requested' row {i}: session {sess} must be 1, 2 or 3")
        meetings.append(Meeting(id=i, participants=(a, b), session=sess))

    unavailable: dict[int, frozenset[int]] = {}
    forb = data.get("forbidden")
    if forb is not None:
        if not isinstance(forb, list) or len(forb) != n_b:
            raise DznError(f"field 'forbidden' must be an array of {n_b} sets")
        for p, s in enumerate(forb, start=1):
            if not isinstance(s, frozenset):
                raise DznError(f"field 'forbidden' entry {p} must be a set")
            bad = [x for x in s if x != 0 and not 1 <= x <= n_slots]
            if bad:
                raise DznError(f"field 'forbidden' entry {p}: slot {bad[0]} outside 1..{n_slots}")
            real = frozenset(x for x in s if x != 0)
            if real:
                unavailable[p] = real

    fixed: dict[int, int] = {}
    fx = data.get("fixed")
    if fx is not None:
        if not isinstance(fx, list) or len(fx) != n_m:
            raise DznError(f"field 'fixed' must be an array of {n_m} slots (0 = free)")
        for i, s in enumerate(fx):
            if not isinstance(s, int) or not 0 <= s <= n_slots:
                raise DznError(f"field 'fixed' entry {i + 1}: {s!r} is not a slot in 0..{n_slots}")
            if s:
                fixed[i] = s

    precedences: list[tuple[int, int]] = []
    pr = data.get("precedences")
    if pr is not None:
        if not isinstance(pr, list) or len(pr) != n_m:
            raise DznError(f"field 'precedences' must be an array of {n_m} sets")
        for i, s in enumerate(pr):
            if not isinstance(s, frozenset):
                raise DznError(f"field 'precedences' entry {i + 1} must be a set")
            for j in sorted(s):
                if not 1 <= j <= n_m:
                    raise DznError(f"field 'precedences' entry {i + 1}: meeting {j} outside 1..{n_m}")
                precedences.append((j - 1, i))  # meeting j happens before meeting i+1

    counts = data.get("nMeetingsBusiness")
    if isinstance(counts, list) and len(counts) == n_b:
        derived = [0] * n_b
        for m in meetings:
            for p in m.participants:
                derived[p - 1] += 1
        for p, (given, got) in enumerate(zip(counts, derived), start=1):
            if given != got:
                raise DznError(
                    f"field 'nMeetingsBusiness' entry {p}: says {given} meetings, 'requested' has {got}"
                )

    return Problem(
        n_participants=n_b,
        n_slots=n_slots,
        n_tables=n_tables,
        n_morning_slots=n_morning,
        meetings=tuple(meetings),
        unavailable=unavailable,
        fixed=fixed,
        precedences=tuple(precedences),
        name=name,
    )


def load_b2b(path: str | Path) -> Problem:
    """Read a B2B ``.dzn`` file; raises ``FileNotFoundError`` or :class:`DznError`."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    try:
        return problem_from_dzn(parse_dzn(text), name=p.name.removesuffix(".dzn"))
    except DznError as exc:
        raise DznError(f"{p}: {exc}") from None
