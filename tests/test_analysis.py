"""cables.analysis (text -> lexemes, the part the parser workers compute) and the document the
index is written from, as each engine stores it."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from cables import analysis, search
from cables.ingest import cables_ingest
from cables.models import Cable, Tag
from tests.factories import make_cable, make_paragraph


def test_cable_text_is_the_analysis_of_subject_and_cleaned_body():
    body = "1. (C) The U.S. and Cote d'Ivoire's nuclear talks.\n\n2. (U) Talks, talks."
    text = analysis.cable_text("IRAN,S NUCLEAR PROGRAMS", body)
    assert text.subject == "iran nuclear program"
    assert text.body == "us cote divoir nuclear talk talk talk"  # no "1", "c", "2", "u": not content


def test_lexemes_and_analyze_agree_with_and_without_the_cache():
    text = "Sanctions against IRAN,S programs; the U.S. said 06PARIS6189 and 1.4(b)."
    analysis.LEXEME_CACHE.clear()
    first = analysis.lexemes(text)
    assert first == analysis.analyze(text) == analysis.lexemes(text)
    assert first == ["sanction", "iran", "program", "us", "said", "06paris6189", "1", "4", "b"]


@pytest.mark.django_db
def test_stored_document_has_fields_in_order_with_weights_and_gaps(cable_files):
    cable = make_cable(
        "06PARIS6189",
        subject="IRAN NUCLEAR",
        tags=("KNNP",),
        body="1. (C) Nuclear talks.",
        paragraphs=(make_paragraph(1, "(C) Nuclear talks."),),
    )
    assert cables_ingest(sources=[cable_files("a.txt", cable)]).failed == []
    stored_cable = Cable.objects.get()
    tag = Tag.objects.get(code="KNNP")
    meta = analysis.lexemes(f"06PARIS6189 {stored_cable.origin.name} PARIS KNNP {tag.name}")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT search_document::text FROM cables_cable WHERE id = %s", [stored_cable.pk])
            stored = dict(item.rsplit(":", 1) for item in cursor.fetchone()[0].split())
            # subject at 1-2 (A); 100 positions on, body at 103-104 (C); 100 on, meta from 205 (B)
            expected: dict[str, list[str]] = {
                "'iran'": ["1A"],
                "'nuclear'": ["2A", "103C"],
                "'talk'": ["104C"],
            }
            for position, lexeme in enumerate(meta, start=205):
                expected.setdefault(f"'{lexeme}'", []).append(f"{position}B")
            assert stored == {lexeme: ",".join(positions) for lexeme, positions in expected.items()}
        else:
            cursor.execute(
                "SELECT subject, body, meta FROM cables_search_fts WHERE rowid = %s", [stored_cable.pk]
            )
            assert cursor.fetchone() == ("iran nuclear", "nuclear talk", " ".join(meta))


@given(st.text(alphabet=st.sampled_from(list("aZ09 .'’,-_\n\u00e9Sx")), max_size=80))
@settings(max_examples=300, deadline=None)
def test_ascii_word_pattern_finds_the_words_the_unicode_one_does(text):
    for candidate in (text, text.replace("’", "'").replace("\u00e9", "e")):
        if candidate.isascii():
            assert analysis.ASCII_WORD_RE.findall(candidate) == analysis.WORD_RE.findall(candidate)
        assert analysis.lexemes(candidate) == [
            found
            for word in analysis.WORD_RE.findall(analysis.COMMA_S_RE.sub("'", candidate))
            if (found := analysis.lexeme(word))
        ]


def _lexemes_by_word_pattern(text: str) -> list[str]:
    """The definition: every match of the Unicode word pattern, as its lexeme."""
    words = analysis.WORD_RE.findall(analysis.COMMA_S_RE.sub("'", text))
    return [found for word in words if (found := analysis.lexeme(word))]


_MARKS = "".join(mark for mark, _ in analysis._ASCII_PUNCTUATION)


@given(
    st.text(
        alphabet=st.sampled_from(list("aZx09 .'’,sS-_()\n\t\u00e9\u00df\u0130\u2163" + _MARKS)), max_size=120
    )
)
@settings(max_examples=500, deadline=None)
def test_token_path_equals_the_word_pattern(text):
    """The split-into-tokens path (ASCII, or ASCII once the common marks are replaced) finds the
    same lexemes as the word pattern over the whole text, cached or not."""
    expected = _lexemes_by_word_pattern(text)
    assert analysis.lexemes(text) == expected
    analysis.TOKEN_CACHE.clear()
    assert analysis.lexeme_text(text) == " ".join(expected)


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. and e.g. U.N.-led talks end.",  # abbreviations and a sentence's last dot
        "“Iran’s” — ‘program’… «x» • 1.4(b)\u00a0and 06PARIS6189.",  # marks replaced, then tokens
        "Côte d’Ivoire’s talks",  # a letter outside ASCII: the word pattern
        "IRAN,S'X and IRAN,S and 1,S",  # the comma-s rule runs first
        "'quoted' words'' and ''",
        "",
    ],
)
def test_token_path_on_examples(text):
    assert analysis.lexemes(text) == _lexemes_by_word_pattern(text)


@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list("aZ09 .',sS-\u00e9\u2019")), max_size=12),
        min_size=4,
        max_size=8,
    )
)
@settings(max_examples=300, deadline=None)
def test_meta_text_analyses_its_parts_as_the_words_joined(words):
    """meta_text analyses identifier, origin, station and tags part by part (caching the parts
    that repeat): the same lexemes as analysing all of them joined by spaces."""
    identifier, canonical_id, origin, station, *rest = words
    tags = list(zip(rest[::2], rest[1::2], strict=False))
    joined = [identifier, canonical_id if canonical_id != identifier else "", origin, station]
    for code, name in tags:
        joined += [code, name]
    expected = " ".join(analysis.lexemes(" ".join(joined)))
    meta = search.meta_text(
        identifier=identifier, canonical_id=canonical_id, origin=origin, station=station, tags=tags
    )
    assert meta == expected
