"""Exports of a list of cables (the results of a search or filter) as CSV and JSON.

``/cables/export.csv?<query string of /cables/>`` and ``/cables/export.json?...`` give the same
cables as the list page, in its order, at most ``CABLES_EXPORT_MAX_ROWS`` (10,000) of them. When
there are more, the response says so: the header ``X-Export-Truncated: true`` and, in JSON, the
final ``"truncated": true``. Responses stream: the rows are read in chunks of only the columns
the file needs (one query per chunk, plus one for the chunk's tags), never all in memory.

CSV cells are neutralised against formula injection: a cell that a spreadsheet would read as a
formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``.
"""

from __future__ import annotations

import copy
import csv
import json
from collections.abc import Iterator
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils.text import slugify
from django.views import View

from cables.models import CableQuerySet, CableTag, Classification

EXPORT_COLUMNS = (
    "identifier",
    "canonical_id",
    "created",
    "classification",
    "origin",
    "subject",
    "tags",
    "url",
)
CHUNK_SIZE = 2_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_max_rows() -> int:
    return int(getattr(settings, "CABLES_EXPORT_MAX_ROWS", 10_000))


def list_results(
    view_class: type, request: HttpRequest, *, order: str | None = None, **kwargs: Any
) -> tuple[Any, CableQuerySet]:
    """The list view ``view_class`` set up for ``request`` (its search and filters, as on its
    page) and its results, optionally in another ``order`` ("newest", "oldest", "relevance")."""
    if order is not None:
        params = request.GET.copy()
        params["sort"] = order
        request = copy.copy(request)
        request.GET = params
    view = view_class()
    view.setup(request, **kwargs)
    view.q = request.GET.get("q", "").strip()[:500]
    view.search_error = ""
    view.filterset = view.get_filterset(view.get_filterset_class())
    return view, view.filterset.qs


def export_slug(view: Any) -> str:
    """A file name part describing the results: the query and filters, or ``all``."""
    data = view.cleaned_filters()
    parts = [view.q, *(data.get("tag") or []), data.get("origin") or ""]
    for name in ("since", "until"):
        if data.get(name):
            parts.append(data[name].isoformat())
    return slugify(" ".join(str(part) for part in parts if part))[:60].strip("-") or "all"


def export_rows(queryset: CableQuerySet, *, limit: int, request: HttpRequest) -> Iterator[dict[str, Any]]:
    """The exported cables as dicts of ``EXPORT_COLUMNS``, read ``CHUNK_SIZE`` at a time."""
    rows = (
        queryset.select_related("origin")
        .only("identifier", "canonical_id", "created", "classification", "subject", "origin__name")
        .prefetch_related(
            Prefetch(
                "cable_tags", queryset=CableTag.objects.select_related("tag").only("cable_id", "tag__code")
            )
        )
    )[:limit]
    labels = dict(Classification.choices)
    for cable in rows.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "identifier": cable.identifier,
            "canonical_id": cable.canonical_id,
            "created": cable.created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if cable.created
            else None,
            "classification": labels.get(cable.classification, str(cable.classification)),
            "origin": cable.origin.name if cable.origin else None,
            "subject": cable.subject,
            "tags": [cable_tag.tag.code for cable_tag in cable.cable_tags.all()],
            "url": request.build_absolute_uri(
                reverse("cables:cable-detail", kwargs={"identifier": cable.identifier})
            ),
        }


def csv_cell(value: Any) -> str:
    """A CSV cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose ``write`` returns the line, for ``csv.writer`` to stream."""

    def write(self, value: str) -> str:
        return value


class CableExportView(View):
    """The results of ``CableListView`` for the same query string, as a CSV or JSON download."""

    format = "csv"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> StreamingHttpResponse:
        from cables.views import CableListView

        view, queryset = list_results(CableListView, request)
        limit = export_max_rows()
        truncated = queryset.order_by().values("pk")[: limit + 1].count() > limit
        rows = export_rows(queryset, limit=limit, request=request)
        if self.format == "json":
            response = StreamingHttpResponse(
                self.json_lines(rows, truncated=truncated, limit=limit, request=request),
                content_type="application/json",
            )
        else:
            response = StreamingHttpResponse(self.csv_lines(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="cables-{export_slug(view)}.{self.format}"'
        response["X-Export-Truncated"] = "true" if truncated else "false"
        response["X-Export-Max-Rows"] = str(limit)
        return response

    @staticmethod
    def csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            row = {**row, "tags": " ".join(row["tags"])}
            yield writer.writerow([csv_cell(row[column]) for column in EXPORT_COLUMNS])

    @staticmethod
    def json_lines(
        rows: Iterator[dict[str, Any]], *, truncated: bool, limit: int, request: HttpRequest
    ) -> Iterator[str]:
        query = request.GET.urlencode()
        yield '{"query": ' + json.dumps(query) + ', "cables": ['
        count = 0
        for row in rows:
            yield ("," if count else "") + "\n  " + json.dumps(row, ensure_ascii=False)
            count += 1
        tail = {"count": count, "truncated": truncated, "max_rows": limit}
        yield "\n], " + json.dumps(tail)[1:] + "\n"
