"""Template tags for cable pages: REF mentions linked inside paragraph text, badges.

Cable text is untrusted: every piece of it is escaped, and only our own ``<a>``/``<span>`` tags
are added around escaped text with ``format_html``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from cables.models import Classification

register = template.Library()

# "REF A", "REFTEL B", "REFS A AND B", "REF (C)", "Ref A", and a bare "REFTEL"/"REF".
_LABEL = r"\(?[A-Z]\)?(?![A-Za-z0-9])"
_MENTION_RE = re.compile(
    rf"\b(?i:REF(?:TELS?|S)?)\b(?P<labels>\s+{_LABEL}(?:(?:\s*,\s*|\s+(?i:AND)\s+|\s*&\s*){_LABEL})*)?"
)
_LABEL_RE = re.compile(r"\(?([A-Z])\)?")


@register.filter(is_safe=True)
def link_refs(text: str, links: Mapping[str, str | None] | None) -> SafeString:
    """``text`` escaped, with REF mentions linked to the cited cables.

    ``links`` maps a REF label (``"A"``) to the cited cable's URL, and ``""`` to the URL of the
    only cited cable, which a bare "REFTEL" means. Mentions of labels without a URL stay text.
    """
    text = str(text)
    links = links or {}
    if not any(links.values()):
        return conditional_escape(text)
    out: list[str] = []
    cursor = 0
    for match in _MENTION_RE.finditer(text):
        labels_text = match.group("labels")
        if not labels_text:
            url = links.get("")
            if url:
                out.append(conditional_escape(text[cursor : match.start()]))
                out.append(format_html('<a class="ref-mention" href="{}">{}</a>', url, match.group(0)))
                cursor = match.end()
            continue
        base = match.start("labels")
        for index, label in enumerate(_LABEL_RE.finditer(labels_text)):
            url = links.get(label.group(1))
            start = match.start() if index == 0 else base + label.start()
            end = base + label.end()
            if not url:
                continue
            out.append(conditional_escape(text[cursor:start]))
            out.append(format_html('<a class="ref-mention" href="{}">{}</a>', url, text[start:end]))
            cursor = end
    out.append(conditional_escape(text[cursor:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of cable text above is escaped


@register.simple_tag
def classification_badge(value: int | None) -> SafeString:
    """The classification as a coloured badge (``.badge.cls-1`` .. ``cls-6``)."""
    try:
        label = Classification(value).label
    except ValueError:
        return format_html('<span class="badge">{}</span>', "unknown")
    return format_html('<span class="badge cls-{}">{}</span>', int(value), label)


@register.simple_tag
def marking_badge(marking: str | None) -> SafeString:
    """A paragraph's portion marking (``C``, ``S//NF``, ``SBU``) as a small badge."""
    if not marking:
        return mark_safe("")
    code = marking.upper()
    if code.startswith("SBU"):
        kind = "m-sbu"
    elif code.startswith("U"):
        kind = "m-u"
    elif code.startswith("S"):
        kind = "m-s"
    else:
        kind = "m-c"
    return format_html('<span class="marking {}" title="Portion marking">{}</span>', kind, marking)


@register.filter
def anchor(paragraph: object) -> str:
    """A paragraph's fragment id: ``p3`` for paragraph 3, ``p-5`` for the 5th unnumbered one."""
    number = getattr(paragraph, "number", None)
    return f"p{number}" if number is not None else f"p-{getattr(paragraph, 'position', 0)}"


@register.filter
def thousands(value: int | None) -> str:
    """``251287`` -> ``251,287``."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""


# A line break inside running prose: after a non-blank character, before a line that does not
# start a list item ("-- ", "(a)", "A.", "1)"), a heading rule or an indented block.
_SOFT_BREAK_RE = re.compile(r"(?<=\S)\n(?![\s\-*•(\[]|[A-Za-z0-9]{1,3}[.)]\s)")


@register.filter(is_safe=True)
def soft_breaks(html: str) -> SafeString:
    """Mark the telegram's line breaks inside prose as soft (``<span class="eol">``).

    Wide screens keep the telegram's line layout (the span keeps ``white-space: pre-wrap``);
    narrow screens let those breaks collapse into spaces so the prose reflows instead of
    wrapping every 65-column line into a ragged pair. Takes already-escaped HTML (the output
    of ``link_refs``); only newlines between tags are touched, never markup.
    """
    return mark_safe(_SOFT_BREAK_RE.sub('<span class="eol">\n</span>', str(html)))  # noqa: S308 - input is escaped HTML


@register.simple_tag
def cable_row(cable: Any) -> SafeString:
    """One row of a cable list: exactly what ``cables/includes/_cable_row.html`` renders, built in
    Python. A list page renders 50 of them; through the template they were most of its time
    (about 1 ms a row of template nodes, URL reversing and filters). Every value is escaped here
    as the template escaped it; ``test_cable_row_tag_renders_the_row_template`` holds the two
    to the same bytes."""
    url = cable.get_absolute_url()
    created = cable.created
    if created:
        local = template_localtime(created)
        date_html = format_html(
            '<time datetime="{}">{}</time>', date_filter(local, "c"), date_filter(local, "j M Y")
        )
    else:
        date_html = mark_safe("<span>undated</span>")
    origin = cable.origin
    if origin:
        origin_html = format_html(
            '<a href="{}">{}</a>', _origin_url(get_script_prefix(), origin.slug), origin.name
        )
    elif cable.station:
        origin_html = format_html("<span>{}</span>", cable.station)
    else:
        origin_html = ""
    snippets = "".join(
        format_html(
            '\n  <p class="snippet"><a href="{}#{}">&para;{}</a> {}</p>\n  ',
            url,
            snippet.anchor,
            "" if snippet.number is None else snippet.number,
            snippet.html,
        )
        for snippet in getattr(cable, "snippets", None) or ()
    )
    return format_html(
        '<li class="cable-row">\n  <div class="ident-col">\n    <a class="ident" href="{}">{}</a>\n'
        '  </div>\n  <div class="meta">\n    {}\n    {}\n    {}\n    {}\n  </div>\n'
        '  <div class="subject">{}</div>\n  {}\n</li>\n',
        url,
        cable.identifier,
        date_html,
        origin_html,
        classification_badge(cable.classification),
        mark_safe('<span class="muted">partial text</span>') if cable.is_partial else "",
        cable.subject or mark_safe("(no subject)"),
        mark_safe(snippets),  # noqa: S308 - each part built by format_html above
    )


@lru_cache(maxsize=4096)
def _origin_url(prefix: str, slug: str) -> str:
    """An origin's URL (a few hundred origins, each on many rows), per script prefix."""
    return reverse("cables:origin-detail", args=[slug])
