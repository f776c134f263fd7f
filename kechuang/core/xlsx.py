"""Excel cells the platform writes: every value goes through ``safe_cell`` first."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# What makes a spreadsheet treat a text as a formula (or start one: DDE, ``@SUM``, tab/CR tricks).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value that is safe to put in a cell: data stays data, whoever typed it.

    - ``None``, numbers (int, float, Decimal; bool), dates and times are returned unchanged: a
      negative number is a number, not a formula.
    - Anything else becomes a plain ``str`` (choice labels and lazy translations included, which
      openpyxl refuses as ``str`` subclasses), without the control characters openpyxl rejects
      (``ILLEGAL_CHARACTERS_RE``: U+0000–U+0008, U+000B, U+000C, U+000E–U+001F); tab, line feed
      and carriage return stay.
    - Text that then starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is stored
      with a single quote ``'`` in front (OWASP, "CSV Injection"): openpyxl writes it as a text
      cell rather than a formula, and a spreadsheet that re-reads it (or a CSV made from it) does
      not evaluate it. The quote is visible in the cell — the honest price of a value that looks
      like a formula; no zero-width or invisible characters are used.
    """
    if value is None or isinstance(value, int | float | Decimal | date | datetime | time):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
