"""Views and URLs: converter round trips, fixed query counts, escaping of cable text."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import TestCase
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from cables.ingest import cables_ingest
from cables.models import DETAIL_COLUMNS, Cable, CablePage, Tag
from cables.page_cache import collection_version_bump, local_pages
from cables.search import search_index_rebuild
from tests.factories import make_cable, make_paragraph, make_reference


@pytest.mark.parametrize(
    "identifier", ["06PARIS6189", "09USUNNEWYORK828", "66BUENOSAIRES2481", "06EFTOBAKU1165"]
)
def test_cable_url_round_trips(identifier):
    url = reverse("cables:cable-detail", kwargs={"identifier": identifier})
    assert url == f"/cables/{identifier}/"
    match = resolve(url)
    assert match.view_name == "cables:cable-detail"
    assert match.kwargs == {"identifier": identifier}


@pytest.mark.parametrize(
    "path", ["/cables/paris/", "/cables/06paris1/", "/cables/6PARIS1/", "/cables/06PARIS%3C1/"]
)
def test_malformed_identifiers_do_not_resolve(path):
    with pytest.raises(Resolver404):
        resolve(path)


def test_reverse_rejects_a_malformed_identifier():
    with pytest.raises(NoReverseMatch):
        reverse("cables:cable-detail", kwargs={"identifier": "../admin"})


@pytest.mark.django_db
def test_home_page_renders_with_an_empty_collection(client):
    response = client.get(reverse("cables:home"))
    assert response.status_code == 200
    assert b"No cables are loaded yet." in response.content


def load(monkeypatch, tmp_path, *cables):
    """Ingest ParsedCables through the real service, with the parser stood in for."""
    from cables import parsing

    monkeypatch.setattr(parsing, "iter_path", lambda path: iter(cables))
    stand_in = tmp_path / "stand-in.txt"  # a file: ingest walks a directory itself
    stand_in.write_text("read by the stand-in parser")
    report = cables_ingest(sources=[stand_in])
    assert report.failed == []
    return report


@pytest.mark.django_db
def test_unknown_cable_is_404(client):
    assert client.get("/cables/06PARIS1/").status_code == 404


class CablePageTests(TestCase):
    @pytest.fixture(autouse=True)
    def _inject(self, monkeypatch, tmp_path):
        self.monkeypatch, self.tmp_path = monkeypatch, tmp_path

    def load(self, *cables):
        load(self.monkeypatch, self.tmp_path, *cables)

    def test_list_page_runs_a_fixed_number_of_queries(self):
        self.load(*[make_cable(f"06PARIS{n}", origin=f"Embassy {n}") for n in range(1, 61)])
        # The first visit after a load counts the cables (the exact count of an unfiltered list is
        # then cached until ingest next writes); every visit after it: origin choices of the
        # filter form + the collection's version (for the cached count) + one page of cables.
        response = self.client.get(reverse("cables:cable-list"))
        self.assertContains(response, "60 cables")
        with self.assertNumQueries(3):
            response = self.client.get(reverse("cables:cable-list"))
        self.assertContains(response, "60 cables")
        self.assertEqual(len(response.context["cable_list"]), 50)
        with self.assertNumQueries(3):
            response = self.client.get(reverse("cables:cable-list"), {"page": 2})
        self.assertEqual(len(response.context["cable_list"]), 10)
        self.load(make_cable("06PARIS61", origin="Embassy 61"))  # a load: the count follows
        self.assertContains(self.client.get(reverse("cables:cable-list")), "61 cables")

    def test_list_is_newest_first(self):
        self.load(
            make_cable("06PARIS1", created="2006-01-01T00:00:00Z"),
            make_cable("06PARIS2", created="2006-06-01T00:00:00Z"),
            make_cable("06PARIS3", created=None),
        )
        response = self.client.get(reverse("cables:cable-list"))
        identifiers = [cable.identifier for cable in response.context["cable_list"]]
        self.assertEqual(identifiers, ["06PARIS2", "06PARIS1", "06PARIS3"])

    def test_detail_page_runs_a_fixed_number_of_queries(self):
        cited = [make_cable(f"06STATE{n}") for n in range(1, 6)]
        citing = make_cable(
            "06PARIS1",
            references=tuple(make_reference(c.identifier, label=chr(65 + i)) for i, c in enumerate(cited)),
            paragraphs=tuple(make_paragraph(n, f"({n}) text") for n in range(1, 30)),
        )
        others = [make_cable(f"06BERLIN{n}", references=(make_reference("06PARIS1"),)) for n in range(1, 8)]
        self.load(*cited, citing, *others)
        # cold cache: the cached page and the collection version (one query, cables.page_cache);
        # cable+origin, references both ways (+cited, +citing), recipients, paragraphs,
        # tags(+tag), previous and next cable of the same origin (one UNION); 1 to store the page.
        # PostgreSQL reads the cable, its parts and its neighbours in one statement, and that
        # statement in the same query as the cached page.
        reads = 0 if connection.vendor == "postgresql" else 1 + 4 + 1
        with self.assertNumQueries(1 + reads + 1):
            response = self.client.get(reverse("cables:cable-detail", kwargs={"identifier": "06PARIS1"}))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'href="/cables/06STATE3/"')
        self.assertContains(response, 'href="/cables/06BERLIN7/"')
        self.assertContains(response, 'id="p29"')

    def test_cable_text_is_escaped(self):
        self.load(
            make_cable(
                "06PARIS1",
                subject="<script>alert(1)</script>",
                paragraphs=(make_paragraph(1, 'A <b>bold</b> & "quoted" claim'),),
                references=(make_reference("06PARIS9", text="<img src=x onerror=alert(1)>"),),
            )
        )
        response = self.client.get(Cable.objects.get().get_absolute_url())
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertNotContains(response, "<b>bold</b>")
        self.assertNotContains(response, "<img src=x")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertContains(response, "A &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; claim")
        list_response = self.client.get(reverse("cables:cable-list"))
        self.assertNotContains(list_response, "<script>alert(1)</script>")

    def test_pagination_links_keep_the_query_string(self):
        self.load(*[make_cable(f"06PARIS{n}") for n in range(1, 61)])
        response = self.client.get(reverse("cables:cable-list"), {"page": 1, "sort": "date"})
        self.assertContains(response, 'href="?page=2&amp;sort=date"')


EVIL = "<script>alert(1)</script>"
EVIL_ATTR = '"><img src=x onerror=alert(1)>'


class ReadingRoomTests(TestCase):
    @pytest.fixture(autouse=True)
    def _inject(self, monkeypatch, tmp_path):
        self.monkeypatch, self.tmp_path = monkeypatch, tmp_path

    def load(self, *cables):
        load(self.monkeypatch, self.tmp_path, *cables)

    def url(self, identifier):
        return reverse("cables:cable-detail", kwargs={"identifier": identifier})

    # --- citations, both directions ----------------------------------------------------------

    def test_citations_link_both_ways_and_ref_mentions_in_paragraphs(self):
        self.load(
            make_cable("06STATE1", subject="The cited one"),
            make_cable(
                "06PARIS2",
                references=(make_reference("06STATE1", label="A"), make_reference("06STATE9", label="B")),
                paragraphs=(make_paragraph(1, "We delivered REF A points; see also REF B."),),
            ),
        )
        citing = self.client.get(self.url("06PARIS2"))
        self.assertContains(citing, '<a href="/cables/06STATE1/">06STATE1</a>', html=True)
        self.assertContains(citing, '<a class="ref-mention" href="/cables/06STATE1/">REF A</a>', html=True)
        self.assertContains(citing, '<a class="ref-mention" href="/cables/06STATE9/">REF B</a>', html=True)
        self.assertContains(citing, "not in the collection")
        self.assertContains(citing, 'id="p1"')
        self.assertContains(citing, 'href="#p1"')
        cited = self.client.get(self.url("06STATE1"))
        self.assertContains(cited, 'href="/cables/06PARIS2/"')
        cited_by = cited.content.decode().split('<ul class="cited-by-list">')[1].split("</ul>")[0]
        self.assertEqual(re.findall(r'href="/cables/([^/"]+)/"', cited_by), ["06PARIS2"])

    def test_cited_but_not_loaded_cable_has_a_page_listing_who_cites_it(self):
        self.load(
            make_cable("06PARIS2", references=(make_reference("06STATE9"),)),
            make_cable(
                "06BERLIN3", references=(make_reference("06STATE9"), make_reference("06STATE9", label="B"))
            ),
        )
        # the cached page (none), the cable (on PostgreSQL in the same query), a canonical/alias
        # match, the citing references
        with self.assertNumQueries(3 if connection.vendor == "postgresql" else 4):
            response = self.client.get(self.url("06STATE9"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "06STATE9 is not in the collection")
        self.assertContains(response, 'href="/cables/06PARIS2/#refs"')
        self.assertContains(response, 'href="/cables/06BERLIN3/#refs"')
        self.assertEqual(len(response.context["citing_cables"]), 2)

    def test_unknown_identifier_is_404(self):
        self.load(make_cable("06PARIS2"))
        self.assertEqual(self.client.get(self.url("06STATE9")).status_code, 404)
        self.assertEqual(self.client.get("/cables/06PARIS2.txt/").status_code, 404)

    def test_alias_and_malformed_identifiers_redirect_permanently(self):
        self.load(
            make_cable("06STATE5"), make_cable("06PARIS6189", references=(make_reference("06STATE77"),))
        )
        for asked, canonical in [
            ("06SECSTATE5", "06STATE5"),
            ("06PARIS06189", "06PARIS6189"),
            ("06SECSTATE77", "06STATE77"),  # cited only: to its page
        ]:
            response = self.client.get(self.url(asked))
            self.assertEqual(response.status_code, 301, asked)
            self.assertEqual(response["Location"], self.url(canonical))

    def test_canonical_id_of_a_loaded_cable_redirects_to_its_identifier(self):
        self.load(make_cable("06SECSTATE5", canonical_id="06STATE5"))
        response = self.client.get(self.url("06STATE5"))
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], self.url("06SECSTATE5"))

    # --- the cable page --------------------------------------------------------------------

    def test_cable_page_shows_metadata_routing_and_neighbours(self):
        self.load(
            make_cable("06PARIS1", created="2006-01-01T00:00:00Z"),
            make_cable("06PARIS2", created="2006-02-01T09:30:00Z"),
            make_cable("06PARIS3", created="2006-03-01T00:00:00Z"),
            make_cable("06BERLIN4", created="2006-02-15T00:00:00Z"),
        )
        response = self.client.get(self.url("06PARIS2"))
        self.assertContains(response, "1 February 2006, 09:30 UTC")
        self.assertContains(response, '<span class="badge cls-3">CONFIDENTIAL</span>', html=True)
        self.assertContains(response, 'href="/origins/embassy-paris/"')
        self.assertContains(response, 'href="/tags/PREL/"')
        self.assertContains(response, "External Political Relations")  # glossary name
        self.assertContains(response, '<details class="routing">')
        self.assertContains(response, "SECSTATE WASHDC")
        self.assertContains(response, "AMEMBASSY BERLIN")
        self.assertContains(response, '<a rel="prev" href="/cables/06PARIS1/">06PARIS1</a>')
        self.assertContains(response, '<a rel="next" href="/cables/06PARIS3/">06PARIS3</a>')
        self.assertContains(response, 'href="/cables/06PARIS2.txt"')
        self.assertContains(response, 'href="/cables/06PARIS2.json"')

    def test_origin_neighbours_are_the_neighbour_probes_in_one_query(self):
        self.load(
            *[make_cable(f"06PARIS{n}", created=f"2006-0{n % 3 + 1}-01T00:00:00Z") for n in range(1, 8)],
            make_cable("06PARIS50", created=None),
            make_cable("06PARIS40", created=None),
            make_cable("06BERLIN4", created="2006-02-15T00:00:00Z"),
            make_cable("06NOWHERE1", origin=None),
        )
        for cable in Cable.objects.all():
            with self.assertNumQueries(1 if cable.origin_id else 0):
                found = Cable.objects.origin_neighbours(cable)
            same_origin = Cable.objects.filter(origin_id=cable.origin_id)
            expected = [same_origin.neighbour(cable, later=later) for later in (False, True)]
            if cable.origin_id is None:
                expected = [None, None]
            self.assertEqual(
                [row and (row["identifier"], row["created"]) for row in found],
                [c and (c.identifier, c.created) for c in expected],
                cable.identifier,
            )

    def test_page_reads_what_the_three_reads_read(self):
        """``Cable.objects.page`` (one statement on PostgreSQL) equals ``for_page``,
        ``page_parts`` and ``origin_neighbours``, field by field, on cables with and without
        origin, date, references either way, recipients, paragraphs and tags."""
        self.load(
            make_cable("06PARIS1", created="2006-01-01T00:00:00Z", references=(make_reference("06STATE9"),)),
            make_cable(
                "06PARIS2",
                created="2006-02-01T09:30:00Z",
                references=(make_reference("06PARIS1", label="A"), make_reference("06NOWHERE9", label="B")),
                paragraphs=tuple(make_paragraph(n, f"({n}) text") for n in range(1, 4)),
            ),
            make_cable("06PARIS3", created=None, references=(make_reference("06PARIS2"),), tags=()),
            make_cable("06PARIS4", created=None),
            make_cable("06NOWHERE1", origin=None),
        )
        self.assertIsNone(Cable.objects.page("06PARIS99"))
        for identifier in ("06PARIS1", "06PARIS2", "06PARIS3", "06PARIS4", "06NOWHERE1"):
            neighbours = 0 if identifier == "06NOWHERE1" else 1  # a cable without origin has none
            with self.assertNumQueries(1 if connection.vendor == "postgresql" else 1 + 4 + neighbours):
                page = Cable.objects.page(identifier)
            cable = Cable.objects.for_page(identifier)
            self.assertEqual(page.cable.get_deferred_fields(), cable.get_deferred_fields(), identifier)
            self.assertEqual(
                {name: getattr(page.cable, name) for name in DETAIL_COLUMNS},
                {name: getattr(cable, name) for name in DETAIL_COLUMNS},
                identifier,
            )
            self.assertEqual(
                page.cable.origin and (page.cable.origin.pk, page.cable.origin.name, page.cable.origin.slug),
                cable.origin and (cable.origin.pk, cable.origin.name, cable.origin.slug),
            )
            self.assertEqual(page.parts, Cable.objects.page_parts(cable), identifier)
            self.assertEqual(page.neighbours, Cable.objects.origin_neighbours(cable), identifier)
        paris2 = Cable.objects.page("06PARIS2")
        references = paris2.parts.references
        self.assertEqual(
            [row[4] for row in references if row[0] == paris2.cable.pk], ["06PARIS1", "06NOWHERE9"]
        )
        self.assertEqual([row[7] for row in references if row[0] != paris2.cable.pk], ["06PARIS3"])
        self.assertEqual(len(paris2.parts.paragraphs), 3)
        self.assertEqual([n and n["identifier"] for n in paris2.neighbours], ["06PARIS1", "06PARIS3"])

    def test_text_and_json_downloads(self):
        self.load(make_cable("06PARIS2", references=(make_reference("06STATE1"),)))
        text = self.client.get(reverse("cables:cable-text", kwargs={"identifier": "06PARIS2"}))
        self.assertEqual(text["Content-Type"], "text/plain; charset=utf-8")
        self.assertIn("FM AMEMBASSY PARIS", text.content.decode())
        data = self.client.get(reverse("cables:cable-json", kwargs={"identifier": "06PARIS2"})).json()
        self.assertEqual(data["identifier"], "06PARIS2")
        self.assertEqual(data["created"], "2006-09-14T16:08:00Z")
        self.assertEqual(data["classification"], "CONFIDENTIAL")
        self.assertEqual(data["tags"], ["PREL", "PGOV", "FR"])
        self.assertEqual(
            data["references"], [{"label": "A", "text": "06STATE1", "kind": "cable", "target": "06STATE1"}]
        )
        self.assertEqual(data["recipients"]["to"][0]["name"], "SECSTATE WASHDC")
        self.assertEqual(data["paragraphs"][0]["number"], 1)

    # --- browse pages ----------------------------------------------------------------------

    def test_browse_pages(self):
        self.load(
            make_cable("06PARIS1", tags=("PREL", "FR"), created="2006-01-05T10:00:00Z"),
            make_cable(
                "07BERLIN2", tags=("PREL", "GM"), created="2007-02-01T10:00:00Z", classification="SECRET"
            ),
        )
        home = self.client.get(reverse("cables:home"))
        self.assertContains(home, "2 diplomatic cables")
        self.assertContains(home, 'href="/archive/2006/"')
        self.assertContains(home, 'class="h-20"')
        tags = self.client.get(reverse("cables:tag-list"))
        self.assertContains(tags, "Subject")
        self.assertContains(tags, 'href="/tags/PREL/"')
        self.assertEqual([g["kind"] for g in tags.context["groups"]()][:1], ["subject"])  # rendered lazily
        # served from the fragment cache until the collection changes; a tag edit shows at once
        with self.assertNumQueries(2):  # the version and the fragment: nothing of the tags
            cached = self.client.get(reverse("cables:tag-list"))
        self.assertEqual(cached.content, tags.content)
        Tag.objects.filter(code="PREL").update(name="Renamed relations")
        collection_version_bump()  # what the tag admin does on save
        self.assertContains(self.client.get(reverse("cables:tag-list")), "Renamed relations")
        tag = self.client.get(reverse("cables:tag-detail", kwargs={"code": "FR"}))
        self.assertEqual([c.identifier for c in tag.context["cable_list"]], ["06PARIS1"])
        self.assertContains(tag, "1 cable")
        self.assertEqual(self.client.get("/tags/NOSUCHTAG/").status_code, 404)
        origins = self.client.get(reverse("cables:origin-list"))
        self.assertContains(origins, 'href="/origins/embassy-berlin/"')
        origin = self.client.get(reverse("cables:origin-detail", kwargs={"slug": "embassy-berlin"}))
        self.assertEqual([c.identifier for c in origin.context["cable_list"]], ["07BERLIN2"])
        classes = self.client.get(reverse("cables:classification-list"))
        self.assertContains(classes, 'href="/classifications/secret/"')
        secret = self.client.get("/classifications/secret/")
        self.assertEqual([c.identifier for c in secret.context["cable_list"]], ["07BERLIN2"])
        archive = self.client.get(reverse("cables:archive-index"))
        self.assertContains(archive, 'href="/archive/2007/"')
        year = self.client.get(reverse("cables:archive-year", kwargs={"year": 2006}))
        self.assertContains(year, 'href="/archive/2006/1/"')
        self.assertEqual(self.client.get("/archive/2001/").status_code, 404)
        month = self.client.get(reverse("cables:archive-month", kwargs={"year": 2007, "month": 2}))
        self.assertEqual([c.identifier for c in month.context["cable_list"]], ["07BERLIN2"])
        self.assertEqual(self.client.get("/archive/2007/13/").status_code, 404)

    def test_list_filters_and_pagination_keep_the_state(self):
        self.load(
            *[make_cable(f"06PARIS{n}", tags=("PREL", "FR")) for n in range(1, 56)], make_cable("06BERLIN1")
        )
        response = self.client.get(
            reverse("cables:cable-list"), {"tag": ["PREL", "FR"], "origin": "embassy-paris"}
        )
        self.assertContains(response, "55 cables")
        self.assertContains(response, 'href="?tag=PREL&amp;tag=FR&amp;origin=embassy-paris&amp;page=2"')
        page2 = self.client.get(
            reverse("cables:cable-list"), {"tag": ["PREL", "FR"], "origin": "embassy-paris", "page": 2}
        )
        self.assertEqual(len(page2.context["cable_list"]), 5)
        # removing one tag keeps the others
        self.assertContains(response, 'href="?tag=FR&amp;origin=embassy-paris"')

    def test_a_tag_page_counts_from_the_tag_rows(self):
        self.load(*[make_cable(f"06PARIS{n}", tags=("PREL",)) for n in range(1, 4)])
        response = self.client.get(reverse("cables:tag-detail", kwargs={"code": "PREL"}))
        paginator = response.context["paginator"]
        self.assertEqual((paginator.count, paginator.capped), (3, False))

    def test_search_box_opens_a_cable_by_identifier_and_searches_otherwise(self):
        self.load(make_cable("06PARIS6189", subject="Nuclear fuel talks"), make_cable("06BERLIN2"))
        response = self.client.get(reverse("cables:cable-list"), {"q": "06 paris 6189"})
        self.assertRedirects(response, self.url("06PARIS6189"))
        search_index_rebuild()  # ingest may not index yet; the index is the search module's
        response = self.client.get(reverse("cables:cable-list"), {"q": "nuclear"})
        self.assertEqual([c.identifier for c in response.context["cable_list"]], ["06PARIS6189"])
        self.assertContains(response, "Search: nuclear")

    # --- safety and accessibility ----------------------------------------------------------

    def test_markup_in_cable_fields_is_shown_as_text_on_every_page(self):
        self.load(
            make_cable(
                "06PARIS1",
                subject=EVIL + EVIL_ATTR,
                origin="Embassy " + EVIL,
                tags=(EVIL, "PREL"),
                paragraphs=(make_paragraph(1, f"{EVIL} REF A {EVIL_ATTR}", marking=EVIL),),
                references=(make_reference("06STATE9", text=EVIL_ATTR),),
                signer=EVIL,
                sender=EVIL_ATTR,
            )
        )
        origin = Cable.objects.get().origin
        urls = [
            reverse("cables:home"),
            reverse("cables:cable-list"),
            reverse("cables:cable-list") + "?tag=PREL",
            self.url("06PARIS1"),
            self.url("06STATE9"),
            reverse("cables:tag-list"),
            reverse("cables:tag-detail", kwargs={"code": Tag.objects.get(code__icontains="script").code}),
            reverse("cables:origin-list"),
            reverse("cables:origin-detail", kwargs={"slug": origin.slug}),
            reverse("cables:archive-month", kwargs={"year": 2006, "month": 9}),
        ]
        for url in urls:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            content = response.content.decode()
            self.assertNotIn("<script", content, url)
            self.assertNotIn("<img", content, url)
            self.assertNotIn("style=", content, url)

    def test_pages_have_landmarks_a_skip_link_and_titles(self):
        self.load(make_cable("06PARIS1"))
        for url in [reverse("cables:home"), reverse("cables:cable-list"), self.url("06PARIS1")]:
            content = self.client.get(url).content.decode()
            self.assertIn('<html lang="en">', content)
            self.assertIn('class="skip-link" href="#content"', content)
            for landmark in ("<header", "<nav", '<main id="content"', "<footer"):
                self.assertIn(landmark, content)
            self.assertRegex(content, r"<title>[^<]+</title>")


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/cables/",
        "/cables/?tag=PREL&tag=FR&sort=oldest",
        "/cables/?q=subject",
        "/cables/06PARIS1/",
        "/cables/06STATE999/",
        "/cables/06PARIS1.json",
        "/tags/",
        "/tags/PREL/",
        "/origins/",
        "/origins/embassy-paris/",
        "/classifications/",
        "/classifications/confidential/",
        "/archive/",
        "/archive/2006/",
        "/archive/2006/9/",
    ],
)
def test_every_page_runs_the_same_number_of_queries_for_one_or_many_cables(
    client, monkeypatch, tmp_path, url
):
    def cable(n, **kwargs):
        return make_cable(
            f"06PARIS{n}",
            references=(make_reference("06STATE999"), make_reference(f"06PARIS{n + 1}", label="B")),
            **kwargs,
        )

    load(monkeypatch, tmp_path, cable(1))
    few = (_queries(client, url), _queries(client, url))  # cold and warm caches
    load(
        monkeypatch,
        tmp_path,
        *[cable(n, tags=("PREL", "FR", f"X{n}"), origin=f"Embassy {n % 7}") for n in range(2, 80)],
        cable(1),
    )
    # cold again: a cable page kept under the first load's version costs one read more (the stale
    # page is read, then the cable), with one cable or with many
    local_pages.clear()
    CablePage.objects.all().delete()
    many = (_queries(client, url), _queries(client, url))
    assert few == many
