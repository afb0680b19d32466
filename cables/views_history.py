"""The history of a cable: the versions kept by ingest and a paragraph-level diff between two.

``/cables/<identifier>/history/`` lists when each version was loaded and from which source;
``?from=<version id>&to=<version id or 'current'>`` picks the pair to compare (by default the
latest earlier version against the current text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.views.generic import DetailView

from cables.history import diff_summary, inline_diff, paragraph_line, paragraphs_diff
from cables.models import Cable, CableVersion


@dataclass(frozen=True)
class Snapshot:
    """A version, or the current content, in the shape the diff needs."""

    key: str  # the version id, or "current"
    loaded_at: datetime
    source: str
    format: str
    subject: str
    paragraphs: list[dict[str, Any]]


class CableHistoryView(DetailView):
    model = Cable
    slug_field = "identifier"
    slug_url_kwarg = "identifier"
    template_name = "cables/cable_history.html"
    context_object_name = "cable"

    def get_queryset(self) -> QuerySet[Cable]:
        return Cable.objects.select_related("origin").only(
            "identifier",
            "subject",
            "source",
            "format",
            "loaded_at",
            "first_loaded_at",
            "created",
            "origin__name",
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        cable: Cable = self.object
        versions = list(
            CableVersion.objects.filter(cable=cable)
            .order_by("loaded_at", "pk")
            .only("pk", "loaded_at", "replaced_at", "source", "format", "subject", "content_hash")
        )
        context["versions"] = versions
        if not versions:
            return context
        keys = {str(v.pk) for v in versions} | {"current"}
        to_key = self.request.GET.get("to", "current")
        to_key = to_key if to_key in keys else "current"
        from_key = self.request.GET.get("from", "")
        if from_key not in keys or from_key == to_key:
            from_key = self._before(versions, to_key)
        old, new = self._snapshot(cable, from_key), self._snapshot(cable, to_key)
        rows = paragraphs_diff(
            [paragraph_line(p) for p in old.paragraphs], [paragraph_line(p) for p in new.paragraphs]
        )
        context.update(
            diff_from=old,
            diff_to=new,
            diff_rows=rows,
            diff_summary=diff_summary(rows),
            subject_diff=inline_diff(old.subject, new.subject) if old.subject != new.subject else None,
        )
        return context

    @staticmethod
    def _before(versions: list[CableVersion], to_key: str) -> str:
        """The version just before ``to_key`` (the latest version when comparing with current)."""
        if to_key == "current":
            return str(versions[-1].pk)
        index = next(i for i, v in enumerate(versions) if str(v.pk) == to_key)
        return str(versions[index - 1].pk) if index > 0 else "current"

    @staticmethod
    def _snapshot(cable: Cable, key: str) -> Snapshot:
        if key == "current":
            return Snapshot(
                key="current",
                loaded_at=cable.loaded_at,
                source=cable.source,
                format=cable.format,
                subject=cable.subject,
                paragraphs=list(cable.paragraphs.order_by("position").values("number", "marking", "text")),
            )
        version = CableVersion.objects.get(cable=cable, pk=int(key))
        return Snapshot(
            key=key,
            loaded_at=version.loaded_at,
            source=version.source,
            format=version.format,
            subject=version.subject,
            paragraphs=version.paragraphs,
        )
