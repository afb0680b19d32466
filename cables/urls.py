"""URLs of the reading room."""

from django.urls import include, path, register_converter

from cables import feeds, views
from cables.converters import CableIdentifierConverter, ClassificationConverter
from cables.exports import CableExportView

app_name = "cables"

register_converter(CableIdentifierConverter, "cable_id")
register_converter(ClassificationConverter, "classification")

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("cables/", views.CableListView.as_view(), name="cable-list"),
    path("cables/feed/", feeds.CableSearchFeed(), name="cable-feed"),
    path("cables/export.csv", CableExportView.as_view(format="csv"), name="cable-export-csv"),
    path("cables/export.json", CableExportView.as_view(format="json"), name="cable-export-json"),
    path("cables/<cable_id:identifier>/", views.CableDetailView.as_view(), name="cable-detail"),
    path("cables/<cable_id:identifier>.txt", views.CableTextView.as_view(), name="cable-text"),
    path("cables/<cable_id:identifier>.json", views.CableJsonView.as_view(), name="cable-json"),
    path("tags/", views.TagListView.as_view(), name="tag-list"),
    # before the tag page, whose code may hold "/"
    path("tags/<path:code>/feed/", feeds.TagFeed(), name="tag-feed"),
    path("tags/<path:code>/", views.TagDetailView.as_view(), name="tag-detail"),
    path("origins/", views.OriginListView.as_view(), name="origin-list"),
    path("origins/<slug:slug>/", views.OriginDetailView.as_view(), name="origin-detail"),
    path("origins/<slug:slug>/feed/", feeds.OriginFeed(), name="origin-feed"),
    path("classifications/", views.ClassificationListView.as_view(), name="classification-list"),
    path(
        "classifications/<classification:classification>/",
        views.ClassificationDetailView.as_view(),
        name="classification-detail",
    ),
    path("archive/", views.ArchiveIndexView.as_view(), name="archive-index"),
    path("archive/<int:year>/", views.ArchiveYearView.as_view(), name="archive-year"),
    path("archive/<int:year>/<int:month>/", views.ArchiveMonthView.as_view(), name="archive-month"),
    path("", include("cables.urls_history")),  # curation: cable history and diffs (cables/views_history.py)
]
