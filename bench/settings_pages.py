"""Settings of the benchmark server (bench/pages.py): the production settings, plus a URLconf
with the floor views. Selected by DJANGO_SETTINGS_MODULE in the bench server's environment
only; the app never imports it."""

from reading_room.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_pages"
