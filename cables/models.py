"""The reading room's data: cables, their paragraphs, references, recipients, tags and origins.

Rows are written only by ``cables.ingest``; ``save()`` has no side effects. A reference keeps the
cited cable's canonical id as written by the parser (``target_identifier``) and is linked to the
cited cable (``cited``) by ingest as soon as both are loaded, whichever comes first.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, NamedTuple

import psycopg
from django.conf import settings
from django.db import connections, models
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.urls import reverse

# Where undated cables sort in (created, identifier) order: after every dated cable.
UNDATED = datetime(9999, 12, 31, tzinfo=UTC)


# What one row of a cable list shows (CableQuerySet.with_list_related).
LIST_FIELDS = (
    "identifier",
    "created",
    "classification",
    "subject",
    "station",
    "is_partial",
    "origin__name",
    "origin__slug",
)
# What the cable page shows of the cable itself (CableQuerySet.for_page).
DETAIL_COLUMNS = (
    "id",
    "identifier",
    "canonical_id",
    "created",
    "released",
    "classification",
    "origin_id",
    "station",
    "subject",
    "header",
    "body",
    "transmission_id",
    "precedence",
    "sender",
    "signer",
    "classified_by",
    "classification_reasons",
    "declassify_on",
    "caveats",
    "is_partial",
)
# A reference's own columns, for only() next to a select_related cable.
REFERENCE_FIELDS = ("citing_id", "position", "label", "text", "kind", "target_identifier", "cited_id")


def _sequence_key(created: datetime | None) -> datetime:
    return UNDATED if created is None else created


class Classification(models.IntegerChoices):
    """The six classifications of cable-format.md 3.3, in ascending order of secrecy."""

    UNCLASSIFIED = 1, "UNCLASSIFIED"
    UNCLASSIFIED_FOUO = 2, "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    CONFIDENTIAL = 3, "CONFIDENTIAL"
    CONFIDENTIAL_NOFORN = 4, "CONFIDENTIAL//NOFORN"
    SECRET = 5, "SECRET"
    SECRET_NOFORN = 6, "SECRET//NOFORN"


class TagKind(models.TextChoices):
    """What a TAGS code names (the glossary's ``kind`` column)."""

    SUBJECT = "subject", "Subject"
    PROGRAM = "program", "Program"
    ORGANIZATION = "organization", "Organization"
    GEO = "geo", "Country or area"
    REGION = "region", "Region"
    PERSON = "person", "Person"
    UNKNOWN = "unknown", "Unknown"


class ReferenceKind(models.TextChoices):
    """What a REF item cites (3.10)."""

    CABLE = "cable", "Cable"
    EMAIL = "email", "E-mail"
    TELCON = "telcon", "Telephone conversation"
    REPORT = "report", "Report"
    MEMO = "memo", "Memo"
    MEETING = "meeting", "Meeting"
    BOOK = "book", "Book or manual"
    WEB = "web", "Web page"
    OTHER = "other", "Other"


class RecipientKind(models.TextChoices):
    """TO or INFO addressee."""

    TO = "to", "To"
    INFO = "info", "Info"


class Origin(models.Model):
    """A sending post as displayed (``Embassy Paris``), with its station (``PARIS``)."""

    name = models.CharField(max_length=255, unique=True, help_text="the name shown to readers (editable)")
    slug = models.SlugField(max_length=255, unique=True)
    station = models.CharField(max_length=100, blank=True)
    source_name = models.CharField(
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text="the origin as the parser writes it; ingest finds the origin by this name",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A TAGS code (``PREL``, ``FR``, ``KNNP``, ``STEINBERG, JAMES B.``) with its glossary entry."""

    Kind = TagKind

    code = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=TagKind.choices, default=TagKind.UNKNOWN)
    name = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=TagKind.values), name="tag_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.code


class CableQuerySet(models.QuerySet["Cable"]):
    """Chainable reads over cables."""

    def for_tag(self, code: str | Tag) -> CableQuerySet:
        """Cables carrying the tag (a ``Tag`` or its code); no duplicates."""
        if isinstance(code, Tag):
            return self.filter(tags=code)
        return self.filter(tags__code=code)

    def for_origin(self, origin: str | Origin) -> CableQuerySet:
        """Cables sent by the origin (an ``Origin`` or its slug)."""
        if isinstance(origin, Origin):
            return self.filter(origin=origin)
        return self.filter(origin__slug=origin)

    def for_classification(self, classification: int) -> CableQuerySet:
        """Cables of exactly this classification (a ``Classification`` value)."""
        return self.filter(classification=classification)

    def for_tags(self, codes: list[str] | tuple[str, ...]) -> CableQuerySet:
        """Cables carrying every one of the tags: one ``EXISTS`` per tag, so no duplicate rows."""
        queryset = self
        for code in dict.fromkeys(codes):
            queryset = queryset.filter(
                models.Exists(CableTag.objects.filter(cable=models.OuterRef("pk"), tag__code=code))
            )
        return queryset

    def for_month(self, year: int, month: int) -> CableQuerySet:
        """Cables created in the month (UTC), as a range on ``created`` so its index is used."""
        start = datetime(year, month, 1, tzinfo=UTC)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        return self.filter(created__gte=start, created__lt=end)

    def for_year(self, year: int) -> CableQuerySet:
        """Cables created in the year (UTC), as a range on ``created``."""
        return self.filter(
            created__gte=datetime(year, 1, 1, tzinfo=UTC), created__lt=datetime(year + 1, 1, 1, tzinfo=UTC)
        )

    def in_order(self, order: str = "newest") -> CableQuerySet:
        """Newest or oldest first; undated cables last; ties by identifier (backed by indexes)."""
        if order == "oldest":
            return self.order_by(models.F("created").asc(nulls_last=True), "identifier")
        return self.order_by(models.F("created").desc(nulls_last=True), "identifier")

    def per_year(self) -> list[dict[str, int]]:
        """``[{"year": 2006, "count": 123}, ...]`` for the dated cables, oldest year first."""
        return list(
            self.filter(created__isnull=False)
            .annotate(year=ExtractYear("created"))
            .order_by()
            .values("year")
            .annotate(count=models.Count("pk"))
            .order_by("year")
        )

    def per_month(self) -> list[dict[str, int]]:
        """``[{"month": 1, "count": 12}, ...]`` for the dated cables (usually of one year)."""
        return list(
            self.filter(created__isnull=False)
            .annotate(month=ExtractMonth("created"))
            .order_by()
            .values("month")
            .annotate(count=models.Count("pk"))
            .order_by("month")
        )

    def per_classification(self) -> dict[int, int]:
        """classification value -> number of cables."""
        rows = self.order_by().values_list("classification").annotate(count=models.Count("pk"))
        return dict(rows)

    def neighbour(self, cable: Cable, *, later: bool) -> Cable | None:
        """The cable just before or after ``cable`` in (created, identifier) order, undated last,
        among this queryset (e.g. the same origin's cables).

        Undated cables sort as created at ``UNDATED``, so the order is one expression that the
        ``(origin, sequence, identifier)`` index holds: the neighbour is one index probe from
        ``cable``, not a scan of the origin's older or newer cables."""
        return self._neighbour_queryset(cable, later=later).with_list_related().first()

    def _neighbour_queryset(self, cable: Cable, *, later: bool) -> CableQuerySet:
        key = _sequence_key(cable.created)
        sequence = Coalesce("created", models.Value(UNDATED))
        queryset = self.alias(sequence=sequence)
        if later:
            condition = models.Q(sequence__gte=key) & (
                models.Q(sequence__gt=key) | models.Q(identifier__gt=cable.identifier)
            )
            ordering = [sequence.asc(), models.F("identifier").asc()]
        else:
            condition = models.Q(sequence__lte=key) & (
                models.Q(sequence__lt=key) | models.Q(identifier__lt=cable.identifier)
            )
            ordering = [sequence.desc(), models.F("identifier").desc()]
        return queryset.filter(condition).order_by(*ordering)

    def with_list_related(self) -> CableQuerySet:
        """What one row of a cable list shows, in one query: no body or header."""
        return self.select_related("origin").only(*LIST_FIELDS)

    def origin_neighbours(self, cable: Cable) -> tuple[dict | None, dict | None]:
        """The same origin's cables just before and after ``cable``, what
        ``filter(origin_id=cable.origin_id).neighbour(cable, later=...)`` finds, in one query, as
        ``{"identifier", "created"}`` dicts or None (None and None for a cable without origin).

        Written in SQL (``_NEIGHBOUR_PROBE``): the ORM spent ten times longer building the UNION
        of the two index probes than the database spent answering it."""
        if cable.origin_id is None:
            return None, None
        connection = connections[self.db]
        undated = connection.ops.adapt_datetimefield_value(UNDATED)
        key = connection.ops.adapt_datetimefield_value(_sequence_key(cable.created))
        params = [cable.origin_id, undated, key, undated, key, cable.identifier, undated]
        with connection.cursor() as cursor:
            cursor.execute(_ORIGIN_NEIGHBOURS, [*params, *params])
            rows = cursor.fetchall()
        datetime_value = _datetime_converter(connection)
        found = {later: {"identifier": i, "created": datetime_value(c)} for i, c, later in rows}
        return found.get(0), found.get(1)

    # --- the cable page's reads ----------------------------------------------------------------
    # The cable page (CableDetailView) is the page read most, and mostly on a first visit: its
    # reads are fixed SQL, since the ORM spent several times longer building and compiling each
    # query than the database spent answering it. Column and table names are Django's defaults.

    def page_sql(self) -> str | None:
        """The one statement of ``page`` (its one parameter the identifier), for a caller that
        reads it with something else (``cables.page_cache.cable_page_lookup``); None where
        ``page`` reads in several queries (SQLite)."""
        return _PAGE_ONE_STATEMENT if connections[self.db].vendor == "postgresql" else None

    def page(self, identifier: str, *, row: tuple | None = None) -> CablePageData | None:
        """Everything the cable page reads (``CablePageData``), or None if no cable has this
        identifier: ``for_page``, ``page_parts`` and ``origin_neighbours``, in that order, or on
        PostgreSQL the same reads as one prepared statement (``_PAGE_ONE_STATEMENT``). Under load
        each statement cost PostgreSQL about 0.25 ms whatever it read (these are key lookups of
        well under 0.1 ms of execution), and Django about as much again.

        ``row``: the row of ``page_sql()`` for ``identifier`` when the caller has read it (all
        NULL: no such cable); then nothing is read."""
        connection = connections[self.db]
        if connection.vendor != "postgresql":  # SQLite 3.40 has no ordered json_group_array
            cable = self.for_page(identifier)
            if cable is None:
                return None
            return CablePageData(cable, self.page_parts(cable), self.origin_neighbours(cable))
        if row is None:
            with prepared_cursor(connection) as cursor:
                cursor.execute(_PAGE_ONE_STATEMENT, [identifier])
                row = cursor.fetchone()
        if row is None or row[0] is None:  # DETAIL_COLUMNS[0] is the primary key
            return None
        detail = len(DETAIL_COLUMNS)
        origin_name, origin_slug, *parts, previous_cable, next_cable = row[detail:]
        cable = _with_origin(
            _per_connection(connection, _make_detail_reader)(row[:detail]), origin_name, origin_slug
        )
        # json arrives parsed; timestamps as ISO text in the connection's time zone (UTC)
        parts = _page_parts(parts, _iso_datetime)
        neighbours = (
            {"identifier": found[0], "created": _iso_datetime(found[1])} if found else None
            for found in (previous_cable, next_cable)
        )
        return CablePageData(cable, parts, tuple(neighbours))

    def for_page(self, identifier: str) -> Cable | None:
        """The cable with the columns its page shows and its origin (name and slug), or None."""
        found = list(self.raw(_FOR_PAGE.format(more=""), [identifier]))
        if not found:
            return None
        return _with_origin(found[0], found[0].origin_name, found[0].origin_slug)

    def page_parts(self, cable: Cable) -> CablePageParts:
        """What the cable page shows beside the cable, as rows: the references in both
        directions, the recipients, the paragraphs, the tags (see ``CablePageParts``); the reads
        of ``_PAGE_PARTS``, one query each."""
        connection = connections[self.db]
        parts = []
        with connection.cursor() as cursor:
            for statement in _PAGE_PARTS_STATEMENTS:
                cursor.execute(statement, [cable.pk] * statement.count("%s"))
                parts.append(cursor.fetchall())
        return _page_parts(parts, _datetime_converter(connection))


def _with_origin(cable: Cable, name: str | None, slug: str | None) -> Cable:
    """``cable`` with its origin made of the name and slug ``_FOR_PAGE`` reads beside it."""
    cable.origin = Origin(id=cable.origin_id, name=name, slug=slug) if cable.origin_id else None
    return cable


def _page_parts(rows: list[list], to_datetime: Callable[[Any], datetime | None]) -> CablePageParts:
    references, *others = rows
    recipients, paragraphs, tags = ([tuple(row) for row in part] for part in others)
    return CablePageParts(
        [(*row[:8], to_datetime(row[8]), row[9]) for row in references], recipients, paragraphs, tags
    )


class CablePageParts(NamedTuple):
    """Rows of ``CableQuerySet.page_parts``, in the page's orders."""

    # (citing_id, label, text, kind, target_identifier, cited_id, cited identifier, citing
    # identifier, citing created, citing subject): the cable's own REF items by position, and the
    # references citing it by the citing cable's (created, identifier)
    references: list[tuple]
    recipients: list[tuple[str, str, str]]  # (kind, name, precedence), TO before INFO
    paragraphs: list[tuple[int, int | None, str, str]]  # (position, number, marking, text)
    tags: list[tuple[str, str]]  # (code, glossary name)


class CablePageData(NamedTuple):
    """What ``CableQuerySet.page`` reads for a cable page."""

    cable: Cable  # with the DETAIL_COLUMNS and its origin
    parts: CablePageParts
    neighbours: tuple[dict | None, dict | None]  # see ``CableQuerySet.origin_neighbours``


# The cable page's reads, fixed SQL. ``{more}`` takes more columns: on PostgreSQL the parts and
# the neighbours, read by the same statement.
_FOR_PAGE = (  # only the DETAIL_COLUMNS names are formatted into the SQL
    "SELECT "  # noqa: S608
    + ", ".join(f"c.{name}" for name in DETAIL_COLUMNS)
    + ", o.name AS origin_name, "
    "o.slug AS origin_slug{more} FROM cables_cable c LEFT JOIN cables_origin o ON o.id = c.origin_id "
    "WHERE c.identifier = %s"
)

# The reads of ``CableQuerySet.page_parts`` (columns, FROM ... WHERE with the cable's id as
# {cable}, order), in ``CablePageParts``'s order.
_PAGE_PARTS = (
    (
        "r.citing_id, r.label, r.text, r.kind, r.target_identifier, r.cited_id, cited.identifier, "
        "citing.identifier, citing.created, citing.subject",
        "FROM cables_reference r INNER JOIN cables_cable citing ON citing.id = r.citing_id "
        "LEFT OUTER JOIN cables_cable cited ON cited.id = r.cited_id "
        "WHERE r.citing_id = {cable} OR r.cited_id = {cable}",
        "citing.created, citing.identifier, r.position",
    ),
    ("kind, name, precedence", "FROM cables_recipient WHERE cable_id = {cable}", "kind DESC, position"),
    ("position, number, marking, text", "FROM cables_paragraph WHERE cable_id = {cable}", "position"),
    (  # each tag by its key: with a join PostgreSQL hashed all 1,088 tags for every page
        "(SELECT t.code FROM cables_tag t WHERE t.id = ct.tag_id), "
        "(SELECT t.name FROM cables_tag t WHERE t.id = ct.tag_id)",
        "FROM cables_cabletag ct WHERE ct.cable_id = {cable}",
        "ct.position",
    ),
)

_PAGE_PARTS_STATEMENTS = [
    f"SELECT {columns} {sql.format(cable='%s')} ORDER BY {order}" for columns, sql, order in _PAGE_PARTS
]

# The same origin's cable before ({op} <, {order} DESC) or after (>, ASC) a cable whose origin,
# sequence key and identifier are {origin}, {key} and {identifier}: one probe of the
# ``cable_origin_sequence_idx`` index, its expression written as ``neighbour()`` writes it
# ({undated} is ``UNDATED``).
_NEIGHBOUR_PROBE = (
    "SELECT {columns} FROM cables_cable n WHERE n.origin_id = {origin} "
    "AND COALESCE(n.created, {undated}) {op}= {key} "
    "AND (COALESCE(n.created, {undated}) {op} {key} OR n.identifier {op} {identifier}) "
    "ORDER BY COALESCE(n.created, {undated}) {order}, n.identifier {order} LIMIT 1"
)
_BEFORE, _AFTER = {"op": "<", "order": "DESC"}, {"op": ">", "order": "ASC"}
_UNDATED_SQL = f"'{UNDATED.isoformat()}'::timestamptz"
_ORIGIN_NEIGHBOURS = " UNION ALL ".join(
    "SELECT * FROM ("  # noqa: S608 - fixed SQL
    + _NEIGHBOUR_PROBE.format(
        columns=f"n.identifier, n.created, {later}",
        origin="%s",
        key="%s",
        identifier="%s",
        undated="%s",
        **way,
    )
    + f") n{later}"
    for later, way in enumerate((_BEFORE, _AFTER))
)
# PostgreSQL's statement of ``CableQuerySet.page``, the identifier its only parameter: prepared
# once per connection (``prepared_cursor``), its plan made once. ``UNDATED`` is a literal, so that
# the one plan's probes match the index expression.
_PAGE_ONE_STATEMENT = _FOR_PAGE.format(
    more="".join(
        f", (SELECT COALESCE(json_agg(json_build_array({columns}) ORDER BY {order}), '[]') "
        f"{sql.format(cable='c.id')}) AS page_{name}"
        for (columns, sql, order), name in zip(_PAGE_PARTS, CablePageParts._fields, strict=True)
    )
    + "".join(
        ", ("
        + _NEIGHBOUR_PROBE.format(
            columns="json_build_array(n.identifier, n.created)",
            origin="c.origin_id",
            key=f"COALESCE(c.created, {_UNDATED_SQL})",
            identifier="c.identifier",
            undated=_UNDATED_SQL,
            **way,
        )
        + f") AS {name}"
        for name, way in (("previous_cable", _BEFORE), ("next_cable", _AFTER))
    )
)


def _iso_datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


@contextmanager
def prepared_cursor(connection: Any) -> Iterator[Any]:
    """A cursor for fixed SQL run on every cable page: on PostgreSQL each statement is prepared
    once per connection, so its plan is made once. Django's cursors bind parameters on the client,
    so PostgreSQL parses and plans each statement every time: for the page's one statement that
    was three quarters of its server CPU (2.5 of 3.3 ms). Elsewhere, the ordinary cursor.

    Prepared statements live in the database session: behind a pooler in transaction mode,
    set ``CABLES_DB_PREPARE=0`` (settings.CABLES_DB_PREPARE) to turn them off."""
    if connection.vendor != "postgresql" or not settings.CABLES_DB_PREPARE:
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    # Django's usual wrapping (query log, assertNumQueries, execute wrappers) of a cursor that
    # binds on the server; ``prepare_threshold`` (settings) lets this connection prepare at all.
    with connection._prepare_cursor(_PreparingCursor(connection.connection)) as cursor:
        yield cursor


class _PreparingCursor(psycopg.Cursor):
    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        return super().execute(query, params, **{**kwargs, "prepare": True})


def _per_connection(connection: Any, make: Callable[[Any], Any]) -> Any:
    """``make(connection)``, made once per connection object (each thread has its own): the
    converters of the cable page's reads. Building the datetime converter alone took a twentieth
    of a first visit to a cable page."""
    made = _PER_CONNECTION.setdefault(connection, {})
    found = made.get(make)
    if found is None:
        found = made[make] = make(connection)
    return found


_PER_CONNECTION: weakref.WeakKeyDictionary[Any, dict[Callable, Any]] = weakref.WeakKeyDictionary()


def _datetime_converter(connection: Any) -> Callable[[Any], datetime | None]:
    """A database value of a DateTimeField column as the ORM returns it (aware; SQLite stores
    text), with the converters the ORM applies."""
    return _per_connection(connection, _make_datetime_converter)


def _make_datetime_converter(connection: Any) -> Callable[[Any], datetime | None]:
    expression = models.Expression(output_field=models.DateTimeField())
    converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)

    def convert(value: Any) -> datetime | None:
        for converter in converters:
            value = converter(value, expression, connection)
        return value

    return convert


def _make_detail_reader(connection: Any) -> Callable[[Any], Cable]:
    """A row of the DETAIL_COLUMNS as a Cable, through the converters the ORM applies (the JSON
    fields arrive as text), as ``raw()`` would make it."""
    columns = [Cable._meta.get_field(name).get_col(Cable._meta.db_table) for name in DETAIL_COLUMNS]
    converters = [
        (index, column, found)
        for index, column in enumerate(columns)
        if (found := connection.ops.get_db_converters(column) + column.get_db_converters(connection))
    ]

    def read(row: Any) -> Cable:
        values = list(row)
        for index, column, functions in converters:
            for function in functions:
                values[index] = function(values[index], column, connection)
        return Cable.from_db(connection.alias, DETAIL_COLUMNS, values)

    return read


class Cable(models.Model):
    """One diplomatic cable as parsed (cable-format.md 2.2), identified by its published id."""

    identifier = models.CharField(max_length=100, unique=True)
    canonical_id = models.CharField(max_length=100)
    created = models.DateTimeField(null=True, blank=True)
    released = models.DateTimeField(null=True, blank=True)
    classification = models.PositiveSmallIntegerField(choices=Classification.choices)
    # no index of its own: (origin, created) and (origin, sequence, identifier) lead with it
    origin = models.ForeignKey(
        Origin, on_delete=models.PROTECT, related_name="cables", null=True, blank=True, db_index=False
    )
    station = models.CharField(max_length=100)
    subject = models.TextField(blank=True)
    header = models.TextField(blank=True)
    body = models.TextField(blank=True)
    transmission_id = models.CharField(max_length=100, blank=True)
    precedence = models.CharField(max_length=16, blank=True)
    sender = models.TextField(blank=True)
    signer = models.TextField(blank=True)
    classified_by = models.TextField(blank=True)
    classification_reasons = models.JSONField(default=list, blank=True)
    declassify_on = models.DateField(null=True, blank=True)
    caveats = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    is_partial = models.BooleanField(default=False)
    format = models.CharField(max_length=16)
    warnings = models.JSONField(default=list, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64, help_text="sha256 of the parser's JSON for this cable")
    content_hashes = models.JSONField(
        default=dict,
        blank=True,
        help_text="format -> sha256 of the last rendition loaded in that format (text, html, csv, telegram)",
    )
    source_hashes = models.JSONField(
        default=dict,
        blank=True,
        help_text="format -> sha256 of the raw input last loaded in that format (with the parser's "
        "fingerprint): an unchanged input is skipped before it is parsed",
    )
    source = models.TextField(blank=True, help_text="file path, or path:line of a CSV record")
    first_loaded_at = models.DateTimeField()
    loaded_at = models.DateTimeField()
    tags = models.ManyToManyField(Tag, through="CableTag", related_name="cables", blank=True)

    objects = CableQuerySet.as_manager()

    class Meta:
        ordering = [models.F("created").desc(nulls_last=True), "identifier"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(classification__in=Classification.values),
                name="cable_classification_valid",
            ),
            models.CheckConstraint(condition=~models.Q(identifier=""), name="cable_identifier_not_empty"),
        ]
        indexes = [
            models.Index(fields=["origin", "created"], name="cable_origin_created_idx"),
            models.Index(fields=["classification", "created"], name="cable_classification_idx"),
            models.Index(fields=["canonical_id"], name="cable_canonical_id_idx"),
            # list order (created, then identifier), any range of created, and "recently loaded";
            # 0003 also adds a PostgreSQL-only (created DESC NULLS LAST, identifier) index for "newest first"
            models.Index(fields=["created", "identifier"], name="cable_created_ident_idx"),
            models.Index(fields=["loaded_at"], name="cable_loaded_at_idx"),
            # the same origin's previous and next cable (CableQuerySet.neighbour)
            models.Index(
                "origin",
                Coalesce("created", models.Value(UNDATED)),
                "identifier",
                name="cable_origin_sequence_idx",
            ),
        ]
        permissions = [("upload_cables", "Can upload cables in the admin")]

    def __str__(self) -> str:
        return self.identifier

    def get_absolute_url(self) -> str:
        return reverse("cables:cable-detail", kwargs={"identifier": self.identifier})


class CableTag(models.Model):
    """A tag on a cable, at its position in the TAGS line."""

    # no single-column indexes: the unique (cable, tag) and (cable, position) and the (tag, cable)
    # index lead with each of them
    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="cable_tags", db_index=False)
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="cable_tags", db_index=False)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["cable", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cable", "tag"], name="cabletag_unique_tag_per_cable"),
            models.UniqueConstraint(fields=["cable", "position"], name="cabletag_unique_position"),
        ]
        indexes = [models.Index(fields=["tag", "cable"], name="cabletag_tag_cable_idx")]

    def __str__(self) -> str:
        return f"{self.cable_id}: {self.tag_id}"


class Paragraph(models.Model):
    """A body paragraph (3.12): its number and portion marking as written, and its text."""

    # indexed by the unique (cable, position), which leads with it
    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="paragraphs", db_index=False)
    position = models.PositiveIntegerField()
    number = models.PositiveIntegerField(null=True, blank=True)
    marking = models.CharField(max_length=32, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ["cable", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cable", "position"], name="paragraph_unique_position_per_cable"),
        ]

    def __str__(self) -> str:
        return f"{self.cable_id} ¶{self.number or self.position}"


class Reference(models.Model):
    """A REF item (3.10): as written, and for cables the canonical target and the cited cable."""

    Kind = ReferenceKind

    # indexed by the unique (citing, position), which leads with it
    citing = models.ForeignKey(
        Cable, on_delete=models.CASCADE, related_name="references_made", db_index=False
    )
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=16, blank=True)
    text = models.TextField()
    kind = models.CharField(max_length=16, choices=ReferenceKind.choices)
    target_identifier = models.CharField(
        max_length=100,
        blank=True,
        help_text="canonical id of the cited cable, kept even when it is not loaded",
    )
    cited = models.ForeignKey(
        Cable, on_delete=models.SET_NULL, related_name="cited_by", null=True, blank=True
    )

    class Meta:
        ordering = ["citing", "position"]
        constraints = [
            models.UniqueConstraint(fields=["citing", "position"], name="reference_unique_position"),
            models.CheckConstraint(
                condition=models.Q(kind__in=ReferenceKind.values), name="reference_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["target_identifier"], name="reference_target_idx")]

    def __str__(self) -> str:
        return f"{self.citing_id} -> {self.target_identifier or self.text}"


class Recipient(models.Model):
    """A TO or INFO addressee of the routing header (3.5)."""

    Kind = RecipientKind

    # indexed by the unique (cable, kind, position), which leads with it
    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="recipients", db_index=False)
    kind = models.CharField(max_length=4, choices=RecipientKind.choices)
    position = models.PositiveSmallIntegerField()
    name = models.TextField()
    route = models.TextField(blank=True)
    precedence = models.CharField(max_length=16, blank=True)
    mcn = models.CharField(max_length=64, blank=True)
    excluded = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["cable", "-kind", "position"]  # TO before INFO
        constraints = [
            models.UniqueConstraint(
                fields=["cable", "kind", "position"], name="recipient_unique_position_per_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=RecipientKind.values), name="recipient_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cable_id} {self.kind}: {self.name}"


# --- the page store of cables.page_cache --------------------------------------------------------


class CablePage(models.Model):
    """A rendered cable page kept by ``cables.page_cache``: served only while ``version`` is the
    collection version. A cache, not data: PostgreSQL keeps the table UNLOGGED (migration 0009)
    and the html compressed with lz4 (0011); ``page_cache`` deletes stale, old and surplus rows."""

    identifier = models.CharField(max_length=100, primary_key=True)
    version = models.CharField(max_length=32)
    html = models.BinaryField()
    stored_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.identifier} ({self.version})"


# --- curation: the ingest log and earlier versions ------------------------------------------------


class IngestRunStarter(models.TextChoices):
    """What started an ingest."""

    COMMAND = "command", "manage.py ingest_cables"
    UPLOAD = "upload", "Admin upload"


class IngestRun(models.Model):
    """One run of ``cables.ingest.cables_ingest``: who started it, on what, and what it did."""

    Starter = IngestRunStarter

    started_by = models.CharField(max_length=16, choices=IngestRunStarter.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="ingest_runs",
        null=True,
        blank=True,
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(
        null=True, blank=True, help_text="empty while running or if it crashed"
    )
    sources = models.JSONField(default=list, blank=True)
    dry_run = models.BooleanField(default=False)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    references_resolved = models.PositiveIntegerField(default=0)
    references_unresolved = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(started_by__in=IngestRunStarter.values), name="ingestrun_started_by_valid"
            ),
        ]
        indexes = [models.Index(fields=["started_at"], name="ingestrun_started_at_idx")]

    def __str__(self) -> str:
        return f"{self.get_started_by_display()} at {self.started_at:%Y-%m-%d %H:%M:%S}"


class IngestError(models.Model):
    """A source (file, CSV record or archive member) an ingest run could not load, and why."""

    run = models.ForeignKey(IngestRun, on_delete=models.CASCADE, related_name="errors")
    source = models.TextField()
    line = models.PositiveIntegerField(default=0)
    message = models.TextField()

    class Meta:
        ordering = ["run", "pk"]

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


class CableVersion(models.Model):
    """The content a cable had before a later load replaced it (written by ingest)."""

    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="versions")
    loaded_at = models.DateTimeField(help_text="when this content was loaded")
    replaced_at = models.DateTimeField(help_text="when a later load replaced it")
    source = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    format = models.CharField(max_length=16)
    subject = models.TextField(blank=True)
    body = models.TextField(blank=True)
    paragraphs = models.JSONField(default=list, blank=True, help_text="[{number, marking, text}, ...]")
    run = models.ForeignKey(
        IngestRun, on_delete=models.SET_NULL, related_name="versions", null=True, blank=True
    )

    class Meta:
        ordering = ["cable", "loaded_at", "pk"]
        indexes = [models.Index(fields=["cable", "loaded_at"], name="cableversion_cable_loaded_idx")]

    def __str__(self) -> str:
        return f"{self.cable_id} as loaded {self.loaded_at:%Y-%m-%d %H:%M:%S}"
