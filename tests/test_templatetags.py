"""cable_tags: REF mentions linked inside escaped paragraph text, badges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from cables.models import Cable, Origin
from cables.search import Snippet
from cables.templatetags.cable_tags import (
    cable_row,
    classification_badge,
    link_refs,
    marking_badge,
    thousands,
)

LINKS = {"A": "/cables/06STATE1/", "B": "/cables/06PARIS2/"}


def test_ref_a_is_linked_to_the_cited_cable():
    html = link_refs("As noted in REF A, the talks stalled.", LINKS)
    assert html == 'As noted in <a class="ref-mention" href="/cables/06STATE1/">REF A</a>, the talks stalled.'


@pytest.mark.parametrize(
    ("text", "linked"),
    [
        ("we shared Ref A points", "Ref A"),
        ("see REFTEL B.", "REFTEL B"),
        ("per REF (A) above", "REF (A)"),
        ("REFS A and B", "REFS A"),
    ],
)
def test_ref_mention_variants(text, linked):
    assert f">{linked}</a>" in link_refs(text, LINKS)


def test_several_labels_are_each_linked():
    html = link_refs("REFS A AND B agree", LINKS)
    assert 'href="/cables/06STATE1/">REFS A</a>' in html
    assert 'href="/cables/06PARIS2/">B</a>' in html


def test_bare_reftel_links_to_the_only_cited_cable():
    assert link_refs("paras 2-3 of reftel", {"A": "/x/", "": "/x/"}) == (
        'paras 2-3 of <a class="ref-mention" href="/x/">reftel</a>'
    )
    assert "<a" not in link_refs("paras 2-3 of reftel", LINKS)  # two cited cables: ambiguous


@pytest.mark.parametrize("text", ["REFERENCE A", "PREFACE", "REF AND", "REF C", "ref a", "REFA"])
def test_non_mentions_and_unknown_labels_stay_text(text):
    assert "<a" not in link_refs(text, LINKS)


def test_paragraph_text_is_escaped_around_links():
    html = link_refs('<script>alert(1)</script> REF A "><img src=x onerror=alert(1)>', LINKS)
    assert "<script>" not in html and "<img" not in html
    assert html.startswith("&lt;script&gt;alert(1)&lt;/script&gt; <a ")
    assert html.endswith("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")


def test_text_without_links_is_only_escaped():
    assert link_refs("a < b & REF A", {}) == "a &lt; b &amp; REF A"


def test_badges():
    assert classification_badge(5) == '<span class="badge cls-5">SECRET</span>'
    assert classification_badge(99) == '<span class="badge">unknown</span>'
    assert 'class="marking m-s"' in marking_badge("S//NF")
    assert 'class="marking m-sbu"' in marking_badge("SBU")
    assert 'class="marking m-c"' in marking_badge("C")
    assert marking_badge("<b>") == '<span class="marking m-c" title="Portion marking">&lt;b&gt;</span>'
    assert marking_badge("") == ""
    assert thousands(251287) == "251,287"


def test_soft_breaks_mark_prose_line_breaks_only():
    from cables.templatetags.cable_tags import soft_breaks

    text = "During the visit\nto Paris, he met:\n\n-- the minister\n-- the adviser\nA. first item"
    html = soft_breaks(text)
    assert html == (
        'During the visit<span class="eol">\n</span>to Paris, he met:\n\n-- the minister\n-- the adviser\n'
        "A. first item"
    )


def test_soft_breaks_never_touch_markup():
    from cables.templatetags.cable_tags import link_refs, soft_breaks

    html = soft_breaks(link_refs("As REF A\nsays, &lt;b&gt; <script>\nalert(1)", {"A": "/cables/09STATE1/"}))
    assert "<script>" not in html
    assert '<a class="ref-mention" href="/cables/09STATE1/">REF A</a><span class="eol">\n</span>says' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"created": None},
        {"origin": None, "station": "PARIS <&>"},
        {"origin": None, "station": ""},
        {"is_partial": True, "subject": ""},
        {"subject": 'TALKS <script>alert("x")</script> & "more"', "classification": 6},
        {"identifier": "06PARIS6189", "created": datetime(2006, 12, 31, 23, 59, 59, tzinfo=UTC)},
    ],
)
def test_cable_row_tag_renders_the_row_template(fields):
    """cable_row builds in Python the bytes of cables/includes/_cable_row.html, escaping as the
    template does: for dated and undated cables, with an origin, a station or neither, partial,
    hostile text, and search snippets with and without a paragraph number."""
    origin = Origin.objects.create(
        name="Embassy <Paris>", slug="embassy-paris", source_name="Embassy <Paris>"
    )
    values = {
        "identifier": "09STATE12",
        "canonical_id": "09STATE12",
        "created": datetime(2009, 3, 4, 5, 6, 7, tzinfo=UTC),
        "classification": 3,
        "origin": origin,
        "station": "PARIS",
        "subject": "NUCLEAR TALKS",
        "is_partial": False,
        "first_loaded_at": timezone.now(),
        "loaded_at": timezone.now(),
    }
    values.update(fields)
    values["canonical_id"] = values["identifier"]
    cable = Cable.objects.create(**values)
    for snippets in (
        [],
        [
            Snippet("p3", 3, 3, mark_safe("<mark>talk</mark> &amp; more")),
            Snippet("p-5", None, 5, mark_safe("x")),
        ],
    ):
        cable.snippets = snippets
        expected = render_to_string("cables/includes/_cable_row.html", {"cable": cable})
        assert cable_row(cable) == expected
    if values["subject"]:
        assert "&lt;script&gt;" in expected or "<script>" not in values["subject"]
