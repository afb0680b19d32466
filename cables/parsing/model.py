"""The parser's output: frozen dataclasses whose ``as_dict()`` is the JSON contract.

Key order of ``ParsedCable.as_dict()`` is the order of ``cable-format.md`` 2.1; nothing
outside ``extra`` may be added without changing the contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CLASSIFICATIONS: tuple[str, ...] = (
    "UNCLASSIFIED",
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
    "CONFIDENTIAL",
    "CONFIDENTIAL//NOFORN",
    "SECRET",
    "SECRET//NOFORN",
)

REFERENCE_KINDS: tuple[str, ...] = (
    "cable",
    "email",
    "telcon",
    "report",
    "memo",
    "meeting",
    "book",
    "web",
    "other",
)


@dataclass(frozen=True, slots=True)
class Reference:
    label: str | None
    text: str
    kind: str
    target: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "text": self.text, "kind": self.kind, "target": self.target}


@dataclass(frozen=True, slots=True)
class Paragraph:
    number: int | None
    marking: str | None
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "marking": self.marking, "text": self.text}


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str
    route: str | None = None
    precedence: str | None = None
    mcn: str | None = None
    excluded: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "route": self.route,
            "precedence": self.precedence,
            "mcn": self.mcn,
            "excluded": list(self.excluded),
        }


@dataclass(frozen=True, slots=True)
class Recipients:
    to: tuple[Recipient, ...] = ()
    info: tuple[Recipient, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"to": [r.as_dict() for r in self.to], "info": [r.as_dict() for r in self.info]}


@dataclass(frozen=True, slots=True)
class ParsedCable:
    identifier: str
    canonical_id: str
    created: str | None
    released: str | None
    classification: str
    origin: str | None
    station: str
    subject: str
    tags: tuple[str, ...]
    references: tuple[Reference, ...]
    paragraphs: tuple[Paragraph, ...]
    transmission_id: str | None
    precedence: str | None
    sender: str | None
    recipients: Recipients
    signer: str | None
    classified_by: str | None
    classification_reasons: tuple[str, ...]
    declassify_on: str | None
    caveats: tuple[str, ...]
    summary: str | None
    is_partial: bool
    header: str
    body: str
    format: str
    warnings: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)
    # Where the cable came from (file path, CSV record line); not part of the JSON contract.
    source: str = field(default="", compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of the contract, keys in contract order."""
        return {
            "identifier": self.identifier,
            "canonical_id": self.canonical_id,
            "created": self.created,
            "released": self.released,
            "classification": self.classification,
            "origin": self.origin,
            "station": self.station,
            "subject": self.subject,
            "tags": list(self.tags),
            "references": [r.as_dict() for r in self.references],
            "paragraphs": [p.as_dict() for p in self.paragraphs],
            "transmission_id": self.transmission_id,
            "precedence": self.precedence,
            "sender": self.sender,
            "recipients": self.recipients.as_dict(),
            "signer": self.signer,
            "classified_by": self.classified_by,
            "classification_reasons": list(self.classification_reasons),
            "declassify_on": self.declassify_on,
            "caveats": list(self.caveats),
            "summary": self.summary,
            "is_partial": self.is_partial,
            "header": self.header,
            "body": self.body,
            "format": self.format,
            "warnings": list(self.warnings),
            "extra": dict(self.extra),
        }
