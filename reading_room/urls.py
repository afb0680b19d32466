"""URL configuration: the reading room at the root, Django's admin under /admin/."""

from django.contrib import admin
from django.urls import include, path

from reading_room.health import healthz
from reading_room.throttle import throttled_admin_login

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/login/", throttled_admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("", include("cables.urls")),
]
