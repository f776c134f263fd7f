"""Cells that are safe to hand to Excel: every text cell of every export goes through ``safe_cell``.

Two dangers in user-typed text (a need's title, an audit entry's object name):

- formula injection: text beginning ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return that
  hides one) is run as a formula by spreadsheet programs (and openpyxl itself writes any string
  beginning ``=`` as a formula). Such text gets a leading ``'``, OWASP's advice, so it stays text.
- control characters XML 1.0 forbids (``\\x00``–``\\x08``, ``\\x0b``, ``\\x0c``, ``\\x0e``–``\\x1f``):
  openpyxl refuses the whole workbook over one of them. They are removed.

Numbers, dates, booleans and None pass unchanged; str subclasses (choice labels, lazy
translations) become plain ``str`` (openpyxl refuses subclasses).
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.functional import Promise

ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value to write into a cell: text defused (see the module docstring), anything else as is."""
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        return value
    text = ILLEGAL.sub("", str(value))
    if text.startswith(FORMULA_START):
        return "'" + text
    return text
