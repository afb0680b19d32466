"""Pure-Python parser for Cablegate cables (no Django): ``shared/docs/cable-format.md``.

Public API:

* :func:`parse_bytes`, :func:`parse_path` -> ``list[dict]`` (the JSON contract, spec 2.4);
* :func:`iter_path` -> ``ParsedCable | ParseError`` items, streamed (CSV record by record), for
  the ingest service; :func:`parse_file`, :func:`parse_text` -> ``list[ParsedCable]``;
* the field rules one by one (``canonicalize_id``, ``parse_created``, ...).
"""

from __future__ import annotations

from .api import iter_path, parse_bytes, parse_file, parse_path, parse_text
from .errors import ParseError
from .header import parse_created, parse_recipients
from .identifiers import canonicalize_id
from .model import Paragraph, ParsedCable, Recipient, Recipients, Reference

__all__ = [
    "Paragraph",
    "ParseError",
    "ParsedCable",
    "Recipient",
    "Recipients",
    "Reference",
    "canonicalize_id",
    "clean_content",
    "iter_path",
    "parse_bytes",
    "parse_classified_by",
    "parse_created",
    "parse_declassify_on",
    "parse_file",
    "parse_paragraphs",
    "parse_path",
    "parse_recipients",
    "parse_references",
    "parse_signer",
    "parse_subject",
    "parse_summary",
    "parse_tags",
    "parse_text",
    "tag_kind",
    "titlefy",
]

_LAZY = {
    "parse_tags": "tags",
    "tag_kind": "tags",
    "parse_subject": "subject",
    "parse_references": "references",
    "parse_classified_by": "classified_by",
    "parse_declassify_on": "eo",
    "parse_summary": "paragraphs",
    "parse_signer": "paragraphs",
    "parse_paragraphs": "paragraphs",
    "clean_content": "paragraphs",
    "titlefy": "paragraphs",
}


def __getattr__(name: str):  # field functions of the colleagues' modules, imported on first use
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
