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


CLASSIFICATION_SLUGS = {
    "unclassified": 1,
    "unclassified-fouo": 2,
    "confidential": 3,
    "confidential-noforn": 4,
    "secret": 5,
    "secret-noforn": 6,
}
SLUG_BY_CLASSIFICATION = {value: slug for slug, value in CLASSIFICATION_SLUGS.items()}


class ClassificationConverter:
    """A classification in a URL by its slug (``confidential-noforn``), as its integer value."""

    regex = "|".join(sorted(CLASSIFICATION_SLUGS, key=len, reverse=True))

    def to_python(self, value: str) -> int:
        return CLASSIFICATION_SLUGS[value]

    def to_url(self, value: int | str) -> str:
        if isinstance(value, str) and value in CLASSIFICATION_SLUGS:
            return value
        try:
            return SLUG_BY_CLASSIFICATION[int(value)]
        except (KeyError, ValueError) as error:
            raise ValueError(f"not a classification: {value!r}") from error
