"""Composition: from a :class:`RawCable` (metadata + header + body) to a :class:`ParsedCable`.

Order: repeated opening block (3.6.1), header fields (3.2, 3.5), identifier (3.1),
classification (3.3), layout stripping (3.6.2), then the field modules on the stripped body,
then the warnings (one per code, sorted by code) and ``extra``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Any

from . import classification as cls
from . import classified_by as cb_mod
from . import eo as eo_mod
from . import header as hdr
from . import paragraphs as par_mod
from . import references as ref_mod
from . import subject as subj_mod
from . import tags as tags_mod
from .errors import ParseError
from .formats import RawCable, derive_telegram_identifier
from .identifiers import canonicalize_id
from .model import Paragraph, ParsedCable, Recipients, Reference
from .text import is_marked_rstripped, mark_rstripped, remember_lines, split_lines

_WS_RE = re.compile(r"\s+")
_STATION_RE = re.compile(r"^\d\d([A-Z]+?)\d+$")

# --- 3.6.1 repeated opening block ------------------------------------------------------------


def remove_repeated_block(body: str) -> tuple[str, int]:
    """Delete the first copy of a repeated opening block; returns (body, lines removed).

    Lines are compared with whitespace collapsed and blank lines ignored. Only an exact repeat
    of the ``k`` non-blank lines before the next occurrence of the first line is removed.
    """
    # most bodies repeat nothing: look for a repeat of the first line without splitting the
    # body (the same test as below), and run the full comparison only when there is one
    n = len(body)
    pos = 0
    while True:
        end = body.find("\n", pos)
        if end < 0:
            end = n
        if body[pos:end].strip():
            break
        if end == n:
            return body, 0
        pos = end + 1
    first = " ".join(body[pos:end].split())
    # a repeat holds every word of the first line: look for the longest one (a letter-spaced
    # banner starts with a one-letter word found all over the body)
    probe = max(first.split(" "), key=len)
    size = len(first)
    at = end + 1
    while at < n and (hit := body.find(probe, at)) >= 0:
        start = body.rfind("\n", 0, hit) + 1
        stop = body.find("\n", hit)
        if stop < 0:
            stop = n
        if stop - start >= size and " ".join(body[start:stop].split()) == first:
            return _remove_repeated_block(body)
        at = stop + 1
    return body, 0


def _remove_repeated_block(body: str) -> tuple[str, int]:
    lines = split_lines(body)  # remembered by tidy for most bodies (not changed here)
    first_at = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first_at is None:
        return body, 0
    first = " ".join(lines[first_at].split())
    probe = first.split(" ", 1)[0]
    size = len(first)
    # a repeat of the first line holds the probe and is at least as long as its collapsed form;
    # only those lines are collapsed and compared (the others cannot start a repeat). The
    # repeat is near the top: the non-blank lines (from the first one on) are listed only as
    # far as a comparison needs them, and their collapsed text when it is needed
    nonblank: list[int] = []
    listed = first_at  # lines before this one are in ``nonblank`` when not blank

    def list_until(stop: int, count: int) -> None:
        """List the non-blank lines before ``stop``, and on until ``count`` are listed."""
        nonlocal listed
        while listed < len(lines) and (listed < stop or len(nonblank) < count):
            line = lines[listed]
            if line and not line.isspace():
                nonblank.append(listed)
            listed += 1

    collapsed: dict[int, str] = {}

    def key(k: int) -> str:
        if k not in collapsed:
            collapsed[k] = " ".join(lines[k].split())
        return collapsed[k]

    for i in range(first_at + 1, len(lines)):
        if probe not in lines[i] or len(lines[i]) < size or key(i) != first:
            continue
        list_until(i + 1, 0)
        j = bisect_left(nonblank, i)  # non-blank lines before this one (it equals the first line)
        if j < 2 and cls.find_banner(first) is None:
            continue
        # candidate: the j non-blank lines before must equal the j non-blank lines from here
        list_until(0, 2 * j)
        if (
            len(nonblank) - j >= j
            and all(
                lines[a] == lines[b] or key(a) == key(b)  # a verbatim copy needs no collapsing
                for a, b in zip(nonblank[:j], nonblank[j : 2 * j], strict=True)
            )
        ):
            # "\n".join(lines[:first_at] + lines[i:]), cut from the body (line k starts after k newlines)
            kept = sum(map(len, lines[:first_at])) + first_at
            result = body[:kept] + body[sum(map(len, lines[:i])) + i :]
            if is_marked_rstripped(body):
                # whole lines of a text with no trailing spaces: its tidy is at most an outer
                # strip, and its lines are known (the caller tidies it again)
                remember_lines(mark_rstripped(result), lines[:first_at] + lines[i:])
            return result, j
    return body, 0


# --- field modules ---------------------------------------------------------------------------


# ``^\s*¶?\s*N\s*\.`` (MULTILINE) searched in "\n" + text: the literal newline first scans fast,
# and the match starts at the newline before the line where the original match starts
_PARA_ONE_RE = re.compile(r"\n\s*¶?\s*1\s*\.")
_PARA_TWO_RE = re.compile(r"\n\s*¶?\s*2\s*\.")


def _preamble_fallback(body: str) -> tuple[str, str]:
    match = _PARA_ONE_RE.search("\n" + body)
    if not match:
        return body, ""
    return body[: match.start()], body[match.start() :]


_OFFICE_STOP_RE = re.compile(r"^\s*(?:E\.?\s?[O0]\.?(?=[\s\d:])|TAGS?\b|SUBJ|REF|Classified\s+By)", re.I)


def office_lines(preamble: str) -> list[str]:
    """``DEPARTMENT FOR …``, ``STATE PASS …`` lines between the banner/caveats and the E.O. line."""
    out: list[str] = []
    lines = preamble.split("\n")
    for index, line in enumerate(lines):
        if index == 0 and cls.find_banner(line):
            continue
        if _OFFICE_STOP_RE.match(line):
            break
        text = " ".join(line.split())
        if not text or cls.caveats_of_line(text) or hdr.is_body_start(line):
            continue
        if hdr.has_partial_note(text):
            continue
        out.append(text)
    return out


def _first_paragraph_region(preamble: str, rest: str) -> str:
    """Preamble plus paragraph 1 (old cables put ``CLASSIFIED BY`` there)."""
    match = _PARA_TWO_RE.search("\n" + rest)
    head = rest[: match.start()] if match else rest[:3000]
    return preamble + "\n" + head


def _merge_warnings(items: list[str]) -> tuple[str, ...]:
    by_code: dict[str, list[str]] = {}
    for item in items:
        code, _, detail = item.partition(":")
        code = code.strip()
        detail = detail.strip()
        details = by_code.setdefault(code, [])
        if detail and detail not in details:
            details.append(detail)
    return tuple(
        f"{code}: {'; '.join(details)}" if details else code for code, details in sorted(by_code.items())
    )


def _station(canonical: str) -> str:
    match = _STATION_RE.match(canonical)
    if match:
        return match.group(1)
    return re.sub(r"[^A-Z]", "", canonical)


def _csv_references(
    refs: list[Reference], csv_refs: list[str] | None, known_ids: Any, warnings: list[str], own: str
) -> list[Reference]:
    """Column 6 against the REF lines (1.5). The cable's own canonical id is never a reference
    (3.10), from either source: a malformed published id (``09NSSAU504``) whose REF line names
    its well-formed twin (``NASSAU 504`` = its own canonical id) has no reference, and column 6
    must not bring the dropped one back."""
    if not csv_refs:
        return refs
    body_targets = [r.target for r in refs if r.kind == "cable" and r.target]
    pairs = [(text, canonicalize_id(text, known_ids)) for text in csv_refs]
    pairs = [(text, target) for text, target in pairs if target != own]
    csv_targets = [target for _, target in pairs]
    only = sorted(set(body_targets) ^ set(csv_targets))
    if not body_targets and pairs:
        warnings.append(f"references-from-csv: {len(pairs)} ids from column 6")
        filled = list(refs)
        seen: set[str] = set()
        for text, target in pairs:
            if target not in seen:
                seen.add(target)
                filled.append(Reference(label=None, text=text, kind="cable", target=target))
        return filled
    if only:
        warnings.append(f"csv-references-differ: {', '.join(only)}")
    return refs


def build_cable(raw: RawCable, *, known_ids: Any = None) -> ParsedCable:
    """All fields of one cable (sections 2 and 3 of the spec)."""
    warnings: list[str] = list(raw.warnings)
    extra: dict[str, Any] = {}
    header = hdr.tidy(raw.header)
    body, removed = remove_repeated_block(hdr.tidy(raw.body))
    if removed:  # else ``body`` is the tidied text already (tidy is idempotent)
        body = hdr.tidy(body)
    partial = hdr.is_partial(header)

    identifier = raw.identifier
    if not identifier:
        identifier = derive_telegram_identifier(header, body, raw.path, warnings)
        if not identifier:
            raise ParseError("no identifier", path=raw.path, line=raw.line)
    canonical = canonicalize_id(identifier, known_ids, warnings=warnings)
    station = _station(canonical)

    # header fields
    if partial:
        transmission_id = precedence = sender = None
        recipients = Recipients()
    else:
        transmission_id = hdr.parse_transmission_id(header)
        precedence = hdr.parse_precedence(header, extra)
        sender = hdr.parse_sender(header)
        recipients = hdr.parse_recipients(header)
    created, source = hdr.created_info(
        header,
        page_value=raw.page_created,
        csv_value=raw.csv_created,
        id_year=canonical[:2],
        warnings=warnings,
    )
    if source:
        extra["created_source"] = source
    released = hdr.page_timestamp(raw.released)

    # preamble and classification
    stripped = par_mod.strip_layout(body)
    preamble, rest = par_mod.split_preamble(stripped)
    banner = cls.find_banner(body)
    # caveat lines (SIPDIS) are layout for the other fields: read them from the unstripped body
    caveats = cls.collect_caveats(_preamble_fallback(body)[0])
    classification, derived = cls.classify(raw.classification, banner, caveats, warnings=warnings)
    if classification.endswith("//NOFORN") and "NOFORN" not in caveats:
        caveats.append("NOFORN")
    if banner:
        extra["banner"] = banner
    if derived:
        extra["banner_classification"] = derived

    origin = raw.origin
    if not origin:
        origin = hdr.origin_from_sender(sender)
        if origin:
            warnings.append(f"origin-derived: from FM {sender}")

    # subject
    # one read: the cleaned subject is clean_subject of the raw one ("" stays "")
    subject_raw = subj_mod.parse_subject(preamble, clean=False)
    subject = subj_mod.clean_subject(subject_raw) if subject_raw else ""
    if subject_raw:
        extra["subject_raw"] = subject_raw
    if not subject:
        warnings.append("subject-missing: no SUBJECT line")

    # tags
    tags = list(tags_mod.parse_tags(preamble, warnings=warnings))
    if not tags:
        if raw.page_tags:
            tags = list(dict.fromkeys(t.upper() for t in raw.page_tags))
            warnings.append("tags-from-page: no TAGS line in the body")
        else:
            warnings.append("tags-missing: no TAGS line and no page tags")

    # references
    refs = list(ref_mod.parse_references(preamble, canonical, warnings=warnings))
    if raw.format == "csv":
        refs = _csv_references(refs, raw.csv_references, known_ids, warnings, canonical)

    # E.O. line and Classified By
    # one read (parse_declassify_on is parse_eo(...).declassify_on)
    eo = eo_mod.parse_eo(preamble, warnings=warnings)
    declassify_on = eo.declassify_on if eo else None
    if eo is not None and getattr(eo, "decl_raw", None):
        extra["decl_raw"] = eo.decl_raw
    statement = cb_mod.parse_classified_by_statement(_first_paragraph_region(preamble, rest))
    names: list[str] = list(statement.names) if statement else []
    normalized: list[str] = list(getattr(statement, "normalized", []) or []) if statement else []
    reasons: list[str] = list(statement.reasons) if statement else []
    if statement is not None:
        extra["classified_by_text"] = statement.text
    if not names and eo is not None:
        names = list(getattr(eo, "classifiers", None) or getattr(eo, "classifier_names", None) or [])
    if names:
        extra["classified_by_names"] = names
        extra["classified_by_normalized"] = normalized or names
    if statement is None and classification.startswith(("CONFIDENTIAL", "SECRET")) and not names:
        warnings.append("classified-by-missing: no Classified By statement")

    # paragraphs, summary, signature
    paragraphs: list[Paragraph] = list(par_mod.parse_paragraphs(stripped, warnings=warnings))
    summary = par_mod.parse_summary(stripped)
    signature = par_mod.split_signature(stripped)
    signer = signature.signer
    if signature.signer_raw:
        extra["signer_raw"] = signature.signer_raw
    if signature.signers:
        extra["signers"] = list(signature.signers)
    if signer is None and not partial:
        warnings.append("signer-missing: no signature line")

    offices = office_lines(preamble)
    if offices:
        extra["office_lines"] = offices
    if signature.trailer:
        extra["trailer"] = list(signature.trailer)
    if raw.page_title:
        extra["page_title"] = raw.page_title
    if raw.page_tags is not None:
        extra["page_tags"] = list(raw.page_tags)
    if raw.media_urls:
        extra["media_urls"] = list(raw.media_urls)
    if raw.csv_row is not None:
        extra["csv_row"] = raw.csv_row
    if raw.csv_references is not None:
        extra["csv_references"] = list(raw.csv_references)

    return ParsedCable(
        identifier=identifier,
        canonical_id=canonical,
        created=created,
        released=released,
        classification=classification,
        origin=origin,
        station=station,
        subject=subject,
        tags=tuple(tags),
        references=tuple(refs),
        paragraphs=tuple(paragraphs),
        transmission_id=transmission_id,
        precedence=precedence,
        sender=sender,
        recipients=recipients,
        signer=signer,
        classified_by="; ".join(names) if names else None,
        classification_reasons=tuple(reasons),
        declassify_on=declassify_on,
        caveats=tuple(caveats),
        summary=summary,
        is_partial=partial,
        header=header,
        body=body,
        format=raw.format,
        warnings=_merge_warnings(warnings),
        extra=_ordered_extra(extra),
        source=f"{raw.path}:{raw.line}" if raw.line else raw.path,
    )


_EXTRA_ORDER = (
    "page_title",
    "page_tags",
    "media_urls",
    "csv_row",
    "csv_references",
    "created_source",
    "info_precedence",
    "banner",
    "banner_classification",
    "decl_raw",
    "subject_raw",
    "classified_by_text",
    "classified_by_names",
    "classified_by_normalized",
    "signer_raw",
    "signers",
    "office_lines",
    "trailer",
)


def _ordered_extra(extra: dict[str, Any]) -> dict[str, Any]:
    return {key: extra[key] for key in _EXTRA_ORDER if key in extra}
