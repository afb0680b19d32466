"""Plain functions that build parser output (``ParsedCable``) for ingest and view tests."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cables.parsing.model import Paragraph, ParsedCable, Recipient, Recipients, Reference

_STATION_ORIGINS = {
    "PARIS": "Embassy Paris",
    "STATE": "Secretary of State",
    "BERLIN": "Embassy Berlin",
    "BRUSSELS": "Embassy Brussels",
    "USEUBRUSSELS": "USEU Brussels",
    "RPODUBAI": "REO Dubai",
    "IRANRPODUBAI": "Iran RPO Dubai",
}


def make_reference(target: str, *, label: str | None = "A", text: str | None = None) -> Reference:
    """A cable REF item citing ``target`` (a canonical id)."""
    return Reference(label=label, text=text or target, kind="cable", target=target)


def make_paragraph(number: int | None, text: str, marking: str | None = "C") -> Paragraph:
    return Paragraph(number=number, marking=marking, text=text)


def make_cable(identifier: str = "06PARIS6189", **overrides: Any) -> ParsedCable:
    """A complete, plausible ParsedCable; any field can be overridden."""
    year, station = identifier[:2], identifier[2:].rstrip("0123456789")
    fields: dict[str, Any] = {
        "identifier": identifier,
        "canonical_id": identifier,
        "created": f"20{year}-09-14T16:08:00Z",
        "released": None,
        "classification": "CONFIDENTIAL",
        "origin": _STATION_ORIGINS.get(station, f"Embassy {station.title()}"),
        "station": station,
        "subject": f"Subject of {identifier}",
        "tags": ("PREL", "PGOV", "FR"),
        "references": (),
        "paragraphs": (
            make_paragraph(1, "(C) Summary: something happened. End summary."),
            make_paragraph(2, "(C) Details follow."),
        ),
        "transmission_id": "VZCZCXYZ0001",
        "precedence": "PRIORITY",
        "sender": f"AMEMBASSY {station}",
        "recipients": Recipients(
            to=(Recipient(name="SECSTATE WASHDC", route="RUEHC", precedence="PRIORITY", mcn="1234"),),
            info=(Recipient(name="AMEMBASSY BERLIN", route="RUEHRL"),),
        ),
        "signer": "STAPLETON",
        "classified_by": "Bruce Turner",
        "classification_reasons": ("1.4(b)", "1.4(d)"),
        "declassify_on": "2016-09-14",
        "caveats": ("SIPDIS",),
        "summary": "Something happened.",
        "is_partial": False,
        "header": f"VZCZCXYZ0001\nFM AMEMBASSY {station}",
        "body": f"C O N F I D E N T I A L {station} {identifier[len(year) + len(station) :]}\n\n1. (C) ...",
        "format": "text",
        "warnings": (),
        "extra": {},
    }
    fields.update(overrides)
    return ParsedCable(**fields)


def with_source(cable: ParsedCable, source: str) -> ParsedCable:
    return replace(cable, source=source)
