"""Input formats: bytes to text (1.1), format recognition (1.2) and one reader per layout (1.3-1.6).

A reader turns decoded text into :class:`RawCable` records: the metadata the layout carries
(identifier, page created, classification, origin ...) plus the header and body text. The
field rules run later, in :mod:`cables.parsing.cable`.
"""

from __future__ import annotations

import codecs
import csv
import html
import itertools
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .errors import ParseError
from .header import find_dtg, is_body_start, is_date_line, split_header_body
from .text import match_banner

csv.field_size_limit(sys.maxsize)

# --- 1.1 bytes to text ---------------------------------------------------------------------

# cp1252 leaves 0x81, 0x8D, 0x8F, 0x90, 0x9D undefined: map those like Latin-1.
_FALLBACK = {
    b: (bytes([b]).decode("cp1252") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b))
    for b in range(256)
}
_state = threading.local()


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode one invalid byte as Windows-1252 and count it."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _state.count = getattr(_state, "count", 0) + 1
    return _FALLBACK[exc.object[exc.start]], exc.start + 1


codecs.register_error("cables-cp1252", _cp1252_fallback)

_LINE_END_RE = re.compile(r"\r\n?")
UNDECODABLE = "undecodable"


def normalize_text(text: str) -> str:
    """Line ends to ``\\n``, no-break spaces to spaces, Unicode NFC (1.1 step 4)."""
    if "\r" in text:
        text = _LINE_END_RE.sub("\n", text)
    if "\u00a0" in text:
        text = text.replace("\u00a0", " ")
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


def decode_bytes(data: bytes, *, path: str = "<input>", line: int = 0) -> tuple[str, int]:
    """Decode per 1.1; returns (normalised text, number of bytes repaired as cp1252).

    Raises ParseError("undecodable") for NUL bytes or more than 2% repaired bytes.
    """
    if b"\x00" in data:
        raise ParseError(f"{UNDECODABLE} (NUL bytes)", path=path, line=line)
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        text = data.decode("utf-8")
        repaired = 0
    except UnicodeDecodeError:
        _state.count = 0
        text = data.decode("utf-8", errors="cables-cp1252")
        repaired = _state.count
        if repaired * 50 > len(data):
            raise ParseError(
                f"{UNDECODABLE} ({repaired} of {len(data)} bytes are not UTF-8)", path=path, line=line
            ) from None
    return normalize_text(text), repaired


def repaired_warning(count: int) -> str:
    return f"encoding-repaired: {count} byte{'s' if count != 1 else ''} decoded as Windows-1252"


# --- records -----------------------------------------------------------------------------------


@dataclass(slots=True)
class RawCable:
    """What a layout gives before the field rules run."""

    format: str
    header: str
    body: str
    identifier: str | None = None
    page_created: str | None = None
    csv_created: str | None = None
    released: str | None = None
    classification: str | None = None
    origin: str | None = None
    page_title: str | None = None
    page_tags: list[str] | None = None
    media_urls: list[str] | None = None
    csv_row: int | None = None
    csv_references: list[str] | None = None
    warnings: list[str] = field(default_factory=list)
    path: str = "<input>"
    line: int = 0


# --- 1.2 recognition -------------------------------------------------------------------------

_HTML_TABLE_RE = re.compile(r"<table\s+class=['\"]cable['\"]\s*>", re.IGNORECASE)
_TEXT_LABELS = ("Identifier", "Created", "Classification", "Origin")
_CSV_DATE_RE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}$")
_ID_LIKE_RE = re.compile(r"^\d{2}[A-Z0-9\-]*[A-Z][A-Z0-9\-]*\d$")
_VZCZC_RE = re.compile(r"^\s*VZCZC", re.MULTILINE)
_DTG_LINE_RE = re.compile(r"^\s*(?:[ZOPR]\s+){0,2}\d{6}Z\s+[A-Za-z]{3}\s+\d{2}\b", re.MULTILINE)
_FM_LINE_RE = re.compile(r"^\s*FM\s+\S", re.MULTILINE)
_PREAMBLE_LINE_RE = re.compile(
    r"^\s*(?:E\.?\s?[O0]\.?(?:\s|\d|:)|TAGS?\b|SUBJ(?:ECT)?\b)", re.IGNORECASE | re.MULTILINE
)


def _first_lines(text: str, count: int, limit: int = 4096) -> list[str]:
    """The first ``count`` non-blank lines of ``text[:limit]``, stripped (read without a split)."""
    out: list[str] = []
    head = text[:limit]
    pos = 0
    while pos <= len(head):
        end = head.find("\n", pos)
        if end < 0:
            end = len(head)
        line = head[pos:end].strip()
        if line:
            out.append(line)
            if len(out) == count:
                break
        pos = end + 1
    return out


def is_csv_record(fields: list[str]) -> bool:
    """A first CSV record that identifies the dump layout (1.2)."""
    return (
        len(fields) == 8
        and bool(_CSV_DATE_RE.match(fields[1].strip()))
        and bool(_ID_LIKE_RE.match(fields[2].strip()))
    )


def _first_csv_record(text: str) -> list[str] | None:
    reader = csv.reader(_line_iter(text), delimiter=",", quotechar='"', escapechar="\\")
    try:
        return next(reader)
    except (csv.Error, StopIteration):
        return None


def _line_iter(text: str) -> Iterator[str]:
    """Lines with their ``\\n`` (for csv.reader), without building a list of the whole text."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            if start < len(text):
                yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def _has_banner_then_preamble(text: str) -> bool:
    lines = text[:20000].split("\n")
    for i, line in enumerate(lines[:200]):
        if match_banner(line):
            rest = "\n".join(lines[i + 1 : i + 40])
            return bool(_PREAMBLE_LINE_RE.search(rest))
    return False


def detect_format(text: str) -> str | None:
    """``html``, ``csv``, ``text``, ``telegram`` or None (1.2, first match wins)."""
    if ("<" in text and _HTML_TABLE_RE.search(text)) or ("<code><pre>" in text and "<html" in text.lower()):
        return "html"
    stripped = text.lstrip()
    if stripped.startswith('"'):
        record = _first_csv_record(stripped)
        if record is not None and is_csv_record(record):
            return "csv"
    if _first_lines(text, 4) == list(_TEXT_LABELS):
        return "text"
    head = text[:20000]
    if (
        _VZCZC_RE.search(head)
        or _DTG_LINE_RE.search(head)
        or _FM_LINE_RE.search(head)
        or _has_banner_then_preamble(text)
    ):
        return "telegram"
    return None


# --- 1.3 text ----------------------------------------------------------------------------------

_TITLE_LABEL_RE = re.compile(r"^\s*Cable title:\s*", re.IGNORECASE)
_TAGS_LABEL_RE = re.compile(r"^\s*Tags:\s*", re.IGNORECASE)
_PDF_LINE_RE = re.compile(r"^\s*pdf\s+how-to read a cable\s*$", re.IGNORECASE)


_TEXT_HEAD_LINES = 20  # the labels, values, title and tags sit in the first lines (14 of them in most pages)


def _text_head(lines: list[str]) -> tuple[list[str], list[str], list[str] | None, int, int]:
    """(values, title parts, page tags, index of the first header+body line, last index looked at)."""
    i = 0
    labels_seen = 0
    while i < len(lines) and labels_seen < 4:
        if lines[i].strip():
            labels_seen += 1
        i += 1
    values: list[str] = []
    while i < len(lines) and len(values) < 4:
        values.append(lines[i].strip())
        i += 1
    values += [""] * (4 - len(values))
    title_parts: list[str] = []
    page_tags: list[str] | None = None
    j = i
    if j < len(lines) and _TITLE_LABEL_RE.match(lines[j]):
        title_parts.append(_TITLE_LABEL_RE.sub("", lines[j]))
        j += 1
        while j < len(lines) and not _TAGS_LABEL_RE.match(lines[j]) and j - i < 40:
            title_parts.append(lines[j])
            j += 1
        if j < len(lines) and _TAGS_LABEL_RE.match(lines[j]):
            page_tags = _TAGS_LABEL_RE.sub("", lines[j]).split()
            j += 1
    far = j  # the furthest line looked at (or len(lines) when a loop met the end)
    if page_tags is None and title_parts:  # no Tags line: the "title" was something else
        j = i
        title_parts = []
    if j < len(lines) and _PDF_LINE_RE.match(lines[j]):
        j += 1
    return values, title_parts, page_tags, j, max(far, j)


def read_text(text: str, *, path: str = "<input>") -> RawCable:
    """The plain-text page layout: four labels, four values, title, tags, then header+body."""
    # only the first lines are split off; the whole text only when the head reaches their end
    lines = text.split("\n", _TEXT_HEAD_LINES)
    if len(lines) > _TEXT_HEAD_LINES:
        lines.pop()  # the rest of the text, unsplit
        values, title_parts, page_tags, j, reached = _text_head(lines)
        if reached >= len(lines):  # the walk met the end of the head: read the whole text
            lines = text.split("\n")
            values, title_parts, page_tags, j, reached = _text_head(lines)
    else:
        values, title_parts, page_tags, j, reached = _text_head(lines)
    identifier, created, classification, origin = values
    # where line j starts: "\n".join(lines[j:]) of the whole text
    rest = text[sum(map(len, lines[:j])) + j :]
    header, body = split_header_body(rest)
    title = " ".join(" ".join(title_parts).split())
    return RawCable(
        format="text",
        header=header,
        body=body,
        identifier=identifier or None,
        page_created=created or None,
        classification=classification or None,
        origin=origin or None,
        page_title=title or None,
        page_tags=page_tags,
        path=path,
        line=1,
    )


# --- 1.4 html ----------------------------------------------------------------------------------

_TR_RE = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.IGNORECASE | re.DOTALL)
_TH_RE = re.compile(r"<th\b[^>]*>(.*?)</th>", re.IGNORECASE | re.DOTALL)
_TD_RE = re.compile(r"<td\b[^>]*>(.*?)</td>", re.IGNORECASE | re.DOTALL)
_HREF_RE = re.compile(r"href\s*=\s*(['\"])(.*?)\1", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")
_H3_RE = re.compile(r"<h3>\s*Viewing cable\s+([^,<]*?)\s*(?:,\s*(.*?))?\s*</h3>", re.IGNORECASE | re.DOTALL)
_PRE_RE = re.compile(r"<code>\s*<pre>(.*?)</pre>\s*</code>", re.IGNORECASE | re.DOTALL)
_ANCHOR_RE = re.compile(r"<a\s+id=(['\"])par[^'\"]*\1[^>]*>.*?</a>", re.IGNORECASE | re.DOTALL)
_EOL_BACKSLASH_RE = re.compile(r"\\[ \t]*(?=\n|$)")
_PARTIAL_RE = re.compile(r"This record is a partial extract of the original cable", re.IGNORECASE)

_CELL_KEYS = {
    "reference id": "identifier",
    "created": "created",
    "date": "created",
    "released": "released",
    "classification": "classification",
    "origin": "origin",
}


def _cell_text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG_RE.sub(" ", fragment)).split())


def pre_to_text(fragment: str) -> str:
    """A ``<pre>`` block as text (1.4 steps 1-5)."""
    fragment = _ANCHOR_RE.sub("", fragment)
    fragment = _TAG_RE.sub("", fragment)
    fragment = html.unescape(fragment)
    fragment = normalize_text(fragment)
    return _EOL_BACKSLASH_RE.sub("", fragment)


def _table_cable(text: str) -> str | None:
    """The inside of the first ``<table class='cable'>`` that is closed, or None.

    Linear: a lazy ``(.*?)</table>`` regex rescans to the end of the text from every opening
    tag when the table is never closed, which made hostile pages quadratic.
    """
    opening = _HTML_TABLE_RE.search(text)
    if opening is None:
        return None
    closing = text.lower().find("</table>", opening.end())
    if closing < 0:
        return None
    return text[opening.end() : closing]


def read_html(text: str, *, path: str = "<input>") -> RawCable:
    """A cablegate page: table cells by header text, ``<pre>`` blocks as header and body."""
    table = _table_cable(text)
    if table is None:
        raise ParseError("not a cable (HTML page without table.cable)", path=path, line=1)
    cells: dict[str, str] = {}
    media: list[str] = []
    headers: list[str] = []
    for row in _TR_RE.findall(table):
        ths = _TH_RE.findall(row)
        if ths:
            headers = [_cell_text(th).lower() for th in ths]
            continue
        tds = _TD_RE.findall(row)
        if "appears in these articles" in row.lower():
            media.extend(href for _, href in _HREF_RE.findall(row))
            continue
        if headers and len(tds) == len(headers) and not cells:
            for name, td in zip(headers, tds, strict=True):
                key = _CELL_KEYS.get(name.rstrip(":"))
                if key:
                    cells[key] = _cell_text(td)
    title = None
    h3 = _H3_RE.search(text)
    if h3:
        title = _EOL_BACKSLASH_RE.sub("", html.unescape(h3.group(2) or "")).strip()
        title = " ".join(title.split()) or None
    blocks = [pre_to_text(b) for b in _PRE_RE.findall(text)]
    header, body = "", ""
    if len(blocks) >= 2:
        header, body = blocks[0], "\n".join(blocks[1:])
    elif len(blocks) == 1:
        if _PARTIAL_RE.search(blocks[0]) and not match_banner_in(blocks[0]):
            header = blocks[0]
        else:
            body = blocks[0]
    header, body = move_date_line(header, body)
    return RawCable(
        format="html",
        header=header,
        body=body,
        identifier=cells.get("identifier") or (h3.group(1).strip() if h3 else None) or None,
        page_created=cells.get("created") or None,
        released=cells.get("released") or None,
        classification=cells.get("classification") or None,
        origin=cells.get("origin") or None,
        page_title=title,
        media_urls=sorted(media) if media else None,
        path=path,
        line=1,
    )


_DUMP_ROW_RE = re.compile(r"^\s*ID:\s*\d+\s*$")


def move_date_line(header: str, body: str) -> tuple[str, str]:
    """Header material opening a given body goes to the header, as the text layout's split does.

    That is a weekday date line (1.7), and a dump row ``ID: 248711`` / ``ORIGIN: …`` /
    ``DESTINATION: …`` printed before the banner (trap 13, 10BERLIN180): both renditions of a
    cable then give the same body and fields.
    """
    # the first non-blank line, found without splitting the whole body
    pos = 0
    while (end := body.find("\n", pos)) >= 0 and not body[pos:end].strip():
        pos = end + 1
    first = body[pos:] if end < 0 else body[pos:end]
    if is_date_line(first):
        return _moved(header, [first.strip()], "" if end < 0 else body[end + 1 :])
    if not _DUMP_ROW_RE.match(first):
        return header, body
    lines = body.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    moved: list[str] = []
    if i < len(lines) and is_date_line(lines[i]):
        moved.append(lines[i].strip())
        i += 1
    elif i < len(lines) and _DUMP_ROW_RE.match(lines[i]):
        j = i
        while j < len(lines) and j - i < 60 and not is_body_start(lines[j]):
            j += 1
        if j < len(lines) and is_body_start(lines[j]):
            moved.extend(lines[i:j])
            i = j
    if not moved:
        return header, body
    return _moved(header, moved, "\n".join(lines[i:]))


def _moved(header: str, moved: list[str], body: str) -> tuple[str, str]:
    block = "\n".join(moved).strip("\n")
    return (f"{header}\n{block}" if header.strip() else block), body


def match_banner_in(text: str) -> bool:
    return any(match_banner(line) for line in text.split("\n")[:60])


# --- 1.5 csv -----------------------------------------------------------------------------------


def csv_record_to_raw(fields: list[str], *, path: str, line: int) -> RawCable:
    """One 8-field record of ``cables.csv``."""
    row, created, identifier, origin, classification, refs, header, body = fields
    try:
        csv_row: int | None = int(row.strip())
    except ValueError:
        csv_row = None
    header, body = move_date_line(header, body)
    return RawCable(
        format="csv",
        header=header,
        body=body,
        identifier=identifier.strip() or None,
        csv_created=created.strip() or None,
        classification=classification.strip() or None,
        origin=origin.strip() or None,
        csv_row=csv_row,
        csv_references=[r.strip() for r in refs.split("|") if r.strip()],
        path=path,
        line=line,
    )


def _csv_record(fields: list[str], *, path: str, line: int) -> RawCable | ParseError | None:
    """A record csv read: None for a blank line, an error for a wrong field count, else the cable."""
    if not fields or (len(fields) == 1 and not fields[0].strip()):
        return None
    if len(fields) != 8:
        return ParseError(
            f"not a cable (CSV record has {len(fields)} fields, expected 8)", path=path, line=line
        )
    return csv_record_to_raw(fields, path=path, line=line)


def iter_csv_lines(lines: Iterable[str], *, path: str = "<input>") -> Iterator[RawCable | ParseError]:
    """Stream records from decoded lines; a bad record yields a ParseError and parsing goes on."""
    reader = csv.reader(lines, delimiter=",", quotechar='"', escapechar="\\", strict=True)
    while True:
        start = reader.line_num + 1  # line_num: lines taken from ``lines`` so far
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ParseError(f"not a cable (CSV record: {exc})", path=path, line=start)
            continue
        if (item := _csv_record(fields, path=path, line=start)) is not None:
            yield item


def iter_csv_text(text: str, *, path: str = "<input>") -> Iterator[RawCable | ParseError]:
    return iter_csv_lines(_line_iter(text), path=path)


_BLOCK_BYTES = 1 << 20
# what str.splitlines also cuts at, besides "\n" and "\r" (a clean block has no "\r")
_OTHER_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _has_other_line_breaks(text: str) -> bool:
    return any(ch in text for ch in _OTHER_LINE_BREAKS)


def _chunk_lines(chunk: str | list[str]) -> list[str]:
    """The lines of a chunk of ``ByteLineDecoder.chunks``, each with its "\\n" (the last may lack it)."""
    if not isinstance(chunk, str):
        return chunk
    if not _has_other_line_breaks(chunk):  # "\n" is the only line break: cut in C
        return chunk.splitlines(keepends=True)
    lines = chunk.split("\n")
    last = lines.pop()
    out = [line + "\n" for line in lines]
    if last:
        out.append(last)
    return out


_UNESCAPE_RE = re.compile(r"\\(.)", re.DOTALL)


def _unescape(field: str) -> str:
    """Each escape pair (a backslash and the next character) replaced by its second character."""
    if "\\\\" in field or field.endswith("\\"):
        return _UNESCAPE_RE.sub(r"\1", field)
    # every backslash takes a character that is no backslash: drop the backslashes (C speed)
    return field.replace("\\", "")


def _closing_quote(text: str, p: int) -> int:
    """Index of the quote that closes the quoted field whose text starts at ``p``, or -1.

    A quote after an odd run of backslashes is escaped (the escape character takes the next
    character as it is, a backslash too), so it does not close the field.
    """
    q = text.find('"', p)
    while q > p and text[q - 1] == "\\":
        k = q - 1
        while k > p and text[k - 1] == "\\":
            k -= 1
        if (q - k) % 2 == 0:
            break
        q = text.find('"', q + 1)
    return q


def _quoted_record(text: str, pos: int) -> tuple[list[str], int] | None:
    """The 8 fields of the record at ``pos`` and where it ends, when it is plain; else None.

    Plain: ``"f1","f2",...,"f8"`` then a newline, every field quoted, with no quote inside a
    field but an escaped one (``\\"``). csv.reader (this dialect) reads such a record into
    these fields with each escape pair replaced by its second character, so only the other
    records need it.
    """
    if not text.startswith('"', pos):
        return None
    fields: list[str] = []
    p = pos + 1
    for k in range(8):
        q = _closing_quote(text, p)
        if q < 0 or not text.startswith('","' if k < 7 else '"\n', q):
            return None
        field = text[p:q]
        fields.append(_unescape(field) if "\\" in field else field)
        p = q + 3
    return fields, p - 1


class _ChunkLines:
    """The lines of ``ByteLineDecoder.chunks``, taken one at a time, with the count taken so far."""

    def __init__(self, chunks: Iterator[str | list[str]]) -> None:
        self._chunks = chunks
        self.text = ""  # the clean text being read, from ``pos``
        self.pos = 0
        self._lines: list[str] = []  # or the list of lines being read, from ``_index``
        self._index = 0
        self.count = 0

    def ready(self) -> bool:
        """Whether a line is left (takes the next chunk when the current one is done)."""
        while self.pos >= len(self.text) and self._index >= len(self._lines):
            chunk = next(self._chunks, None)
            if chunk is None:
                return False
            if isinstance(chunk, str):
                self.text, self.pos, self._lines, self._index = chunk, 0, [], 0
            else:
                self.text, self.pos, self._lines, self._index = "", 0, chunk, 0
        return True

    def __iter__(self) -> Iterator[str]:
        while self.ready():
            if self.pos < len(self.text):
                end = self.text.find("\n", self.pos) + 1 or len(self.text)
                line = self.text[self.pos : end]
                self.pos = end
            else:
                line = self._lines[self._index]
                self._index += 1
            self.count += 1
            yield line


def iter_csv_chunks(
    chunks: Iterator[str | list[str]], *, path: str = "<input>"
) -> Iterator[RawCable | ParseError]:
    """``iter_csv_lines`` of the lines of ``ByteLineDecoder.chunks``, same items and line numbers.

    A plain record (see ``_quoted_record``) inside a clean text is cut with ``str.find``; any
    other record goes through csv.reader, which takes its lines one by one.
    """
    source = _ChunkLines(chunks)
    while source.ready():
        start = source.count + 1
        found = _quoted_record(source.text, source.pos) if source.pos < len(source.text) else None
        if found is not None:
            fields, end = found
            source.count += source.text.count("\n", source.pos, end)
            source.pos = end
            yield csv_record_to_raw(fields, path=path, line=start)
            continue
        reader = csv.reader(source, delimiter=",", quotechar='"', escapechar="\\", strict=True)
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ParseError(f"not a cable (CSV record: {exc})", path=path, line=start)
            continue
        if (item := _csv_record(fields, path=path, line=start)) is not None:
            yield item


class ByteLineDecoder:
    """Decode a binary stream line by line (1.1), counting repaired bytes per record.

    A readable stream is decoded a block (about 1 MiB of whole lines) at a time when the block
    is clean: valid UTF-8 without NUL or CR, and so are the blocks on either side. Then no line
    has anything to repair or count and the block is decoded and normalised at once (NFC and
    no-break spaces commute with the line split); ``chunks()`` hands it on as one text, which
    ``iter_csv_chunks`` cuts into records with ``str.find``. Other blocks go line by line, so the
    counters of a record with a repaired byte are exact (for records shorter than a block).
    """

    def __init__(self, stream: Iterable[bytes], *, path: str) -> None:
        self._stream = stream
        self.path = path
        self.repaired = 0
        self.nul = False
        self.size = 0
        self._first = True

    def __iter__(self) -> Iterator[str]:
        return itertools.chain.from_iterable(map(_chunk_lines, self.chunks()))

    def chunks(self) -> Iterator[str | list[str]]:
        """The decoded stream: clean blocks as one text of whole lines, other lines in lists.

        Joined, the lines of all chunks are the lines of ``iter(self)``; the counters move as
        the chunks are taken.
        """
        if hasattr(self._stream, "read"):
            return self._by_block()
        return (self._line(raw) for raw in self._stream)

    def _line(self, raw: bytes) -> list[str]:
        """One raw line: decoded, counted, normalised (a lone CR splits it into lines)."""
        if self._first:
            self._first = False
            if raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
        self.size += len(raw)
        if b"\x00" in raw:
            self.nul = True
            raw = raw.replace(b"\x00", b"")
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            _state.count = 0
            line = raw.decode("utf-8", errors="cables-cp1252")
            self.repaired += _state.count
        line = normalize_text(line)
        # a lone CR inside the chunk became a line end: hand csv one line at a time
        if "\n" in line[:-1]:
            return list(_line_iter(line))
        return [line]

    def _blocks(self) -> Iterator[bytes]:
        """Whole lines, about a block at a time; the last one may lack its newline."""
        read = self._stream.read  # type: ignore[attr-defined]
        pending = b""
        while True:
            data = read(_BLOCK_BYTES)
            if not data:
                if pending:
                    yield pending
                return
            data = pending + data
            if self._first:
                self._first = False
                if data.startswith(codecs.BOM_UTF8):
                    data = data[3:]
            cut = data.rfind(b"\n") + 1
            pending = data[cut:]
            if cut:
                yield data[:cut]

    @staticmethod
    def _clean(block: bytes) -> str | None:
        """The decoded, normalised block when nothing in it needs a line-by-line look."""
        if b"\x00" in block or b"\r" in block:
            return None
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return normalize_text(text)

    def _by_block(self) -> Iterator[str | list[str]]:
        blocks = self._blocks()
        current = next(blocks, None)
        text = self._clean(current) if current is not None else None
        previous_clean = True
        while current is not None:
            following = next(blocks, None)
            following_text = self._clean(following) if following is not None else None
            following_clean = following is None or following_text is not None
            if text is not None and previous_clean and following_clean:
                self.size += len(current)
                yield text
            else:
                parts = current.split(b"\n")
                last_part = parts.pop()
                for part in parts:
                    yield self._line(part + b"\n")
                if last_part:
                    yield self._line(last_part)
            previous_clean = text is not None
            current, text = following, following_text

    def take(self) -> tuple[int, bool, int]:
        """Counters since the last call: (repaired bytes, NUL seen, bytes read)."""
        out = (self.repaired, self.nul, self.size)
        self.repaired, self.nul, self.size = 0, False, 0
        return out


# --- 1.6 telegram ------------------------------------------------------------------------------

_ID_GRAMMAR_RE = re.compile(r"^\d{2}[A-Z]+[1-9]\d{0,6}$")
_DE_RE = re.compile(r"^\s*DE\s+[A-Z]{3,}\s+#\s*0*(\d{1,7})(?:/\d+)?\b", re.MULTILINE)
_FM_RE = re.compile(r"^\s*FM\s+(.+?)\s*$", re.MULTILINE)


def derive_telegram_identifier(header: str, body: str, name: str, warnings: list[str]) -> str | None:
    """1.6: banner station + serial + DTG year, else DE serial + FM station, else the file name."""
    from .identifiers import normalize_station

    dtg = find_dtg(header)
    year = dtg[2:4] if dtg else None  # find_dtg returns YYYY-...
    derived: str | None = None
    first = next((line for line in body.split("\n") if line.strip()), "")
    banner = match_banner(first)
    if banner and year:
        station = re.sub(r"[^A-Z]", "", banner.group("station").upper())
        serial = banner.group("serial").lstrip("0")
        if station and serial:
            derived = f"{year}{station}{serial}"
    if derived is None and year:
        de = _DE_RE.search(header)
        fm = _FM_RE.search(header)
        if de and fm:
            station = normalize_station(fm.group(1).replace(" ", ""))
            serial = de.group(1).lstrip("0")
            if station and serial:
                derived = f"{year}{station}{serial}"
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", name.replace("\\", "/").rsplit("/", 1)[-1])
    from_name = stem if _ID_GRAMMAR_RE.match(stem) else None
    if derived:
        if from_name and from_name != derived:
            warnings.append(f"identifier-mismatch: derived {derived}, file name {from_name}")
        return derived
    if from_name:
        warnings.append(f"identifier-from-filename: {from_name}")
        return from_name
    return None


def read_telegram(text: str, *, path: str = "<input>") -> RawCable:
    """Raw telegram text: header and body only, metadata derived."""
    header, body = split_header_body(text)
    warnings: list[str] = []
    identifier = derive_telegram_identifier(header, body, path, warnings)
    if not identifier:
        raise ParseError("no identifier", path=path, line=0)
    return RawCable(
        format="telegram", header=header, body=body, identifier=identifier, warnings=warnings, path=path
    )


# --- dispatch ----------------------------------------------------------------------------------


def read_records(
    text: str, *, path: str = "<input>", fmt: str | None = None
) -> Iterator[RawCable | ParseError]:
    """Recognise (unless ``fmt`` is given) and read decoded text; csv yields one item per record."""
    if not text or text.isspace():  # ``not text.strip()`` without copying the text
        raise ParseError("empty", path=path, line=0)
    fmt = fmt or detect_format(text)
    if fmt == "html":
        yield read_html(text, path=path)
    elif fmt == "csv":
        yield from iter_csv_text(text, path=path)
    elif fmt == "text":
        yield read_text(text, path=path)
    elif fmt == "telegram":
        yield read_telegram(text, path=path)
    else:
        raise ParseError(
            "not a cable (no header, banner, E.O., TAGS or SUBJECT line found)", path=path, line=1
        )
