"""Views and URLs: converter round trips, fixed query counts, escaping of cable text."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from cables.ingest import cables_ingest
from cables.models import Cable
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
    report = cables_ingest(sources=[tmp_path])
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
        # origin choices of the filter form + count + one page of cables with their origins
        with self.assertNumQueries(3):
            response = self.client.get(reverse("cables:cable-list"))
        self.assertContains(response, "60 cables")
        self.assertEqual(len(response.context["cable_list"]), 50)
        with self.assertNumQueries(3):
            response = self.client.get(reverse("cables:cable-list"), {"page": 2})
        self.assertEqual(len(response.context["cable_list"]), 10)

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
        # cable+origin, paragraphs, recipients, references(+cited), cited_by(+citing), tags(+tag),
        # previous and next cable of the same origin
        with self.assertNumQueries(8):
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
