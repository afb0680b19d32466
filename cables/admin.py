"""Django admin: cables, tags and origins (minimal; the upload page comes later)."""

from django.contrib import admin

from cables.models import Cable, Origin, Tag


@admin.register(Cable)
class CableAdmin(admin.ModelAdmin):
    list_display = ["identifier", "created", "origin", "classification", "subject", "loaded_at"]
    list_filter = ["classification", "format", "is_partial"]
    list_select_related = ["origin"]
    search_fields = ["=identifier", "=canonical_id"]
    date_hierarchy = "created"
    show_full_result_count = False  # counting 251,287 rows on every page is slow on PostgreSQL
    raw_id_fields = ["origin"]
    readonly_fields = ["content_hash", "content_hashes", "source", "first_loaded_at", "loaded_at"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Origin)
class OriginAdmin(admin.ModelAdmin):
    list_display = ["name", "station", "slug"]
    search_fields = ["name", "station"]
    prepopulated_fields = {"slug": ["name"]}
