"""URLs of the reading room."""

from django.urls import include, path, register_converter

from cables import views
from cables.converters import CableIdentifierConverter, ClassificationConverter

app_name = "cables"

register_converter(CableIdentifierConverter, "cable_id")
register_converter(ClassificationConverter, "classification")

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("cables/", views.CableListView.as_view(), name="cable-list"),
    path("cables/<cable_id:identifier>/", views.CableDetailView.as_view(), name="cable-detail"),
    path("cables/<cable_id:identifier>.txt", views.CableTextView.as_view(), name="cable-text"),
    path("cables/<cable_id:identifier>.json", views.CableJsonView.as_view(), name="cable-json"),
    path("tags/", views.TagListView.as_view(), name="tag-list"),
    path("tags/<path:code>/", views.TagDetailView.as_view(), name="tag-detail"),
    path("origins/", views.OriginListView.as_view(), name="origin-list"),
    path("origins/<slug:slug>/", views.OriginDetailView.as_view(), name="origin-detail"),
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
