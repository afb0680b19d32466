"""Views: a minimal cable list and cable page (the full reading room comes later)."""

from __future__ import annotations

from django.conf import settings
from django.views.generic import DetailView, ListView

from cables.models import Cable, CableQuerySet


class CableListView(ListView):
    """All cables, newest first, paginated."""

    model = Cable
    paginate_by = settings.CABLES_PAGE_SIZE

    def get_queryset(self) -> CableQuerySet:
        return Cable.objects.with_list_related()


class CableDetailView(DetailView):
    """One cable with its paragraphs, routing, references and the cables citing it."""

    model = Cable
    slug_field = "identifier"
    slug_url_kwarg = "identifier"

    def get_queryset(self) -> CableQuerySet:
        return Cable.objects.with_detail_related()
