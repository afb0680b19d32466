"""The site's URLs plus two floor views for bench/pages.py (never served by the app itself):

* ``/bench/floor/``: a trivial Django view through the whole middleware stack, no database;
  the framework's floor on this server.
* ``/bench/floor-db/``: the same plus one ``SELECT 1`` round trip to PostgreSQL.
"""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")


def floor_db(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok\n", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", floor),
    path("bench/floor-db/", floor_db),
    path("", include("reading_room.urls")),
]
