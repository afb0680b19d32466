"""Django admin: cables (read-only: ingest is the only write path), tags and origins (display
names editable), the ingest log (read-only) and the upload page, which loads files through
``cables.upload.cables_upload`` and so through ``cables.ingest.cables_ingest``.

List pages stay fast at 251,287 cables: no full counts, related rows selected in the list query,
filters that never count or scan the cable table (tags and dates by range, origins from their own
table), searches on an identifier use the unique index.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from cables.forms import CableUploadForm
from cables.models import Cable, IngestError, IngestRun, Origin, Paragraph, Reference, Tag
from cables.page_cache import collection_version_bump
from cables.upload import cables_upload, upload_limits

UPLOAD_PERMISSION = "cables.upload_cables"
_IDENTIFIER_RE = re.compile(r"^\d{2}[A-Z][A-Z0-9]+\d+$", re.I)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(
            f"{self.parent_model._meta.app_label}.view_{self.parent_model._meta.model_name}"
        )


class ParagraphInline(ReadOnlyInline):
    model = Paragraph
    fields = ["position", "number", "marking", "text"]
    readonly_fields = fields


class ReferenceInline(ReadOnlyInline):
    model = Reference
    fk_name = "citing"
    fields = ["position", "label", "kind", "text", "target_identifier", "cited"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Reference]:
        return super().get_queryset(request).select_related("cited")


class TagCodeFilter(admin.SimpleListFilter):
    """``?tag=PREL``: a text box, not a list of thousands of tags with counts."""

    title = "tag"
    parameter_name = "tag"
    template = "admin/cables/input_filter.html"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("", "")]  # a filter needs choices to be shown; the template renders a text box

    def choices(self, changelist: Any):  # the text box needs the other parameters of the URL
        all_choice = next(super().choices(changelist))
        all_choice["query_parts"] = [
            (key, value)
            for key, values in changelist.get_filters_params().items()
            if key != self.parameter_name
            for value in (values if isinstance(values, list) else [values])
        ]
        yield all_choice

    def queryset(self, request: HttpRequest, queryset: QuerySet[Cable]) -> QuerySet[Cable]:
        code = (self.value() or "").strip().upper()
        return queryset.filter(cable_tags__tag__code=code) if code else queryset


class CreatedYearFilter(admin.SimpleListFilter):
    """Cables by year created, listing the years that hold cables (the reading room's cached
    per-year counts). Replaces ``date_hierarchy``, which runs ``SELECT DISTINCT
    DATE_TRUNC('year', created)`` over every listed row on each page: 220 ms at 251,287 cables,
    and a MIN/MAX over the filtered rows when a filter is on (0.5 s for PREL)."""

    title = "year created"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        from cables.views import collection_stats

        years = collection_stats("years", Cable.objects.per_year)
        return [(str(row["year"]), f"{row['year']} ({row['count']:,})") for row in reversed(years)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Cable]) -> QuerySet[Cable]:
        value = self.value() or ""
        if not (value.isdigit() and 1 <= int(value) <= 9998):
            return queryset
        year = int(value)
        start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
        return queryset.filter(created__gte=start, created__lt=end)  # a range: the created index


class UploadLimitHandler(FileUploadHandler):
    """Stop reading an upload as soon as it is over the limit (for requests without a length)."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_over_limit = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@admin.register(Cable)
class CableAdmin(admin.ModelAdmin):
    list_display = ["identifier", "created", "origin", "classification", "subject_short"]
    list_filter = [
        "classification",
        "origin",
        TagCodeFilter,
        CreatedYearFilter,
        ("created", admin.DateFieldListFilter),
    ]
    list_select_related = ["origin"]
    search_fields = ["=identifier", "subject"]
    search_help_text = "An identifier (06PARIS6189) matches exactly; other words search the subjects."
    show_full_result_count = False  # counting 251,287 rows on every page is slow on PostgreSQL
    list_per_page = 100
    raw_id_fields = ["origin"]
    inlines = [ParagraphInline, ReferenceInline]
    fieldsets = [
        (None, {"fields": ["identifier", "canonical_id", "created", "classification", "origin", "subject"]}),
        ("History", {"fields": ["history_link", "format", "source", "first_loaded_at", "loaded_at"]}),
        ("Text", {"classes": ["collapse"], "fields": ["header", "body"]}),
    ]
    readonly_fields = [
        "identifier",
        "canonical_id",
        "created",
        "classification",
        "origin",
        "subject",
        "history_link",
        "format",
        "source",
        "first_loaded_at",
        "loaded_at",
        "header",
        "body",
    ]

    @admin.display(description="subject", ordering="subject")
    def subject_short(self, obj: Cable) -> str:
        return obj.subject if len(obj.subject) <= 90 else obj.subject[:89] + "…"

    @admin.display(description="versions")
    def history_link(self, obj: Cable) -> str:
        url = reverse("cables:cable-history", kwargs={"identifier": obj.identifier})
        return format_html('<a href="{}">History of this cable</a>', url)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # cables come in through ingest (the command or the upload page)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or request.user.has_perm("cables.change_cable")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Cable], search_term: str
    ) -> tuple[QuerySet[Cable], bool]:
        term = search_term.strip()
        if _IDENTIFIER_RE.match(term):  # the unique index, not a scan of every subject
            return queryset.filter(identifier=term.upper()), False
        return super().get_search_results(request, queryset, search_term)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_upload": request.user.has_perm(UPLOAD_PERMISSION)}
        return super().changelist_view(request, extra_context)

    # --- upload ---------------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        # CSRF is checked inside upload_entry, after the bounded upload handler is installed
        # (CsrfViewMiddleware would otherwise parse the whole body first).
        upload = self.admin_site.admin_view(csrf_exempt(self.upload_entry))
        return [path("upload/", upload, name="cables_cable_upload"), *super().get_urls()]

    def upload_entry(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(UPLOAD_PERMISSION):
            raise PermissionDenied
        limit = upload_limits()["max_bytes"] + 1024**2  # the form's own fields fit in the slack
        if request.method == "POST":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:  # refused without reading the body
                return self.upload_page(request, form=CableUploadForm(), too_large=True, status=413)
            request.upload_handlers.insert(0, UploadLimitHandler(request, limit))
        return csrf_protect(self.upload_view)(request)

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return self.upload_page(request, form=CableUploadForm())
        form = CableUploadForm(request.POST, request.FILES)
        if getattr(request, "upload_over_limit", False):
            return self.upload_page(request, form=CableUploadForm(), too_large=True, status=413)
        if not form.is_valid():
            return self.upload_page(request, form=form, status=400)
        result = cables_upload(files=form.cleaned_data["files"], user=request.user)
        report = result.report
        cables = dict(
            Cable.objects.filter(identifier__in={i for i, _, _ in report.outcomes}).values_list(
                "identifier", "pk"
            )
        )
        rows = [
            {
                "identifier": identifier,
                "outcome": outcome,
                "source": source,
                "url": reverse("cables:cable-detail", kwargs={"identifier": identifier})
                if identifier in cables
                else "",
                "admin_url": reverse("admin:cables_cable_change", args=[cables[identifier]])
                if identifier in cables
                else "",
                "history_url": reverse("cables:cable-history", kwargs={"identifier": identifier})
                if outcome == "updated" and identifier in cables
                else "",
            }
            for identifier, outcome, source in report.outcomes
        ]
        return self.upload_page(
            request, form=CableUploadForm(), result=result, rows=rows, template="upload_result.html"
        )

    def upload_page(
        self,
        request: HttpRequest,
        *,
        form: CableUploadForm,
        template: str = "upload.html",
        status: int = 200,
        **context: Any,
    ) -> HttpResponse:
        limits = upload_limits()
        return TemplateResponse(
            request,
            f"admin/cables/cable/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Upload cables",
                "form": form,
                "limits": limits,
                "max_megabytes": limits["max_bytes"] // 1024**2,
                **context,
            },
            status=status,
        )


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    fields = ["code", "kind", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Tag | None = None) -> list[str]:
        return ["code"] if obj else []  # the code is what cables carry; kind and name are the glossary's

    # the cable pages show tag names and kinds: edits show in the reading room at once
    def save_model(self, request: HttpRequest, obj: Tag, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        collection_version_bump()

    def delete_model(self, request: HttpRequest, obj: Tag) -> None:
        super().delete_model(request, obj)
        collection_version_bump()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Tag]) -> None:
        super().delete_queryset(request, queryset)
        collection_version_bump()


@admin.register(Origin)
class OriginAdmin(admin.ModelAdmin):
    list_display = ["name", "station", "slug", "source_name"]
    search_fields = ["name", "station", "source_name"]
    fields = ["name", "station", "slug", "source_name"]
    readonly_fields = ["station", "slug", "source_name"]

    # the cable pages show origin names: edits show in the reading room at once
    def save_model(self, request: HttpRequest, obj: Origin, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        collection_version_bump()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # origins come in with their cables

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IngestRun)
class IngestRunAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "started_by",
        "user",
        "dry_run",
        "created",
        "updated",
        "unchanged",
        "failed",
        "finished_at",
    ]
    list_filter = ["started_by", "dry_run"]
    list_select_related = ["user"]
    date_hierarchy = "started_at"
    show_full_result_count = False
    fields = [
        "started_by",
        "user",
        "started_at",
        "finished_at",
        "dry_run",
        "sources_list",
        ("created", "updated", "unchanged", "failed"),
        ("references_resolved", "references_unresolved"),
        "errors_preview",
    ]
    readonly_fields = [name for item in fields for name in (item if isinstance(item, tuple) else (item,))]

    @admin.display(description="sources")
    def sources_list(self, obj: IngestRun) -> str:
        return format_html_join("", "<div>{}</div>", ((source,) for source in obj.sources[:100]))

    @admin.display(description="errors")
    def errors_preview(self, obj: IngestRun) -> str:
        errors = list(obj.errors.all()[:50])
        if not errors:
            return "none"
        rows = format_html_join(
            "", "<li><code>{}:{}</code> {}</li>", ((e.source, e.line, e.message) for e in errors)
        )
        url = reverse("admin:cables_ingesterror_changelist") + f"?run__id__exact={obj.pk}"
        return format_html('<ul>{}</ul><a href="{}">All {} errors</a>', rows, url, obj.failed)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IngestError)
class IngestErrorAdmin(admin.ModelAdmin):
    list_display = ["run", "source", "line", "message"]
    list_select_related = ["run"]
    search_fields = ["source", "message"]
    show_full_result_count = False
    raw_id_fields = ["run"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
