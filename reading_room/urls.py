"""URL configuration: the reading room at the root, Django's admin under /admin/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("cables.urls")),
]
