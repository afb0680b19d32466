"""URLs of cable histories (included by ``cables/urls.py``, in the ``cables`` namespace)."""

from django.urls import path, register_converter
from django.urls.converters import get_converters

from cables.converters import CableIdentifierConverter
from cables.views_history import CableHistoryView

if "cable_id" not in get_converters():  # registered by cables/urls.py, which includes this module
    register_converter(CableIdentifierConverter, "cable_id")

urlpatterns = [
    path("cables/<cable_id:identifier>/history/", CableHistoryView.as_view(), name="cable-history"),
]
