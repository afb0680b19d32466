"""Atom feeds of any list of cables: a search or filter (``/cables/feed/?q=...&tag=...``), one
tag (``/tags/PREL/feed/``), one origin (``/origins/embassy-paris/feed/``).

A feed is the list page's results for the same query string, newest first, the latest
``FEED_SIZE``. Entry titles are plain text (``06PARIS6189: subject``); summaries are declared
HTML by Atom, so the subject is HTML-escaped before the XML writer escapes it again: a subject
like ``<script>`` reaches a feed reader as text, never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from cables.exports import list_results
from cables.models import Cable, CableQuerySet, Classification
from cables.views import CableListView, OriginDetailView, TagDetailView, with_query

FEED_SIZE = 50


@dataclass
class Results:
    """What a feed is about: the list view set up for the request, and its newest cables."""

    view: Any
    cables: CableQuerySet
    request: HttpRequest


def describe(view: Any) -> str:
    """The search and filters of a list in words: ``Search: iran; tags PREL, FR; from 2009-01-01``."""
    data = view.cleaned_filters()
    parts = [view.get_heading()]
    tags = [code for code in data.get("tag") or [] if code not in view.fixed_tags()]
    if tags:
        parts.append("tag" + ("s " if len(tags) > 1 else " ") + ", ".join(tags))
    if data.get("origin") and "origin" not in view.fixed_filters:
        names = dict(view.filterset.form.fields["origin"].choices)
        parts.append(f"origin {names.get(data['origin'], data['origin'])}")
    if data.get("classification") and "classification" not in view.fixed_filters:
        parts.append(Classification(int(data["classification"])).label)
    if data.get("since"):
        parts.append(f"from {data['since'].isoformat()}")
    if data.get("until"):
        parts.append(f"to {data['until'].isoformat()}")
    return "; ".join(parts)


class CableSearchFeed(Feed):
    """The newest cables of a search or filtered list of ``/cables/``."""

    feed_type = Atom1Feed
    view_class: type = CableListView

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Results:
        view, queryset = list_results(self.view_class, request, order="newest", **kwargs)
        return Results(view=view, cables=queryset, request=request)

    def page_url(self, obj: Results) -> str:
        return reverse("cables:cable-list")

    def title(self, obj: Results) -> str:
        return f"{describe(obj.view)} - Cable reading room"

    def subtitle(self, obj: Results) -> str:
        return f"The newest {FEED_SIZE} cables of this list, as they are loaded."

    def link(self, obj: Results) -> str:
        params = obj.request.GET.copy()
        for name in ("page", "sort"):
            params.pop(name, None)
        return with_query(self.page_url(obj), params)

    def feed_url(self, obj: Results) -> str:
        return obj.request.get_full_path()

    def items(self, obj: Results) -> list[Cable]:
        if obj.view.search_error:
            return []
        cables = obj.cables.select_related("origin").only(
            "identifier", "created", "subject", "loaded_at", "origin__name"
        )
        return list(cables[:FEED_SIZE])

    def item_title(self, item: Cable) -> str:
        return f"{item.identifier}: {item.subject}" if item.subject else item.identifier

    def item_description(self, item: Cable) -> str:
        return escape(item.subject or "(no subject)")  # Atom's summary is type="html"

    def item_link(self, item: Cable) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Cable) -> str | None:
        return item.origin.name if item.origin else None

    def item_pubdate(self, item: Cable) -> datetime | None:
        return item.created

    def item_updateddate(self, item: Cable) -> datetime:
        return item.created or item.loaded_at


class TagFeed(CableSearchFeed):
    """The newest cables carrying one tag (and the query string's other filters)."""

    view_class = TagDetailView

    def page_url(self, obj: Results) -> str:
        return reverse("cables:tag-detail", kwargs={"code": obj.view.tag.code})


class OriginFeed(CableSearchFeed):
    """The newest cables sent by one post."""

    view_class = OriginDetailView

    def page_url(self, obj: Results) -> str:
        return reverse("cables:origin-detail", kwargs={"slug": obj.view.origin.slug})
