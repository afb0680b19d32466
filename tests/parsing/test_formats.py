"""Input formats (spec 1.1-1.6)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cables.parsing import ParseError, formats, parse_bytes, parse_text
from cables.parsing.formats import (
    ByteLineDecoder,
    decode_bytes,
    detect_format,
    iter_csv_chunks,
    iter_csv_lines,
    iter_csv_text,
    pre_to_text,
    read_html,
    read_text,
)

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
SEED = CORPUS / "seed" / "000_cd5e1a070289d07d.txt"


# --- 1.1 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text", "repaired"),
    [
        (b"\xef\xbb\xbfabc", "abc", 0),
        (b"a\xb6b" + b"x" * 100, "a¶b" + "x" * 100, 1),
        (b"a\xacb" + b"x" * 100, "a¬b" + "x" * 100, 1),
        (b"a\r\nb\rc\n", "a\nb\nc\n", 0),
        ("a\u00a0b".encode(), "a b", 0),
        ("e\u0301".encode(), "\u00e9", 0),
        ("“curly” – dash".encode(), "“curly” – dash", 0),
    ],
)
def test_decode_bytes(data: bytes, text: str, repaired: int) -> None:
    assert decode_bytes(data) == (text, repaired)


def test_nul_bytes_are_undecodable() -> None:
    with pytest.raises(ParseError, match="undecodable"):
        decode_bytes(b"abc\x00def")


def test_more_than_two_percent_fallback_is_undecodable() -> None:
    with pytest.raises(ParseError, match="undecodable"):
        decode_bytes(b"\xb6\xb6\xb6" + b"x" * 100)
    assert decode_bytes(b"\xb6\xb6" + b"x" * 100)[1] == 2  # 2/102 < 2%


def test_encoding_repaired_warning_counts_bytes() -> None:
    data = (CORPUS / "telegram" / "09UNVIEVIENNA279.txt").read_bytes()
    assert data.count(b"\xb6") == 13
    (cable,) = parse_bytes(data, "09UNVIEVIENNA279.txt")
    assert "encoding-repaired: 13 bytes decoded as Windows-1252" in cable["warnings"]
    assert "¶B. UNVIE 201" in cable["body"]


# --- 1.2 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (SEED, "text"),
        (CORPUS / "text" / "09BERLIN1176.txt", "text"),
        (CORPUS / "wlc-html" / "2009" / "09" / "09PARIS1254.html", "html"),
        (CORPUS / "telegram" / "09PARIS1007.txt", "telegram"),
    ],
)
def test_detect_format_of_corpus_files(path: Path, fmt: str) -> None:
    text, _ = decode_bytes(path.read_bytes())
    assert detect_format(text) == fmt


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ('"1","9/14/2006 16:08","06PARIS6189","Embassy Paris","CONFIDENTIAL","","H","B"\n', "csv"),
        ('"1","2006-09-14","06PARIS6189","Embassy Paris","CONFIDENTIAL","","H","B"\n', None),
        ("<html><body><code><pre>x</pre></code></body></html>", "html"),
        ("Identifier\nCreated\nClassification\nOrigin\n", "text"),
        ("VZCZCXYZ0001\nPP RUEHWEB\n", "telegram"),
        ("P 141608Z SEP 06\n", "telegram"),
        ("FM AMEMBASSY PARIS\n", "telegram"),
        ("UNCLAS PARIS 000123\n\nE.O. 12958: N/A\n", "telegram"),
        ("SECRETARY OF STATE 123\nnothing else\n", None),
        ("just some prose\n", None),
    ],
)
def test_detect_format(text: str, fmt: str | None) -> None:
    assert detect_format(text) == fmt


def test_not_a_cable_error() -> None:
    with pytest.raises(ParseError, match="not a cable") as info:
        parse_bytes(b"hello world\n", "x.txt")
    assert str(info.value) == "x.txt:1: not a cable (no header, banner, E.O., TAGS or SUBJECT line found)"


def test_empty_error() -> None:
    with pytest.raises(ParseError, match="empty"):
        parse_bytes(b"  \n\n", "x.txt")


# --- 1.3 ------------------------------------------------------------------------------------------


def test_read_text_seed_metadata() -> None:
    text, _ = decode_bytes(SEED.read_bytes())
    raw = read_text(text)
    assert raw.identifier == "06PARIS6189"
    assert raw.page_created == "2006-09-14 16:08:00"
    assert raw.classification == "CONFIDENTIAL"
    assert raw.origin == "Embassy Paris"
    assert raw.page_title == "FRANCE WANTS MORE CONCRETE MEASURES TO GIVE TEETH"
    assert raw.page_tags == ["PARM", "PREL", "KNNP", "MNUC", "WMD", "CT", "PTER", "KN", "KS", "FR"]
    assert raw.header.startswith("VZCZCXYZ0001\n") and raw.header.endswith("TO SECSTATE WASHDC PRIORITY 1349")
    assert raw.body.startswith("C O N F I D E N T I A L PARIS 006189")


def test_read_text_empty_tags_line() -> None:
    text, _ = decode_bytes((CORPUS / "text" / "04ANKARA348.txt").read_bytes())
    raw = read_text(text)
    assert raw.page_tags == []
    assert raw.header.startswith("This record is a partial extract")


# --- 1.4 ------------------------------------------------------------------------------------------

PAGE = """<html><h3>Viewing cable 07BERN881, SOME TITLE \\</h3>
<table class='cable'>
<tr><th>Reference ID</th><th>Released</th><th>Origin</th><th>Classification</th><th>Created</th></tr>
<tr><td><a href='x'>07BERN881</a></td><td><a href='r'>2011-08-30 01:44</a></td>
<td><a href='o'>Embassy Bern</a></td><td><a href='c' title='confidential'>SECRET</a></td>
<td><a href='d'>2007-09-26 14:02</a></td></tr>
<tr><td colspan='5'>Appears in these articles:<br /><a href='http://b.example/2'>b</a><br />
<a href='http://a.example/1'>a</a></td></tr>
</table>
<code><pre>R 261402Z SEP 07&#x000A;FM AMEMBASSY BERN&#x000A;TO SECSTATE WASHDC 1</pre></code>
<code><pre>S E C R E T BERN 000881 \\&#x000A;&#x000A;TAGS: <a href='/tag/PREL_0.html'>PREL</a>&#x000A;\
<a id='par1' href='#par1'>¶</a>1. (S) Text &amp; more.&#x000A;</pre></code></html>"""


def test_read_html_maps_cells_by_header_text() -> None:
    raw = read_html(PAGE)
    assert raw.identifier == "07BERN881"
    assert raw.page_created == "2007-09-26 14:02"
    assert raw.released == "2011-08-30 01:44"
    assert raw.classification == "SECRET"  # link text, not the shifted title attribute
    assert raw.origin == "Embassy Bern"
    assert raw.page_title == "SOME TITLE"
    assert raw.media_urls == ["http://a.example/1", "http://b.example/2"]
    assert raw.header == "R 261402Z SEP 07\nFM AMEMBASSY BERN\nTO SECSTATE WASHDC 1"
    assert raw.body == "S E C R E T BERN 000881 \n\nTAGS: PREL\n1. (S) Text & more.\n"


def test_pre_to_text_removes_anchors_tags_entities_and_line_end_backslashes() -> None:
    block = "REF: A. X 1 \\&#x000A;     <a id='parB' href='#parB'>¶</a>B. Y 2&#x000A;<b>bold</b> &lt;x&gt;"
    assert pre_to_text(block) == "REF: A. X 1 \n     B. Y 2\nbold <x>"


def test_html_four_column_page_has_no_released() -> None:
    text, _ = decode_bytes((CORPUS / "wlc-html" / "2009" / "09" / "09PARIS1254.html").read_bytes())
    raw = read_html(text)
    assert raw.page_created == "2009-09-16 07:07"
    assert raw.released is None
    assert raw.classification == "SECRET//NOFORN"


def test_html_without_cable_table_is_not_a_cable() -> None:
    with pytest.raises(ParseError, match="not a cable"):
        read_html("<html><body><code><pre>x</pre></code></body></html>", path="p.html")


def test_html_partial_note_block_is_the_header() -> None:
    page = PAGE.replace(
        "<code><pre>R 261402Z SEP 07&#x000A;FM AMEMBASSY BERN&#x000A;TO SECSTATE WASHDC 1</pre></code>\n", ""
    )
    note = (
        "This record is a partial extract of the original cable. The full text of the original cable is not"
    )
    page = page.replace(
        "</table>", f"</table><code><pre>{note} available.&#x000A;&#x000A;261402Z Sep 07</pre></code>"
    )
    (cable,) = parse_text(page, "p.html")
    assert cable.is_partial
    assert cable.created == "2007-09-26T14:02:00Z"
    assert cable.body.startswith("S E C R E T BERN 000881")


# --- 1.5 ------------------------------------------------------------------------------------------

GOOD = (
    '"{row}","9/14/2006 16:08","06PARIS{row}","Embassy Paris","CONFIDENTIAL","","P 141608Z SEP 06","B\nC"\n'
)


def test_csv_streams_records_and_reports_bad_ones_by_start_line() -> None:
    text = GOOD.format(row=1) + '"2","x\ny",\n' + GOOD.format(row=3)
    items = list(iter_csv_text(text, path="c.csv"))
    assert [type(i).__name__ for i in items] == ["RawCable", "ParseError", "RawCable"]
    assert items[0].line == 1
    assert str(items[1]) == "c.csv:3: not a cable (CSV record has 3 fields, expected 8)"
    assert items[2].line == 5
    assert items[0].body == "B\nC"


def test_csv_escaped_quotes_and_backslashes() -> None:
    record = '"1","9/14/2006 16:08","06PARIS1","Embassy Paris","SECRET","","H","say \\"hi\\" \\\\ ok"\n'
    (raw,) = list(iter_csv_text(record))
    assert raw.body == 'say "hi" \\ ok'


def test_csv_field_over_64k() -> None:
    record = GOOD.format(row=1).replace("B\nC", "x" * 200_000)
    (raw,) = list(iter_csv_text(record))
    assert len(raw.body) == 200_000


TRICKY_CSV = (
    GOOD.format(row=1)
    + "\n"  # a blank line: no record
    + '"2","9/14/2006 16:08","06PARIS2","Embassy Paris","SECRET","","H","say \\"hi\\" \\\\ ok \\x"\n'
    + '"3","x\ny",\n'  # 3 fields
    + '"4","9/14/2006 16:08","06PARIS4","Embassy Paris","SECRET","","H","a ""doubled"" quote"\n'
    + '"5","bad"quote","x"\n'  # csv refuses it
    + "   \n"  # only spaces: no record
    + 'unquoted,9/14/2006 16:08,06PARIS6,Embassy Paris,SECRET,,H,"B"\n'
    + GOOD.format(row=7) * 30
    # no newline at the end
    + '"8","9/14/2006 16:08","06PARIS8","Embassy Paris","SECRET","","H","\u00e9t\u00e9 \\\\"'
)


def _items(items: object, decoder: ByteLineDecoder) -> list[tuple]:
    out = []
    for item in items:  # type: ignore[attr-defined]
        counters = decoder.take()
        if isinstance(item, ParseError):
            out.append(("error", str(item), counters))
        else:
            out.append(("cable", item.line, item.identifier, item.header, item.body, counters))
    return out


@pytest.mark.parametrize("block", [64, 300, 1 << 20])
@pytest.mark.parametrize(
    "data", [TRICKY_CSV.encode(), TRICKY_CSV.encode().replace(b"06PARIS7", b"06PAR\xffIS7", 1)]
)
def test_csv_chunk_reader_gives_what_csv_reader_gives(
    data: bytes, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain records are cut with str.find, the others by csv.reader: same items, lines, counters."""
    monkeypatch.setattr(formats, "_BLOCK_BYTES", block)
    by_lines = ByteLineDecoder(io.BytesIO(data), path="c.csv")
    expected = _items(iter_csv_lines(by_lines, path="c.csv"), by_lines)
    by_chunks = ByteLineDecoder(io.BytesIO(data), path="c.csv")
    assert _items(iter_csv_chunks(by_chunks.chunks(), path="c.csv"), by_chunks) == expected
    assert [item[0] for item in expected].count("error") == 2


# --- 1.6 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "body_line", "expected", "warning"),
    [
        ("x.txt", "UNCLAS UNVIE VIENNA 000279", "09UNVIEVIENNA279", None),
        ("x.txt", "CONFIDENTIAL NEW DELHI 005135", "09NEWDELHI5135", None),
        ("09UNVIEVIENNA279.txt", "UNCLAS RPO DUBAI 000279", "09RPODUBAI279", "identifier-mismatch"),
        ("09PARIS5.txt", "NO BANNER HERE", "09PARIS5", "identifier-from-filename"),
    ],
)
def test_telegram_identifier(name: str, body_line: str, expected: str, warning: str | None) -> None:
    header = "\nO 171458Z JUN 09\nFM AMCONSUL SOMEWHERE\nTO SECSTATE WASHDC\n"
    text = f"{header}{body_line}\n\nE.O. 12958: N/A\nTAGS: PREL\n"
    (cable,) = parse_text(text, name)
    assert cable.identifier == expected
    if warning:
        assert any(w.startswith(warning) for w in cable.warnings)
    else:
        assert not any(w.startswith("identifier-") for w in cable.warnings)


def test_telegram_identifier_from_de_line() -> None:
    text = "DE RUEHUNV #0279/01 1681458\nO 171458Z JUN 09\nFM USMISSION UNVIE VIENNA\nTO SECSTATE WASHDC\n"
    text += "E.O. 12958: N/A\nTAGS: PREL\n"
    (cable,) = parse_text(text, "x.txt")
    assert cable.identifier == "09UNVIEVIENNA279"


def test_telegram_without_identifier_raises() -> None:
    with pytest.raises(ParseError, match="no identifier"):
        parse_text("FM AMEMBASSY PARIS\nTO SECSTATE WASHDC\nTAGS: PREL\n", "nothing.txt")
