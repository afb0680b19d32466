"""cables.search: query syntax, same results on SQLite FTS5 and PostgreSQL, snippets, facets, ids.

Every test runs on the configured database (SQLite by default, PostgreSQL with DATABASE_URL); the
expected result sets are exact, so passing on both engines means both give the same results.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils.safestring import SafeString

from cables import search as search_module
from cables.ingest import cables_ingest
from cables.models import Cable, CableTag, Classification
from cables.search import (
    ParsedQuery,
    SearchQueryError,
    SearchTimeout,
    analyze,
    facets,
    highlight,
    identifier_lookup,
    parse_query,
    search,
    search_bounds,
    search_index_delete,
    search_index_rebuild,
    search_index_update,
    snippets,
    summarize,
)
from tests.factories import make_cable, make_paragraph, make_reference

pytestmark = pytest.mark.django_db


def ingest(cable_files, *cables):
    """Load cables through the ingest service, then make sure they are indexed."""
    paths = [cable_files(f"{cable.identifier}.txt", cable) for cable in cables]
    report = cables_ingest(sources=paths)
    assert report.failed == []
    # Idempotent, so harmless once ingest calls it itself.
    search_index_update(cable_ids=Cable.objects.values_list("pk", flat=True))
    return report


CORPUS = [
    make_cable(
        "06PARIS6189",
        subject="FRANCE ON IRAN,S NUCLEAR PROGRAM",
        tags=("PREL", "KNNP", "FR", "IR"),
        created="2006-09-14T16:08:00Z",
        classification="CONFIDENTIAL",
        paragraphs=(
            make_paragraph(
                1, "(C) Summary: France supports sanctions against Iran's nuclear programs. End summary."
            ),
            make_paragraph(
                2, "(C) The Foreign Minister discussed the negotiations with the Secretary of State."
            ),
            make_paragraph(None, "(U) Unnumbered closing remark about Tehran."),
        ),
        body=(
            "1. (C) Summary: France supports sanctions against Iran's nuclear programs. End summary.\n\n"
            "2. (C) The Foreign Minister discussed the negotiations with the Secretary of State.\n\n"
            "(U) Unnumbered closing remark about Tehran."
        ),
        references=(make_reference("06STATE150039"),),
    ),
    make_cable(
        "07BERLIN100",
        subject="GERMAN VIEWS ON EXPORT CONTROLS",
        tags=("PREL", "ETTC", "GM"),
        created="2007-03-01T10:00:00Z",
        classification="SECRET",
        paragraphs=(
            make_paragraph(1, "(S) Germany negotiated new sanctions on nuclear exports."),
            make_paragraph(2, "(S) The Secretary of the Treasury will visit in May."),
        ),
        body=(
            "1. (S) Germany negotiated new sanctions on nuclear exports.\n\n"
            "2. (S) The Secretary of the Treasury will visit in May."
        ),
    ),
    make_cable(
        "08STATE5000",
        subject="DEMARCHE ON NUCLEAR SECURITY",
        tags=("KNNP", "PARM"),
        created="2008-05-20T12:00:00Z",
        classification="UNCLASSIFIED",
        paragraphs=(
            make_paragraph(1, "Posts should raise the nuclear security summit.", marking=None),
            make_paragraph(2, "Washington thanks partners for their generous aid.", marking=None),
        ),
        body=(
            "1. Posts should raise the nuclear security summit.\n\n"
            "2. Washington thanks partners for their generous aid."
        ),
    ),
    make_cable(
        "09BRUSSELS77",
        subject="EU TRADE TALKS",
        tags=("ETRD", "EUN"),
        created="2009-11-02T08:30:00Z",
        classification="CONFIDENTIAL",
        paragraphs=(
            make_paragraph(1, "(C) The general view is that the trade negotiation stalled."),
            make_paragraph(2, "(C) Trade ministers meet again in December."),
        ),
        body=(
            "1. (C) The general view is that the trade negotiation stalled.\n\n"
            "2. (C) Trade ministers meet again in December."
        ),
    ),
    make_cable(
        "05PARIS1234",
        subject="PARIS FASHION WEEK",
        tags=("ECON", "FR"),
        created="2005-01-10T09:00:00Z",
        classification="UNCLASSIFIED",
        paragraphs=(
            make_paragraph(1, "Anti-nuclear protesters gathered near the shows.", marking=None),
            make_paragraph(2, "A new generation of designers; the U.S. buyers were present.", marking=None),
        ),
        body=(
            "1. Anti-nuclear protesters gathered near the shows.\n\n"
            "2. A new generation of designers; the U.S. buyers were present."
        ),
    ),
]


@pytest.fixture
def corpus(cable_files):
    ingest(cable_files, *CORPUS)
    return {cable.identifier: cable for cable in Cable.objects.all()}


def found(q: str, **kwargs) -> set[str]:
    return set(search(Cable.objects.all(), q, **kwargs).values_list("identifier", flat=True))


# --- query syntax, exact result sets ----------------------------------------------------------------

SYNTAX_CASES = [
    ("nuclear", {"06PARIS6189", "07BERLIN100", "08STATE5000", "05PARIS1234"}),
    ("NUCLEAR", {"06PARIS6189", "07BERLIN100", "08STATE5000", "05PARIS1234"}),
    ("nuclear sanctions", {"06PARIS6189", "07BERLIN100"}),
    ("sanction", {"06PARIS6189", "07BERLIN100"}),  # stemming: sanctions ~ sanction
    ('"nuclear security"', {"08STATE5000"}),
    ('"security nuclear"', set()),
    ("nuclear -sanctions", {"08STATE5000", "05PARIS1234"}),
    ('nuclear -"nuclear security"', {"06PARIS6189", "07BERLIN100", "05PARIS1234"}),
    ("sanctions OR trade", {"06PARIS6189", "07BERLIN100", "09BRUSSELS77"}),
    ("sanctions OR trade -germany", {"06PARIS6189", "09BRUSSELS77"}),
    # 08STATE5000 is from the "Secretary of State": origins are indexed.
    ("secretary sanctions OR summit", {"06PARIS6189", "07BERLIN100", "08STATE5000"}),
    ("negotiat*", {"06PARIS6189", "07BERLIN100", "09BRUSSELS77"}),
    ("negotiations", {"06PARIS6189", "07BERLIN100", "09BRUSSELS77"}),
    ("gener*", {"08STATE5000", "09BRUSSELS77", "05PARIS1234"}),
    # Porter2 keeps general, generous and generation apart (Porter1 would not).
    ("general", {"09BRUSSELS77"}),
    ("generous", {"08STATE5000"}),
    ("generation", {"05PARIS1234"}),
    ('"secretary of state"', {"06PARIS6189", "08STATE5000"}),
    ('"secretary of state" -demarche', {"06PARIS6189"}),
    ("secretary state", {"06PARIS6189", "08STATE5000"}),
    ('"secretary treasury"', {"07BERLIN100"}),
    ("iran's", {"06PARIS6189"}),
    ("iran,s", {"06PARIS6189"}),
    ("Irans", {"06PARIS6189"}),  # stemmed like iran's
    ("anti-nuclear", {"05PARIS1234"}),
    ('"anti nuclear"', {"05PARIS1234"}),
    ("U.S.", {"05PARIS1234"}),
    ("knnp", {"06PARIS6189", "08STATE5000"}),  # tags are indexed
    ("embassy paris", {"06PARIS6189", "05PARIS1234"}),  # and origins
    ("06PARIS6189", {"06PARIS6189"}),  # and identifiers
    ("fashion", {"05PARIS1234"}),  # and subjects
    ("tehran", {"06PARIS6189"}),  # and unnumbered paragraphs
    ("sipdis", set()),
    ("nuclear exports germany", {"07BERLIN100"}),
    ('"the nuclear security summit"', {"08STATE5000"}),
    ('nuclear "end summary', {"06PARIS6189"}),  # unmatched quote dropped
]


@pytest.mark.parametrize(("q", "expected"), SYNTAX_CASES, ids=[case[0] for case in SYNTAX_CASES])
def test_query_finds_exactly_the_expected_cables(corpus, q, expected):
    assert found(q) == expected


@pytest.mark.parametrize("order", ["relevance", "newest", "oldest"])
def test_every_order_returns_the_same_set(corpus, order):
    assert found("nuclear OR trade", order=order) == set(corpus)


def test_newest_and_oldest_order_by_date(corpus):
    newest = list(search(Cable.objects.all(), "nuclear", order="newest").values_list("identifier", flat=True))
    assert newest == ["08STATE5000", "07BERLIN100", "06PARIS6189", "05PARIS1234"]
    oldest = list(search(Cable.objects.all(), "nuclear", order="oldest").values_list("identifier", flat=True))
    assert oldest == list(reversed(newest))


def test_relevance_prefers_a_match_in_the_subject(corpus):
    ranked = list(search(Cable.objects.all(), "nuclear"))
    assert [cable.identifier for cable in ranked[:2]] == ["06PARIS6189", "08STATE5000"] or [
        cable.identifier for cable in ranked[:2]
    ] == ["08STATE5000", "06PARIS6189"]
    assert ranked[0].search_rank >= ranked[-1].search_rank
    assert ranked[-1].identifier in {"07BERLIN100", "05PARIS1234"}


def test_relevance_ranks_a_bounded_candidate_set_then_the_rest_newest_first(corpus, monkeypatch):
    # Only the first RANK_CANDIDATES matches (index order) are ranked, and come first, best
    # first; the other matches follow newest first. Which cables match never depends on it.
    monkeypatch.setattr(search_module, "RANK_CANDIDATES", 2)
    results = search(Cable.objects.all(), "nuclear")
    rows = list(results)
    ids = [cable.identifier for cable in rows]
    assert set(ids) == found("nuclear") == {"08STATE5000", "07BERLIN100", "06PARIS6189", "05PARIS1234"}
    assert len(ids) == 4 and results.count() == 4
    ranks = [cable.search_rank for cable in rows]
    assert None not in ranks[:2] and ranks[0] >= ranks[1] and ranks[2:] == [None, None]
    created = {cable.identifier: cable.created for cable in rows}
    assert created[ids[2]] > created[ids[3]]  # the rest, newest first
    # a slice within the candidates is read from them alone: the same rows
    assert [cable.identifier for cable in results[:2]] == ids[:2]
    assert [cable.identifier for cable in results[1:2]] == ids[1:2]
    assert [cable.identifier for cable in results[1:3]] == ids[1:3]
    assert [cable.search_rank for cable in results[:2]] == ranks[:2]  # the same ranks, too
    # a later filter that leaves too few candidates for the slice: read the usual way, same order
    unclassified = results.filter(classification=Classification.UNCLASSIFIED)
    expected = [i for i in ids if i in {"08STATE5000", "05PARIS1234"}]
    assert [cable.identifier for cable in unclassified[:2]] == expected
    assert [cable.identifier for cable in unclassified] == expected


@pytest.mark.parametrize(
    "q", ["nuclear", "nuclear OR trade", '"secretary of state"', "gener*", "nuclear -sanctions"]
)
def test_a_page_within_the_candidates_has_the_rows_and_ranks_of_the_full_sort(corpus, q):
    results = search(Cable.objects.all(), q)
    full = [(cable.identifier, cable.search_rank) for cable in results]  # no slice: one sort of all
    assert all(rank is not None for _, rank in full)
    page = [(cable.identifier, cable.search_rank) for cable in results.with_list_related()[:3]]
    assert page == full[:3]
    filtered = search(Cable.objects.filter(classification=Classification.CONFIDENTIAL), q)
    assert [c.identifier for c in filtered[:2]] == [c.identifier for c in filtered][:2]


def test_the_match_is_written_bare_so_the_database_can_drive_by_it(corpus):
    # SQLite cannot drive a query by "id IN (fts rows) = True" (a scan of every cable).
    sql = str(search(Cable.objects.filter(classification=Classification.SECRET), "nuclear").query)
    assert "= True" not in sql and "= 1)" not in sql


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_a_page_in_date_order_is_a_slice_of_the_whole_list(corpus, order):
    # SQLite reads a page's ordered ids first, then the rows: the same rows in the same order.
    results = search(Cable.objects.all(), "nuclear OR trade", order=order)
    everything = [cable.identifier for cable in results]
    for start, stop in ((0, 2), (1, 3), (3, 10), (0, 50)):
        assert [cable.identifier for cable in results.with_list_related()[start:stop]] == everything[
            start:stop
        ]
    narrowed = results.filter(classification=Classification.CONFIDENTIAL)
    assert [cable.identifier for cable in narrowed[:2]] == [cable.identifier for cable in narrowed][:2]
    fresh = search(Cable.objects.all(), "nuclear OR trade", order=order)
    assert fresh[:3].count() == 3 and fresh.values_list("pk", flat=True)[:2].count() == 2


def test_search_is_a_queryset_that_chains_counts_and_slices(corpus):
    results = search(Cable.objects.filter(classification=Classification.UNCLASSIFIED), "nuclear")
    assert results.count() == 2
    assert {c.identifier for c in results.filter(tags__code="KNNP")} == {"08STATE5000"}
    assert len(results[:1]) == 1
    # Used as a subquery (as facets and filters do) the aliases stay right.
    assert set(Cable.objects.filter(pk__in=results.values("pk")).values_list("identifier", flat=True)) == {
        "08STATE5000",
        "05PARIS1234",
    }


def test_unknown_order_is_a_programming_error(corpus):
    with pytest.raises(ValueError, match="order"):
        search(Cable.objects.all(), "nuclear", order="sideways")


# --- malformed input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "Type a word"),
        ("   ", "Type a word"),
        ("the of and", "only very common words"),
        ('"the of"', "only very common words"),
        ("-iran", "only of excluded words"),
        ("-iran -nuclear", "only of excluded words"),
        ("!!! ??? ---", "no words"),
        ("*", "no words"),
        ("a*", "at least 2 letters"),
        ("OR", "no words"),
        ("'" * 2000, "no words"),
    ],
)
def test_unusable_query_raises_a_reader_facing_error(q, message):
    with pytest.raises(SearchQueryError) as error:
        parse_query(q)
    assert message in error.value.message


@pytest.mark.parametrize(
    ("q", "notice"),
    [
        ('"nuclear security', "unmatched quotation mark"),
        ("nuclear OR", "OR needs a word"),
        ("OR nuclear", "OR needs a word"),
        ("the nuclear", "Very common words are not searched: “the”"),
        ("nuclear " * 300, "first 500 characters"),
        (" ".join(f"w{i}" for i in range(40)), "first 20 words"),
    ],
)
def test_repairable_query_gives_a_notice(q, notice):
    parsed = parse_query(q)
    assert isinstance(parsed, ParsedQuery)
    assert notice in parsed.notice


def test_clean_query_has_no_notice():
    assert parse_query('nuclear "secretary of state" OR iran -germany neg*').notice is None


@pytest.mark.parametrize(
    "q",
    [
        "x" * 2000,
        "<script>alert(1)</script>" * 80,
        '"' * 501,
        "'); DROP TABLE cables_cable; --",
        "nuclear AND NOT NEAR(x) : ^ { } [ ] \\ ' \" * - + ( )",
        "\x00\x01\x02 nuclear",
        "nu'clear",
        "col:nuclear body:iran",
        "-" * 2000,
        "🙂 ☢️ nuclear",
        " ".join(["OR"] * 100),
        "".join(chr(c) for c in range(32, 2000)),
    ],
)
def test_junk_never_escapes_as_an_exception(corpus, q):
    try:
        results = search(Cable.objects.all(), q)
        list(results[:20])
        results.count()
        snippets(list(results[:20]), q)
    except SearchQueryError as error:
        assert error.message


def test_operators_inside_a_query_are_words_not_syntax(corpus):
    # FTS5 and tsquery operators typed by the reader are just text.
    assert found("nuclear AND") == found("nuclear and") == found("nuclear")
    assert found("NEAR nuclear") == {"05PARIS1234"}  # NEAR is a word here ("near the shows")


# --- both engines index the same tokens ----------------------------------------------------------


def test_analysis_folds_stems_and_drops_stop_words():
    assert analyze("FRANCE ON IRAN,S NUCLEAR PROGRAMS") == ["franc", "iran", "nuclear", "program"]
    assert analyze("The U.S. and Côte d’Ivoire’s 06PARIS6189") == ["us", "cote", "divoir", "06paris6189"]


def test_index_follows_reingest_and_delete(cable_files, corpus):
    changed = make_cable(
        "08STATE5000",
        subject="DEMARCHE ON FISHERIES",
        tags=("KNNP",),
        created="2008-05-20T12:00:00Z",
        paragraphs=(make_paragraph(1, "Posts should raise fishing quotas.", marking=None),),
        body="1. Posts should raise fishing quotas.",
    )
    ingest(cable_files, changed)
    assert found("nuclear security") == set()
    assert found("fisheries") == {"08STATE5000"}
    Cable.objects.filter(identifier="08STATE5000").delete()
    assert found("fisheries") == set()


def test_index_delete_takes_cables_out(corpus):
    pk = corpus["06PARIS6189"].pk
    search_index_delete(cable_ids=[pk])
    assert "06PARIS6189" not in found("nuclear")
    search_index_update(cable_ids=[pk])
    assert "06PARIS6189" in found("nuclear")


def test_rebuild_gives_the_same_results_as_incremental_updates(corpus):
    before = {q: found(q) for q, _ in SYNTAX_CASES}
    search_index_delete(cable_ids=[c.pk for c in corpus.values()])
    assert found("nuclear") == set()
    progress = []
    assert (
        search_index_rebuild(batch_size=2, progress=lambda done, total: progress.append((done, total))) == 5
    )
    assert progress == [(2, 5), (4, 5), (5, 5)]
    assert {q: found(q) for q, _ in SYNTAX_CASES} == before


def test_rebuild_command_reports_progress(corpus):
    from io import StringIO

    out = StringIO()
    call_command("rebuild_search_index", "--batch-size", "2", "--verbosity", "2", stdout=out)
    text = out.getvalue()
    assert "2/5" in text
    assert "Indexed 5 cables" in text
    assert found("nuclear security") == {"08STATE5000"}


def test_index_update_is_set_based(corpus, django_assert_max_num_queries):
    ids = [c.pk for c in corpus.values()]
    with django_assert_max_num_queries(4):
        search_index_update(cable_ids=ids)


# --- snippets ------------------------------------------------------------------------------------


def test_snippets_come_from_matching_paragraphs_with_anchors(corpus, django_assert_num_queries):
    cables = list(search(Cable.objects.all(), "nuclear OR tehran"))
    with django_assert_num_queries(1):
        result = snippets(cables, "nuclear OR tehran")
    paris = result[corpus["06PARIS6189"].pk]
    assert [(s.anchor, s.number) for s in paris] == [("p1", 1), ("p-3", None)]
    assert paris[0].html == (
        "(C) Summary: France supports sanctions against Iran&#x27;s <mark>nuclear</mark> programs. "
        "End summary."
    )
    assert paris[1].html == "(U) Unnumbered closing remark about <mark>Tehran</mark>."
    assert isinstance(paris[0].html, SafeString)
    assert [s.anchor for s in result[corpus["05PARIS1234"].pk]] == ["p1"]
    assert "Anti-<mark>nuclear</mark>" in result[corpus["05PARIS1234"].pk][0].html


def test_snippets_mark_phrases_prefixes_and_stems(corpus):
    pk = corpus["06PARIS6189"].pk
    [snippet] = snippets([corpus["06PARIS6189"]], '"secretary of state" negotiat*')[pk]
    assert snippet.anchor == "p2"
    assert snippet.html == (
        "(C) The Foreign Minister discussed the <mark>negotiations</mark> with the "
        "<mark>Secretary of State</mark>."
    )
    # Excluded words are not marked; a cable matched only by its subject has no snippet.
    assert snippets([corpus["09BRUSSELS77"]], "eu -nuclear")[corpus["09BRUSSELS77"].pk] == []


def test_snippets_pick_the_best_paragraphs_in_reading_order(cable_files):
    paragraphs = [
        make_paragraph(n, text, marking=None)
        for n, text in enumerate(
            ["oil only", "nothing", "oil and gas", "gas only", "oil, gas and oil again"], start=1
        )
    ]
    ingest(cable_files, make_cable("08LAGOS1", paragraphs=tuple(paragraphs), body="oil gas"))
    cable = Cable.objects.get()
    assert [s.anchor for s in snippets([cable], "oil gas", per_cable=2)[cable.pk]] == ["p3", "p5"]
    assert [s.anchor for s in snippets([cable], "oil OR gas", per_cable=1)[cable.pk]] == ["p5"]


TRICKY_TEXTS = [
    "IRAN,S nuclear program; Iran's nuclear programs and the U.S. position on 1.4(b) and 1.4 (d).",
    "Côte d’Ivoire’s negotiators negotiated; NEGOTIATIONS resumed. The dying man was lying.",
    "The Secretary of State and the secretary of the state; secretary-of-state. Human rights, human-rights.",
    "snake_case words, e.g. U.S.-EU, ambassadors' meeting, the ambassador\u2019s meeting, 06PARIS6189.",
    "",
]
TRICKY_QUERIES = [
    "nuclear",
    "iran's",
    "U.S.",
    "1.4(b)",
    "negotiat*",
    "cote",
    "die lie",
    '"secretary of state"',
    '"human rights" OR ambassador*',
    "06PARIS6189",
    '"secretary of th*"',
]


@pytest.mark.parametrize("q", TRICKY_QUERIES)
def test_fast_hit_finder_agrees_with_the_word_by_word_analysis(q):
    terms = parse_query(q).terms
    for text in TRICKY_TEXTS:
        assert search_module._find_hits(text, terms) == search_module._hits(search_module._spans(text), terms)


def test_ascii_word_pattern_reads_ascii_text_like_the_analysis():
    texts = [text for text in TRICKY_TEXTS if text.isascii()]
    texts += ["a.b.c. A.B d.e.f9 x.y_z 1.2.3 it's it''s 'quoted' O'Neil's __init__ e.g.,U.S.A.-based"]
    for text in texts:
        expected = [m.span() for m in search_module._WORD_RE.finditer(text)]
        assert [m.span() for m in search_module._ASCII_WORD_RE.finditer(text)] == expected, text


@pytest.mark.parametrize("q", TRICKY_QUERIES)
def test_snippet_score_bounds_never_undercount(q):
    terms = parse_query(q).terms
    bound = search_module._Bounds(terms)
    for text in TRICKY_TEXTS + [text.upper() for text in TRICKY_TEXTS]:
        distinct, total = search_module._score(search_module._lexemes(text), terms)
        limit = bound(text)
        if total:
            assert limit is not None and limit[0] >= distinct and limit[1] >= total, text


def test_snippets_of_a_long_cable_are_those_of_scoring_every_paragraph(cable_files):
    texts = [
        "oil prices",  # one hit early
        *["filler about the weather" for _ in range(30)],
        "gas, oil and more oil: oil everywhere",  # three oil, one gas
        "boiling soil and toil",  # probe matches, no hit
        *["oil" for _ in range(5)],
        "oil and gas and gas",  # the most distinct terms, hits 3
    ]
    paragraphs = [make_paragraph(n, text, marking=None) for n, text in enumerate(texts, start=1)]
    ingest(cable_files, make_cable("08LAGOS2", paragraphs=tuple(paragraphs), body=" ".join(texts)))
    cable = Cable.objects.get()
    for q, per_cable in (("oil gas", 2), ("oil OR gas", 1), ("oil", 3), ("oil", 6), ('"oil everywhere"', 2)):
        terms = parse_query(q).terms
        scored = sorted(
            (
                (*search_module._score(search_module._lexemes(text), terms), -number)
                for number, text in enumerate(texts, start=1)
            ),
            reverse=True,
        )
        expected = sorted(-key[2] for key in scored[:per_cable] if key[1])
        assert [s.number for s in snippets([cable], q, per_cable=per_cable)[cable.pk]] == expected, q


def test_long_paragraph_is_cut_around_the_hits():
    text = "filler " * 100 + "the nuclear talks " + "padding " * 100
    html = highlight(text, "nuclear", size=120)
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>nuclear</mark>" in html
    assert len(html) < 200


HOSTILE = (
    '<script>alert("nuclear")</script> nuclear <img src=x onerror=alert(1) nuclear '
    "&amp; &lt;b&gt; \ue000nuclear\ue001 <mark>nuclear</mark> \u2028 nuclear\"'`"
)


def test_snippets_escape_hostile_text(cable_files):
    cable = make_cable(
        "08HOSTILE1",
        paragraphs=(make_paragraph(1, HOSTILE, marking=None),),
        body=HOSTILE,
    )
    ingest(cable_files, cable)
    stored = Cable.objects.get()
    [snippet] = snippets([stored], "nuclear")[stored.pk]
    html = str(snippet.html)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)" in html
    assert "&amp;amp; &amp;lt;b&amp;gt;" in html
    assert "&lt;mark&gt;" in html  # the cable's own <mark> stays text
    assert "&quot;" in html and "&#x27;" in html
    # The only tags are ours: one <mark> per hit, all closed.
    assert html.count("<mark>") == html.count("</mark>") == 6
    assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert "\ue000<mark>nuclear</mark>\ue001" in html


def test_highlight_escapes_text_without_hits():
    assert highlight("<b>no hit</b> & co", "nuclear") == "&lt;b&gt;no hit&lt;/b&gt; &amp; co"


# --- facets --------------------------------------------------------------------------------------


def independent_facets(queryset):
    """The same counts, computed in Python from plain ORM rows."""
    cables = list(queryset.select_related("origin"))
    ids = [c.pk for c in cables]
    tags = Counter(CableTag.objects.filter(cable_id__in=ids).values_list("tag__code", flat=True))
    return {
        "tag": dict(tags),
        "origin": dict(Counter(c.origin.slug for c in cables if c.origin)),
        "classification": dict(Counter(str(c.classification) for c in cables)),
        "year": dict(Counter(str(c.created.year) for c in cables if c.created)),
    }


@pytest.mark.parametrize("q", ["nuclear", "nuclear OR trade", "secretary", "fashion"])
def test_facet_counts_equal_independent_counts(corpus, q):
    results = search(Cable.objects.all(), q)
    counted = facets(results)
    assert {key: {v.value: v.count for v in values} for key, values in counted.items()} == independent_facets(
        results
    )


def test_facets_respect_filters_and_labels(corpus):
    results = search(Cable.objects.filter(tags__code="KNNP"), "nuclear")
    counted = facets(results)
    assert [(v.label, v.value, v.count) for v in counted["classification"]] == [
        ("UNCLASSIFIED", str(Classification.UNCLASSIFIED), 1),
        ("CONFIDENTIAL", str(Classification.CONFIDENTIAL), 1),
    ]
    assert [(v.label, v.count) for v in counted["year"]] == [("2006", 1), ("2008", 1)]
    assert (counted["tag"][0].label, counted["tag"][0].count) == ("KNNP", 2)
    assert {v.label: v.value for v in counted["origin"]} == {
        "Embassy Paris": "embassy-paris",
        "Secretary of State": "secretary-of-state",
    }


def test_facets_of_a_big_result_count_a_sample_and_say_so(corpus):
    results = search(Cable.objects.all(), "nuclear OR trade")  # all 5 cables
    exact = facets(results)
    assert not any(value.at_least for values in exact.values() for value in values)
    sampled = facets(results, sample=2)
    values = [value for group in sampled.values() for value in group]
    assert values and all(value.at_least for value in values)
    assert sum(value.count for value in sampled["classification"]) == 2
    exact_counts = {(key, v.value): v.count for key, group in exact.items() for v in group}
    assert all(v.count <= exact_counts[(key, v.value)] for key, group in sampled.items() for v in group)


@pytest.mark.parametrize("q", ["nuclear", "nuclear OR trade", '"secretary of state"', "fashion", "sipdis"])
def test_summary_reads_the_matches_once_for_count_chart_and_facets(corpus, q, django_assert_max_num_queries):
    from cables.views import results_timeline

    results = search(Cable.objects.all(), q)
    with django_assert_max_num_queries(1):  # one statement
        summary = summarize(results, cap=100)
    assert (summary.count, summary.capped) == (results.count(), False)
    assert summary.facets == facets(results)
    chart = results_timeline(results)
    assert sum(summary.months.values()) == (chart["total"] if chart else 0)
    per_month = Counter(
        (c.year, c.month) for c in results.exclude(created=None).values_list("created", flat=True)
    )
    assert summary.months == dict(per_month)


def test_summary_of_a_big_result_caps_the_count_and_samples_the_facets(corpus):
    results = search(Cable.objects.all(), "nuclear OR trade")  # all 5 cables
    summary = summarize(results, cap=3, sample=2)
    assert (summary.count, summary.capped) == (3, True)
    assert sum(summary.months.values()) == 3  # the first 3 matches (all dated)
    assert all(value.at_least for values in summary.facets.values() for value in values)
    assert sum(value.count for value in summary.facets["classification"]) == 2
    exact = summarize(results, cap=5, sample=5)
    assert (exact.count, exact.capped) == (5, False)
    assert not any(value.at_least for values in exact.facets.values() for value in values)


def test_results_page_caches_its_summary_until_the_collection_changes(corpus, client, monkeypatch):
    from cables.page_cache import collection_version_bump

    collection_version_bump()
    calls = []
    real = search_module.summarize

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(search_module, "summarize", counting)
    url = reverse("cables:cable-list")
    first = client.get(url, {"q": "nuclear"})
    again = client.get(url, {"q": "nuclear", "sort": "newest"})  # same matches, another order
    assert len(calls) == 1
    for response in (first, again):
        assert response.context["paginator"].count == 4
        assert response.context["results_timeline"]["total"] == 4
    assert first.context["facets"] == again.context["facets"]
    narrowed = client.get(url, {"q": "nuclear", "tag": "KNNP"})  # other filters: its own summary
    assert len(calls) == 2 and narrowed.context["paginator"].count == 2
    collection_version_bump()  # ingest or an admin edit: computed again
    client.get(url, {"q": "nuclear"})
    assert len(calls) == 3


def test_results_page_labels_sampled_facet_counts(corpus, client, monkeypatch):
    url = reverse("cables:cable-list")
    assert "at least" not in client.get(url, {"q": "nuclear"}).content.decode()
    monkeypatch.setattr(search_module, "FACET_SAMPLE", 2)
    page = client.get(url, {"q": "nuclear"}).content.decode()
    assert "at least 2" in page or "at least 1" in page


def test_results_timeline_of_a_capped_search_charts_its_first_matches_and_says_so(
    corpus, client, monkeypatch
):
    from cables import views

    url = reverse("cables:cable-list")
    full = client.get(url, {"q": "nuclear"})
    assert full.context["results_timeline"]["total"] == 4 and not full.context["results_timeline"]["sample"]
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    capped = client.get(url, {"q": "nuclear"})
    chart = capped.context["results_timeline"]
    assert chart["sample"] == 3 and chart["total"] == 3
    assert "at least (of the first 3 matches)" in capped.content.decode()


# --- bounds --------------------------------------------------------------------------------------

SLOW_SQL = {
    "postgresql": "SELECT pg_sleep(2)",
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) "
    "SELECT count(*) FROM n",
}


def run_slow_statement():
    with connection.cursor() as cursor:
        cursor.execute(SLOW_SQL[connection.vendor])


def test_search_bounds_stop_a_slow_statement():
    with pytest.raises(SearchTimeout, match="took too long"), search_bounds(timeout_ms=50):
        run_slow_statement()
    # The connection is usable afterwards, and searches within the bound are unaffected.
    with search_bounds(timeout_ms=5000):
        assert Cable.objects.count() == 0


def test_search_bounds_leave_fast_searches_alone(corpus):
    with search_bounds(timeout_ms=5000):
        assert found("nuclear") == {"06PARIS6189", "07BERLIN100", "08STATE5000", "05PARIS1234"}
        assert facets(search(Cable.objects.all(), "nuclear"))["tag"]


def test_search_too_slow_shows_a_message_not_an_error(corpus, client, settings, monkeypatch):
    settings.CABLES_SEARCH_TIMEOUT_MS = 50

    def slow_step(*args, **kwargs):
        run_slow_statement()

    monkeypatch.setattr(search_module, "snippets", slow_step)
    response = client.get(reverse("cables:cable-list"), {"q": "nuclear"})
    assert response.status_code == 200
    assert "took too long" in response.content.decode()
    assert list(response.context["page_obj"].object_list) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL statement_timeout")
def test_statement_timeout_is_set_within_a_search(corpus):
    with search_bounds(timeout_ms=1234), connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "1234ms"
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "off"
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"


# --- identifiers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("06PARIS6189", "06PARIS6189"),
        ("06 PARIS 6189", "06PARIS6189"),
        ("06paris06189", "06PARIS6189"),
        ("  06-Paris-6189 ", "06PARIS6189"),
        ("06STATE150039", "06STATE150039"),  # cited, not loaded
        ("06 SECSTATE 150039", "06STATE150039"),  # alias of a cited id
        ("PARIS 6189", None),  # no year: ambiguous, searched
        ("06PARIS9999999", None),  # neither loaded nor cited
        ("nuclear", None),
        ("", None),
        ("06 PARIS 6189 nuclear", None),
    ],
)
def test_identifier_lookup_variants(corpus, q, expected):
    assert identifier_lookup(q) == expected


def test_identifier_search_finds_the_cable_on_this_engine(corpus):
    assert connection.vendor in {"sqlite", "postgresql"}
    assert found("06paris6189") == {"06PARIS6189"}


def test_stemming_is_safe_across_threads():
    """gunicorn's gthread workers share the module: concurrent stemming must give the same stems.

    A shared Snowball stemmer fails this at once (IndexError, wrong stems) when threads switch
    often; each thread must have its own.
    """
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from cables import search as engine

    stems = ("negotiat", "nuclear", "sanction", "elect", "govern", "international", "organization")
    endings = ("ion", "ions", "ing", "ed", "s", "al", "ly", "ive", "e", "ational")
    words = [stem + ending for stem in stems for ending in endings] * 20
    expected = [engine._stem(word) for word in words]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            for _ in range(10):
                assert list(pool.map(engine._stem, words)) == expected
    finally:
        sys.setswitchinterval(interval)
