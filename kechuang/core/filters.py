"""Parsing of list filters that every app shares (the text of a search box)."""

from __future__ import annotations

SEARCH_MAX_CHARS = 100


def search_text(value) -> str:
    """A search box's text, safe for every database: no NUL character (PostgreSQL refuses them in a
    string literal), at most ``SEARCH_MAX_CHARS`` characters (SQLite refuses LIKE patterns over
    50,000 bytes; nobody searches with a paragraph)."""
    return str(value or "").replace("\x00", "").strip()[:SEARCH_MAX_CHARS]
