"""Path converters: a cable identifier in a URL (``/cables/06PARIS6189/``)."""

from __future__ import annotations


class CableIdentifierConverter:
    """A published cable identifier: letters and digits, starting with the two-digit year.

    Identifiers are matched as published (upper case); ``06paris6189`` is not the same URL.
    """

    regex = r"[0-9]{2}[A-Z0-9]{1,98}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
