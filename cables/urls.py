"""URLs of the reading room."""

from django.urls import path, register_converter
from django.views.generic import RedirectView

from cables import views
from cables.converters import CableIdentifierConverter

app_name = "cables"

register_converter(CableIdentifierConverter, "cable_id")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="cables:cable-list", permanent=False), name="home"),
    path("cables/", views.CableListView.as_view(), name="cable-list"),
    path("cables/<cable_id:identifier>/", views.CableDetailView.as_view(), name="cable-detail"),
]
