"""Errors that services raise and views turn into messages in the user's language."""

from __future__ import annotations


class ApplicationError(Exception):
    """A rule of the domain refused the operation; ``message`` is shown to the user as is."""

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
