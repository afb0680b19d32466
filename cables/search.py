"""Full-text search over cables: one interface, two engines (PostgreSQL tsvector/GIN, SQLite FTS5).

Both engines index the same token stream, produced here in Python, so that the same query finds
the same cables on both (ranking aside):

* **Analysis** (``cables.analysis``, pure Python, also run by the ingest's parser workers).
  Words are runs of letters and digits (``IRAN,S`` is read as ``IRAN'S``; a possessive ``'s`` is
  dropped; other apostrophes are removed; case and diacritics are folded). Common English words
  (``STOP_WORDS``) are not indexed. Words without digits are reduced to their Snowball English
  (Porter2) stem, the stemmer PostgreSQL's ``english`` configuration uses; words with digits
  (``06PARIS6189``, ``1.4(b)``) are kept as they are, like ``simple``.
* **PostgreSQL.** ``cables_cable.search_document`` is a ``tsvector`` built from that stream
  (subject weight A, body C, then identifier/tags/origin B), with a GIN index. Queries are
  ``tsquery`` literals of the same lexemes; relevance is ``ts_rank_cd``.
* **SQLite.** ``cables_search_fts`` is an FTS5 table (``rowid`` = cable id; columns ``subject``,
  ``meta``, ``body``) holding the lexemes as text, with the ``ascii`` tokenizer, which splits
  on spaces and so keeps the lexemes exactly. A trigger removes a deleted cable's row. Relevance
  is ``bm25`` with column weights 10/4/1.

**Relevance order.** A result of at most ``RANK_CANDIDATES`` (1,000) cables is ranked in full.
A bigger one ranks only its first ``RANK_CANDIDATES`` matches in index order (PostgreSQL: the
order of the GIN bitmap scan, i.e. of storage, stable until a cable is rewritten; SQLite: by id),
which come first, best first (ties: newest, then identifier); every other match follows, newest
first (then identifier), with ``search_rank`` None. The result set and its count never change:
only the order beyond the candidates does. Why: a rank reads each ranked cable's whole index
entry (``ts_rank_cd`` detoasts the ``tsvector``, ``bm25`` walks the position lists), so ranking
a word in 60 % of 251,287 cables costs seconds; finding the candidates costs a capped index scan.
The candidates are not chosen by date: walking the date index and testing ``@@`` per row reads
a document per row, which is fast for a common word and takes seconds for a rare or negated one
whose frequency the planner overestimates (``sanction* -iran``: 97,000 rows read for 1,000).
Pages within the candidates are read from them alone (``_RankedQuerySet``), not from a sort of
every match, and without testing the match again (``candidates_only``: each test reads the
document); SQLite scores bm25 only up to the highest candidate id.

**A results page** (``cables.views``) runs: ``summarize`` (ONE statement: the first 10,001
matches materialised once, then the capped count, the chart's months and the facets grouped in
the database; cached per statement and collection version), the page of 50, and ``snippets``
(paragraphs scored best upper bound first, from C-level byte counts, so that only a few per
cable are analysed word by word).

Neither the PostgreSQL ``english`` stemmer nor FTS5's ``porter`` tokenizer is used: they are
different algorithms (Porter2 and Porter1 disagree on ``general``/``generous``/``generation``),
and the promise is the same results on both engines.

Known difference between the engines: PostgreSQL stores at most 256 positions per word and
positions up to 16,383 in a document, so a *phrase* that occurs only past those limits in a very
long cable is found on SQLite and not on PostgreSQL. Single words are found on both.

The index is kept by ``search_index_update(cable_ids=...)``, which ingest calls for every batch
it writes, inside its transaction; ``search_index_rebuild()`` (``manage.py
rebuild_search_index``) rebuilds it from the stored cables.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, repeat
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import OperationalError, connections, router, transaction
from django.db.models import BooleanField, Case, Expression, F, FloatField, IntegerField, QuerySet, When
from django.db.models.functions import Cast, ExtractMonth, ExtractYear, Substr
from django.db.models.lookups import Lookup
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from cables import analysis
from cables.models import Cable, CableTag, Classification, Origin, Paragraph, Reference, Tag

__all__ = [
    "ORDERS",
    "FacetValue",
    "ParsedQuery",
    "SearchQueryError",
    "SearchTimeout",
    "Snippet",
    "Summary",
    "Term",
    "analyze",
    "facets",
    "highlight",
    "identifier_lookup",
    "meta_text",
    "paragraph_anchor",
    "parse_query",
    "pg_document_sql",
    "search",
    "search_bounds",
    "search_index_delete",
    "search_index_rebuild",
    "search_index_update",
    "snippets",
    "summarize",
]

FTS_TABLE = "cables_search_fts"
PG_COLUMN = "search_document"

# The schema is created by migration 0003_search_index; search_index_rebuild() puts this trigger
# back if a later migration rebuilt cables_cable on SQLite (which drops its triggers).
SQLITE_DELETE_TRIGGER = (
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_cable_delete AFTER DELETE ON cables_cable "  # noqa: S608
    f"BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END"
)

MAX_QUERY_CHARS = 500  # longer input is cut (with a notice)
MAX_TERMS = 20  # more terms are dropped (with a notice)
MIN_PREFIX = 2  # letters before a '*'

RANK_CANDIDATES = 1_000  # relevance ranks at most this many matches (see "Relevance order")
SNIPPET_CHARS = 280  # a paragraph longer than this is cut around its hits
FACET_SAMPLE = 2_000  # facets of a bigger result count its first matches ("at least")
SEARCH_TIMEOUT_MS = 3000  # default bound on one search statement (CABLES_SEARCH_TIMEOUT_MS)

STOP_WORDS = analysis.STOP_WORDS


class SearchQueryError(ValueError):
    """A query that cannot be searched; ``message`` is written for the reader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SearchTimeout(SearchQueryError):
    """A search that took longer than its bound (``search_bounds``) and was stopped."""

    def __init__(self) -> None:
        super().__init__(
            "This search took too long and was stopped. Add a more specific word, a filter "
            "(tag, origin, years), or sort by date."
        )


@contextmanager
def search_bounds(*, using: str | None = None, timeout_ms: int | None = None) -> Iterator[None]:
    """Run the queries of one search (results, count, snippets, facets) within a time bound.

    ``timeout_ms`` (default ``settings.CABLES_SEARCH_TIMEOUT_MS``) bounds every statement; a
    statement that runs longer is stopped and ``SearchTimeout`` is raised. On PostgreSQL the
    block is one transaction with ``SET LOCAL statement_timeout`` and ``enable_seqscan`` off:
    a sequential scan has to read (and decompress) every row's ``search_document`` to test
    ``@@``, while the GIN bitmap answers single words without reading them, and the planner does
    not count that cost. On SQLite a progress handler interrupts a statement past the bound.
    """
    using = using or router.db_for_read(Cable)
    connection = connections[using]
    if timeout_ms is None:
        timeout_ms = int(getattr(settings, "CABLES_SEARCH_TIMEOUT_MS", SEARCH_TIMEOUT_MS))
    try:
        if connection.vendor == "postgresql":
            with transaction.atomic(using=using):
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT current_setting('statement_timeout'), current_setting('enable_seqscan'), "
                        "set_config('statement_timeout', %s, true), "
                        "set_config('enable_seqscan', 'off', true)",
                        [str(max(1, timeout_ms))],
                    )
                    previous = cursor.fetchone()[:2]
                yield
                # Inside an outer transaction SET LOCAL would outlive this block: put them back.
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('statement_timeout', %s, true), "
                        "set_config('enable_seqscan', %s, true)",
                        list(previous),
                    )
        else:
            connection.ensure_connection()
            raw = connection.connection
            deadline = [0.0]

            def over_time() -> int:
                return int(time.monotonic() > deadline[0])

            class _Deadline:  # every statement gets the whole bound, as on PostgreSQL
                def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
                    deadline[0] = time.monotonic() + timeout_ms / 1000
                    return execute(sql, params, many, context)

            raw.set_progress_handler(over_time, 10_000)
            try:
                with connection.execute_wrapper(_Deadline()):
                    yield
            finally:
                raw.set_progress_handler(None, 0)
    except OperationalError as error:
        if _is_timeout(error):
            raise SearchTimeout() from error
        raise


def _is_timeout(error: BaseException) -> bool:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == "57014" or "interrupted" in str(error)


# --- analysis: text -> lexemes (cables.analysis, shared with the ingest's parser workers) ----------

_COMMA_S_RE = analysis.COMMA_S_RE
_WORD_RE = analysis.WORD_RE
_HAS_DIGIT_RE = analysis.HAS_DIGIT_RE
_LEXEME_CACHE = analysis.LEXEME_CACHE
_MISSING = analysis._MISSING
_stem = analysis.stem
_fold = analysis.fold
_lexeme = analysis.lexeme
_words = analysis.words
_spans = analysis.spans
_lexemes = analysis.lexemes
analyze = analysis.analyze

_IRREGULAR_STEMS = frozenset({"die", "lie", "tie"})  # dying, lying, tying


def _probe_start(lexeme: str) -> str:
    """What every word of lexeme ``lexeme`` starts with, folded (``fold``): the lexeme less its
    last letter. A stem is its word's start but for its last letter (``policy`` -> ``polici``,
    ``possibility`` -> ``possibl``), apart from Porter2's three irregular ``-ying`` words (for
    which it is ""); a lexeme with digits is the folded word itself."""
    if lexeme in _IRREGULAR_STEMS:
        return ""
    return lexeme[:-1] if len(lexeme) > 1 else lexeme


# --- queries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One word, prefix or phrase of a query: its lexemes in order, the last one maybe a prefix."""

    text: str
    lexemes: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.lexemes) > 1


@dataclass(frozen=True)
class ParsedQuery:
    """A query as understood: every group must match; a group matches if one of its terms does;
    no excluded term may match. ``notice`` tells the reader what was adjusted, if anything."""

    raw: str
    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()
    notice: str | None = None

    @property
    def terms(self) -> tuple[Term, ...]:
        """The terms that must (or may) match, for highlighting."""
        return tuple(term for group in self.groups for term in group)

    def to_tsquery(self) -> str:
        """The PostgreSQL ``tsquery`` literal (lexemes quoted, never parsed again)."""
        positive = " & ".join(
            "(" + " | ".join(_tsquery_term(term) for term in group) + ")" for group in self.groups
        )
        negative = "".join(f" & !{_tsquery_term(term)}" for term in self.excluded)
        return positive + negative

    def to_fts5(self) -> str:
        """The FTS5 ``MATCH`` expression (every lexeme a quoted string)."""
        positive = " AND ".join(
            "(" + " OR ".join(_fts5_term(term) for term in group) + ")" for group in self.groups
        )
        if not self.excluded:
            return positive
        return f"({positive}) NOT (" + " OR ".join(_fts5_term(term) for term in self.excluded) + ")"


def _tsquery_term(term: Term) -> str:
    parts = [f"'{lexeme}'" for lexeme in term.lexemes]  # lexemes are letters and digits only
    if term.prefix:
        parts[-1] += ":*"
    return "(" + " <-> ".join(parts) + ")" if len(parts) > 1 else parts[0]


def _fts5_term(term: Term) -> str:
    return '"' + " ".join(term.lexemes) + '"' + ("*" if term.prefix else "")


_QUERY_ITEM_RE = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+)')
_CURLY_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})


def parse_query(q: str) -> ParsedQuery:
    """Understand a reader's query: words (all must match), ``"exact phrases"``, ``OR`` between
    two items, ``-excluded`` items, ``prefix*``.

    Raises ``SearchQueryError`` when nothing searchable is left (empty, only stop words, only
    exclusions); input it can repair (an unmatched quote, too long, a stray ``OR``) gives a
    ``ParsedQuery`` whose ``notice`` says what was done.
    """
    raw = q
    notices: list[str] = []
    text = (q or "").translate(_CURLY_QUOTES).replace("\x00", " ")
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notices.append(f"Only the first {MAX_QUERY_CHARS} characters of your search were used.")
    if text.count('"') % 2:
        cut = text.rfind('"')
        text = text[:cut] + " " + text[cut + 1 :]
        notices.append("An unmatched quotation mark was ignored.")
    if not text.strip():
        raise SearchQueryError("Type a word to search for.")

    groups: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    stray_or = False
    stop_only: list[str] = []
    short_prefix = False
    count = 0
    for match in _QUERY_ITEM_RE.finditer(text):
        negative = bool(match.group("neg"))
        prefix = False
        if match.group("phrase") is not None:
            source = match.group("phrase")
        else:
            source = match.group("word")
            if source == "OR":
                stray_or = stray_or or pending_or or not groups
                pending_or = bool(groups)
                continue
            if source.startswith("-") and len(source.lstrip("-")) > 0:
                negative = True
            source = source.lstrip("-+")
            if source.endswith("*"):
                source = source.rstrip("*")
                prefix = True
        term = _term(source, prefix=prefix)
        if term is None:
            words = [word.group() for word in _words(source)]
            if prefix and words:
                short_prefix = True
            elif any(_fold(word) in STOP_WORDS for word in words):
                stop_only.append(source)
            if pending_or:
                stray_or = True
            pending_or = False
            continue
        count += 1
        if count > MAX_TERMS:
            continue
        if negative:
            excluded.append(term)
            stray_or = stray_or or pending_or
        elif pending_or and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    if pending_or:
        stray_or = True

    if count > MAX_TERMS:
        notices.append(f"Only the first {MAX_TERMS} words of your search were used.")
    if stray_or:
        notices.append("OR needs a word on each side; a lone OR was ignored.")
    if short_prefix:
        notices.append(f"A word ending in * needs at least {MIN_PREFIX} letters before the *.")
    if stop_only and groups:
        shown = ", ".join(f"“{word}”" for word in dict.fromkeys(stop_only))
        notices.append(f"Very common words are not searched: {shown}.")
    if not groups:
        if excluded:
            raise SearchQueryError(
                "Add a word to search for: a search cannot consist only of excluded words (-word)."
            )
        if stop_only:
            raise SearchQueryError(
                "Your search has only very common words (like “the” or “of”), which are not "
                "indexed. Add a more specific word."
            )
        if short_prefix:
            raise SearchQueryError(f"A word ending in * needs at least {MIN_PREFIX} letters before the *.")
        raise SearchQueryError("Your search has no words to look for: use letters or digits.")
    return ParsedQuery(
        raw=raw,
        groups=tuple(tuple(group) for group in groups),
        excluded=tuple(excluded),
        notice=" ".join(notices) or None,
    )


def _term(source: str, *, prefix: bool) -> Term | None:
    """The term for a word or phrase as typed; None if nothing of it is indexed."""
    words = [match.group() for match in _words(source)]
    if prefix and words:
        *head, last = words
        lexemes = [lexeme for word in head if (lexeme := _lexeme(word))]
        folded = _fold(last)
        if len(folded) < MIN_PREFIX:
            return None
        lexemes.append(_prefix_lexeme(folded))
        return Term(text=source, lexemes=tuple(lexemes), prefix=True)
    lexemes = tuple(lexeme for word in words if (lexeme := _lexeme(word)))
    if not lexemes:
        return None
    return Term(text=source, lexemes=lexemes)


_COMPLETIONS = ("", "e", "s", "ed", "ing", "ion", "al", "ly", "ive")


@lru_cache(maxsize=4096)
def _prefix_lexeme(folded: str) -> str:
    """The stem prefix that a typed prefix stands for.

    The index holds stems, and the stem of a word need not start with what the reader typed
    ("negotiat*" must find "negotiation", stem "negoti"). Take the common start of the stems of
    the prefix with a few usual endings, never more than 3 letters shorter than typed.
    """
    if _HAS_DIGIT_RE.search(folded):
        return folded
    stems = [_stem(folded + ending) for ending in _COMPLETIONS]
    common = stems[0]
    for stem in stems[1:]:
        while not stem.startswith(common):
            common = common[:-1]
    floor = max(MIN_PREFIX, len(folded) - 3)
    return common if len(common) >= floor else folded[:floor]


def _as_parsed(q: str | ParsedQuery) -> ParsedQuery:
    return q if isinstance(q, ParsedQuery) else parse_query(q)


# --- searching -----------------------------------------------------------------------------------


class _PgDocument(Expression):
    """``<cable alias>.search_document``: a column Django does not know, aliased like one."""

    output_field = FloatField()  # never read; the column only feeds @@ and ts_rank_cd

    def __init__(self, alias: str | None = None) -> None:
        super().__init__()
        self.alias = alias

    def resolve_expression(self, query: Any = None, *args: Any, **kwargs: Any) -> _PgDocument:
        pk = F("pk").resolve_expression(query, *args, **kwargs)
        return _PgDocument(alias=pk.alias)

    def relabeled_clone(self, change_map: dict[str, str]) -> _PgDocument:
        return _PgDocument(alias=change_map.get(self.alias, self.alias))

    def get_group_by_cols(self) -> list[Expression]:
        return [self]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return f"{compiler.quote_name(self.alias)}.{PG_COLUMN}", []


class _PgMatch(Expression):
    """``document @@ 'query'::tsquery``, usable in ``filter()``."""

    conditional = True

    def __init__(self, document: Expression, tsquery: str) -> None:
        super().__init__(output_field=BooleanField())
        self.document = document
        self.tsquery = tsquery

    def get_source_expressions(self) -> list[Expression]:
        return [self.document]

    def set_source_expressions(self, exprs: list[Expression]) -> None:
        (self.document,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if getattr(compiler.query, "candidates_only", False):
            # The rows are limited to ranked candidates, which all match: testing @@ again would
            # read every candidate's document once more (ts_rank_cd reads it anyway).
            return "TRUE", []
        sql, params = compiler.compile(self.document)
        return f"{sql} @@ %s::tsquery", [*params, self.tsquery]


class _PgRank(Expression):
    """Cover-density rank, weights D=0.1 C=0.2 B=0.4 A=1.0, normalised by rank/(rank+1)."""

    def __init__(self, document: Expression, tsquery: str) -> None:
        super().__init__(output_field=FloatField())
        self.document = document
        self.tsquery = tsquery

    def get_source_expressions(self) -> list[Expression]:
        return [self.document]

    def set_source_expressions(self, exprs: list[Expression]) -> None:
        (self.document,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.document)
        return (
            f"ts_rank_cd('{{0.1, 0.2, 0.4, 1.0}}'::float4[], {sql}, %s::tsquery, 32)",
            [*params, self.tsquery],
        )


class _FtsMatch(Lookup):
    """``pk IN (SELECT rowid FROM the FTS5 table WHERE ... MATCH 'query')``, usable in ``filter()``;
    TRUE in a query limited to ranked candidates (``candidates_only``), which all match: else
    SQLite walks every match to find the 1,000 candidates among them. A ``Lookup``, not a plain
    conditional expression: on SQLite Django compares those with ``= True``, which keeps SQLite
    from driving the query by the rowid list (a scan of every cable instead)."""

    lookup_name = "fts_match"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if getattr(compiler.query, "candidates_only", False):
            return "1 = 1", []
        sql, params = compiler.compile(self.lhs)
        return f"{sql} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)", [*params, self.rhs]  # noqa: S608


class _FtsRank(Expression):
    """Relevance on SQLite: ``-bm25`` (higher is better) of the cable's FTS5 row.

    The FTS5 query runs once, as an uncorrelated subquery that SQLite materialises (with an
    automatic index on rowid); each cable row then looks its score up. The ``LIMIT -1`` (no
    limit) is what keeps SQLite from flattening the subquery into the correlated one, which
    would run ``bm25()`` per row and recount the term statistics every time (32 s instead of
    0.3 s for a word in 64 % of 50,000 cables). Only candidates are ranked (``search``), so the
    FTS5 query stops at the highest candidate id (``rowid <=``, a range FTS5 walks without
    reading the rest of the matches): bm25 of 1,000 rows instead of every match. bm25's term
    statistics are the whole table's either way, so the scores are the same.
    """

    def __init__(self, pk: Expression, match: str, candidates: Any = None) -> None:
        super().__init__(output_field=FloatField())
        self.pk = pk
        self.match = match
        self.candidates = candidates

    def get_source_expressions(self) -> list[Expression]:
        return [self.pk]

    def set_source_expressions(self, exprs: list[Expression]) -> None:
        (self.pk,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.pk)
        bound, bound_params = "", []
        if self.candidates is not None:
            inner, bound_params = self.candidates.query.get_compiler(connection=connection).as_sql()
            bound = f" AND rowid <= (SELECT MAX(c.pk) FROM ({inner}) AS c)"  # noqa: S608
        return (
            f"(SELECT r.score FROM (SELECT rowid AS cable_id, -bm25({FTS_TABLE}, 10.0, 4.0, 1.0) AS score "  # noqa: S608
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s{bound} LIMIT -1) AS r WHERE r.cable_id = {sql})",
            [self.match, *bound_params, *params],
        )


class _BoundedRank(Expression):
    """``CASE WHEN pk IN (candidates) THEN rank END``, or the rank alone in a query already
    limited to the candidates (``candidates_only``: the page within them)."""

    def __init__(self, case: Expression, rank: Expression) -> None:
        super().__init__(output_field=FloatField())
        self.case = case
        self.rank = rank

    def get_source_expressions(self) -> list[Expression]:
        return [self.case, self.rank]

    def set_source_expressions(self, exprs: list[Expression]) -> None:
        self.case, self.rank = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if getattr(compiler.query, "candidates_only", False):
            return compiler.compile(self.rank)
        return compiler.compile(self.case)


ORDERS = ("relevance", "newest", "oldest")


def search(queryset: QuerySet[Cable], q: str | ParsedQuery, *, order: str = "relevance") -> QuerySet[Cable]:
    """``queryset`` narrowed to the cables matching ``q``, ordered by ``order`` ('relevance',
    'newest' or 'oldest'; ties by identifier). Still a lazy QuerySet: filter, count, paginate.

    With 'relevance', rows carry ``search_rank`` (higher is better; not comparable across
    engines). Raises ``SearchQueryError`` for an unusable query (see ``parse_query``).
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    parsed = _as_parsed(q)
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        tsquery = parsed.to_tsquery()
        matched = queryset.filter(_PgMatch(_PgDocument(), tsquery))
        rank: Expression | None = _PgRank(_PgDocument(), tsquery)
    elif vendor == "sqlite":
        match = parsed.to_fts5()
        matched = queryset.filter(_FtsMatch(F("pk"), match))
        rank = None
    else:  # pragma: no cover - only the two supported engines
        raise NotImplementedError(f"no full-text search for {vendor}")
    newest = (F("created").desc(nulls_last=True), "identifier")
    if order in ("newest", "oldest"):
        dated = matched.order_by(
            *newest if order == "newest" else (F("created").asc(nulls_last=True), "identifier")
        )
        if vendor == "sqlite":  # a page reads its ordered ids first (_IdsFirstQuerySet)
            dated.__class__ = _ids_first_class(type(dated))
            dated.query.ids_first = True
        return dated
    # Relevance ranks a bounded candidate set: the first RANK_CANDIDATES matches the index
    # yields (all of them when there are no more; see the module docstring). They come first,
    # best first; the other matches follow, newest first. Ranking reads a cable's whole index
    # entry: a word in most cables would mean reading most of the collection for every page.
    candidates = matched.order_by().values("pk")[:RANK_CANDIDATES]
    if rank is None:
        rank = _FtsRank(F("pk"), match, candidates)
    ranked = _BoundedRank(
        Case(When(pk__in=candidates, then=rank), default=None, output_field=FloatField()), rank
    )
    results = matched.annotate(search_rank=ranked).order_by(F("search_rank").desc(nulls_last=True), *newest)
    results.__class__ = _ranked_class(type(results))
    results.query.rank_window = _RankWindow(candidates, tuple(results.query.order_by))
    return results


@dataclass(frozen=True)
class _RankWindow:
    candidates: QuerySet[Cable]
    order_by: tuple[Any, ...]


class _RankedQuerySet(QuerySet):
    """A relevance-ordered search. Its first ``RANK_CANDIDATES`` rows are ranked candidates,
    so a slice within them is read from the candidates alone (then ordered as usual), not from
    a sort of every match; if the candidates left after later filters are too few to fill the
    slice, the slice is read the usual way. Same rows either way."""

    def __getitem__(self, k: Any) -> Any:
        window: _RankWindow | None = getattr(self.query, "rank_window", None)
        if (
            window is not None
            and isinstance(k, slice)
            and k.step is None
            and k.stop is not None
            and 0 <= (k.start or 0) < k.stop <= RANK_CANDIDATES
            and self._result_cache is None
            and not self.query.is_sliced
            and tuple(self.query.order_by) == window.order_by
        ):
            restricted = self.filter(pk__in=window.candidates)
            restricted.query.rank_window = None
            restricted.query.candidates_only = True
            rows = restricted[k]
            if len(rows) == k.stop - (k.start or 0):  # fetches them
                return rows
        return super().__getitem__(k)


@lru_cache(maxsize=16)
def _ranked_class(base: type[QuerySet]) -> type[QuerySet]:
    return type(f"Ranked{base.__name__}", (_RankedQuerySet, base), {})


class _IdsFirstQuerySet(QuerySet):
    """SQLite, date order: a page (a slice of at most 500 rows) reads its ordered ids first, then
    those rows, in the same order. SQLite stores a row whole: sorting every match with the
    page's columns reads each match's overflow pages (``origin_id`` and ``is_partial`` come
    after the body), while ``created`` and ``identifier`` are at the start of the row (a word in
    20 % of 50,000 cables: 700 ms -> 60 ms). Same rows: the same query, ORDER BY and slice."""

    def __getitem__(self, k: Any) -> Any:
        if (
            getattr(self.query, "ids_first", False)
            and isinstance(k, slice)
            and k.step is None
            and k.stop is not None
            and 0 <= (k.start or 0) < k.stop <= (k.start or 0) + 500
            and self._result_cache is None
            and not self.query.is_sliced
            and self._iterable_class is ModelIterable
        ):
            ids = list(self.values_list("pk", flat=True)[k])
            rows = self.filter(pk__in=ids)
            rows.query.ids_first = False
            rows.query.candidates_only = True  # they all match: no second walk of the matches
            return rows
        return super().__getitem__(k)


@lru_cache(maxsize=16)
def _ids_first_class(base: type[QuerySet]) -> type[QuerySet]:
    return type(f"IdsFirst{base.__name__}", (_IdsFirstQuerySet, base), {})


# --- identifiers ---------------------------------------------------------------------------------

_ID_QUERY_RE = re.compile(r"^\s*(\d{2})[\s\-_/.]*([A-Za-z][A-Za-z\s\-_.]{0,40}?)[\s\-_/.]*(\d{1,7})\s*$")


def identifier_lookup(q: str) -> str | None:
    """The cable identifier a query names, if it names one (``06PARIS6189``, ``06 PARIS 6189``,
    ``06paris06189``): the loaded cable's identifier, or the canonical id of a cable that is only
    cited. None for anything else (``PARIS 6189`` has no year, so it is searched)."""
    match = _ID_QUERY_RE.match(q or "")
    if match is None:
        return None
    year, station, serial = match.groups()
    station = re.sub(r"[^A-Za-z]", "", station).upper()
    compact = f"{year}{station}{int(serial)}"
    try:
        from cables.parsing import canonicalize_id

        canonical = canonicalize_id(compact)
    except ImportError:  # pragma: no cover - the parser is part of the project
        canonical = compact
    as_written = f"{year}{station}{serial}"
    found = (
        Cable.objects.filter(identifier__in={compact, canonical, as_written})
        .order_by("pk")
        .values_list("identifier", flat=True)
        .first()
    )
    if found is None:
        found = (
            Cable.objects.filter(canonical_id=canonical)
            .order_by("pk")
            .values_list("identifier", flat=True)
            .first()
        )
    if found is not None:
        return found
    if Reference.objects.filter(target_identifier=canonical).exists():
        return canonical
    return None


# --- snippets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    """A matching paragraph, cut around its hits: ``html`` is escaped text with ``<mark>``."""

    anchor: str  # "p3", or "p-5" for the 5th paragraph when it has no number
    number: int | None
    position: int
    html: SafeString


def paragraph_anchor(number: int | None, position: int) -> str:
    """The fragment id of a paragraph on the cable page (without ``#``)."""
    return f"p{number}" if number is not None else f"p-{position}"


def _score(lexemes: list[str], terms: Sequence[Term]) -> tuple[int, int]:
    """(distinct terms, occurrences) of ``terms`` in ``lexemes``: what ``_hits`` would find."""
    distinct = total = 0
    for term in terms:
        if len(term.lexemes) == 1 and not term.prefix:
            found = lexemes.count(term.lexemes[0])
        else:
            found = len(_hits([(0, 0, lexeme) for lexeme in lexemes], [term]))
        distinct += found > 0
        total += found
    return distinct, total


def _hits(spans: list[tuple[int, int, str]], terms: Sequence[Term]) -> list[tuple[int, int, int]]:
    """``(start, end, term index)`` of every occurrence of the terms in ``spans``, term by term."""
    lexemes = [lexeme for _, _, lexeme in spans]
    hits = []
    for index, term in enumerate(terms):
        *head, last = term.lexemes
        size = len(term.lexemes)
        if size == 1:
            found = (
                [i for i, lexeme in enumerate(lexemes) if lexeme.startswith(last)]
                if term.prefix
                else [i for i, lexeme in enumerate(lexemes) if lexeme == last]
            )
            hits.extend((spans[i][0], spans[i][1], index) for i in found)
            continue
        first = head[0]
        for i in range(len(lexemes) - size + 1):
            if lexemes[i] != first:
                continue
            if all(lexemes[i + k] == head[k] for k in range(1, size - 1)) and (
                lexemes[i + size - 1].startswith(last) if term.prefix else lexemes[i + size - 1] == last
            ):
                hits.append((spans[i][0], spans[i + size - 1][1], index))
    return hits


def _find_hits(text: str, terms: Sequence[Term]) -> list[tuple[int, int, int]]:
    """``_hits(_spans(text), terms)``, with the per-word steps in C (``_Analysed``)."""
    return _Analysed(text).hits(terms)


# analysis.WORD_RE for ASCII text, about 2x faster (same words and offsets; tests compare them).
_ASCII_WORD_RE = analysis.ASCII_WORD_RE


class _Analysed:
    """A text's words and lexemes with the per-word steps in C: the words are found once by
    ``finditer``, their text taken by ``map``, looked up in the lexeme cache by ``map``, the
    indexed ones picked by ``compress``; only the hits are then located in Python. For the
    paragraphs a results page scores and shows, where a Python step per word costs
    milliseconds. ``lexemes`` is ``analysis.lexemes(text)``."""

    def __init__(self, text: str, *, positions: bool = True) -> None:
        if ",s" in text or ",S" in text:
            text = _COMMA_S_RE.sub("'", text)
        word_re = _ASCII_WORD_RE if text.isascii() else _WORD_RE
        if positions:
            self.matches = list(word_re.finditer(text))
            words = list(map(re.Match.group, self.matches))
        else:  # findall: half the cost of match objects
            self.matches = []
            words = word_re.findall(text)
        found = list(map(_LEXEME_CACHE.get, words, repeat(_MISSING)))
        if _MISSING in found:
            found = [
                _lexeme(word) if lexeme is _MISSING else lexeme
                for word, lexeme in zip(words, found, strict=True)
            ]
        self.kept = list(compress(range(len(found)), found))
        self.lexemes: list[str] = list(map(found.__getitem__, self.kept))

    def at(self, terms: Sequence[Term]) -> list[list[int]]:
        """Per term, the lexeme indexes where its occurrences start (as ``_hits`` finds them)."""
        lexemes = self.lexemes
        found = []
        for term in terms:
            *head, last = term.lexemes
            size = len(term.lexemes)
            if size == 1 and not term.prefix:
                at = _indexes(lexemes, last)
            elif size == 1:
                at = list(compress(range(len(lexemes)), map(str.startswith, lexemes, repeat(last))))
            else:
                at = [
                    i
                    for i in _indexes(lexemes, head[0])
                    if i + size <= len(lexemes)
                    and all(lexemes[i + k] == head[k] for k in range(1, size - 1))
                    and (
                        lexemes[i + size - 1].startswith(last)
                        if term.prefix
                        else lexemes[i + size - 1] == last
                    )
                ]
            found.append(at)
        return found

    def hits(self, terms: Sequence[Term], at: list[list[int]] | None = None) -> list[tuple[int, int, int]]:
        """``(start, end, term index)`` of every occurrence, term by term (``_hits``)."""
        at = self.at(terms) if at is None else at
        matches, kept = self.matches, self.kept
        return [
            (matches[kept[i]].start(), matches[kept[i + len(term.lexemes) - 1]].end(), index)
            for index, (term, starts) in enumerate(zip(terms, at, strict=True))
            for i in starts
        ]


def _indexes(values: list[str], value: str) -> list[int]:
    """The indexes of ``value`` in ``values``, found by ``list.index`` (C) from one to the next."""
    found = []
    i = -1
    try:
        while True:
            i = values.index(value, i + 1)
            found.append(i)
    except ValueError:
        return found


def _merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(text: str, marks: list[tuple[int, int]], start: int, end: int) -> SafeString:
    """``text[start:end]`` escaped, with ``marks`` wrapped in ``<mark>``: the text is escaped
    piece by piece and only our own tags are added, so nothing in it can become markup."""
    out = ["…" if start > 0 else ""]
    cursor = start
    for mark_start, mark_end in marks:
        mark_start, mark_end = max(mark_start, start), min(mark_end, end)
        if mark_start >= mark_end:
            continue
        out.append(conditional_escape(text[cursor:mark_start]))
        out.append("<mark>" + conditional_escape(text[mark_start:mark_end]) + "</mark>")
        cursor = mark_end
    out.append(conditional_escape(text[cursor:end]))
    out.append("…" if end < len(text) else "")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped


def _window(text: str, hits: list[tuple[int, int, int]], size: int) -> tuple[int, int]:
    """The ``size``-character window of ``text`` with the most distinct terms, on word bounds.

    Each hit is tried as the window's anchor; the hits inside a window are found by bisecting
    the hits in text order, not by scanning them all."""
    if len(text) <= size:
        return 0, len(text)
    ordered = sorted(hits)
    starts = [hit[0] for hit in ordered]
    best = (0, 0, 0)
    for start, _, _ in hits:
        lead = max(0, start - size // 4)
        window = ordered[bisect_left(starts, lead) : bisect_right(starts, lead + size)]
        inside = [hit for hit in window if hit[1] <= lead + size]
        score = (len({hit[2] for hit in inside}), len(inside))
        if score > best[:2]:
            best = (*score, lead)
    lead = best[2]
    if lead > 0:
        space = text.rfind(" ", 0, lead + 1)
        lead = space + 1 if space >= lead - 20 and space >= 0 else lead
    end = min(len(text), lead + size)
    if end < len(text):
        space = text.rfind(" ", lead, end)
        end = space if space > lead + size // 2 else end
    return lead, end


def highlight(text: str, q: str | ParsedQuery, *, size: int | None = None) -> SafeString:
    """``text`` escaped, with the words matching the query in ``<mark>`` (cut to ``size``
    characters around the hits if given). Safe for any text."""
    parsed = _as_parsed(q)
    hits = _find_hits(text, parsed.terms)
    start, end = _window(text, hits, size) if size and hits else (0, len(text))
    return _render(text, _merge((s, e) for s, e, _ in hits), start, end)


def snippets(
    cables: Sequence[Cable], q: str | ParsedQuery, *, per_cable: int = 2
) -> dict[int, list[Snippet]]:
    """cable pk -> up to ``per_cable`` snippets from its best matching paragraphs (most distinct
    terms, then most hits), in reading order. One query for all the cables of a page; a cable
    whose paragraphs do not contain the terms (a match in the subject or tags) gets ``[]``.

    A long, hit-dense cable has hundreds of paragraphs that may hold the terms, and analysing a
    paragraph's words is the costly step (a regex and a dictionary lookup per word, in Python).
    So each paragraph first gets a cheap upper bound of its score (``_Bounds``: word-start
    counts by C regexes over its folded text), and paragraphs are analysed best bound first,
    stopping as soon as no bound left can beat the ``per_cable`` best exact scores: the same
    paragraphs as analysing them all, from a few analyses per cable."""
    parsed = _as_parsed(q)
    result: dict[int, list[Snippet]] = {cable.pk: [] for cable in cables}
    if not result or per_cable < 1:
        return result
    terms = parsed.terms
    bound = _Bounds(terms)
    candidates: dict[int, list[tuple[tuple[int, int, int], int, int | None, str]]] = defaultdict(list)
    rows = (
        Paragraph.objects.filter(cable_id__in=list(result))
        .order_by("cable_id", "position")
        .values_list("cable_id", "position", "number", "text")
    )
    for cable_id, position, number, text in rows.iterator(chunk_size=2000):
        limit = bound(text)
        if limit is not None:
            candidates[cable_id].append(((*limit, -position), position, number, text))
    for cable_id, found in candidates.items():
        found.sort(key=lambda item: item[0], reverse=True)
        best: list[tuple[tuple[int, int, int], int, int | None, str, list[list[int]]]] = []
        for limit, position, number, text in found:
            if len(best) >= per_cable and best[-1][0] > limit:
                break  # no paragraph left can score above the ones chosen
            at = _Analysed(text, positions=False).at(terms)
            total = sum(map(len, at))
            if total:  # (distinct terms, occurrences): _score
                best.append(((sum(map(bool, at)), total, -position), position, number, text, at))
                best.sort(key=lambda item: item[0], reverse=True)
                del best[per_cable:]
        chosen = []
        for _, position, number, text, at in sorted(best, key=lambda item: item[1]):
            hits = _Analysed(text).hits(terms, at)
            start, end = _window(text, hits, SNIPPET_CHARS)
            html = _render(text, _merge((s, e) for s, e, _ in hits), start, end)
            chosen.append(
                Snippet(
                    anchor=paragraph_anchor(number, position), number=number, position=position, html=html
                )
            )
        result[cable_id] = chosen
    return result


class _Bounds:
    """An upper bound of a paragraph's ``_score`` (distinct terms, occurrences) without its word
    analysis, or None when it cannot hold a term.

    A word whose lexeme is ``L`` starts with ``L`` less its last letter (``_probe_start``): in the
    paragraph's ASCII text, lower-cased, with apostrophes and dots removed (how ``fold`` reads a
    word), every occurrence of ``L`` is an occurrence of that string at its own word's start. So
    ``bytes.count`` (C, no word bounds: it may over-count, never under-count) bounds each
    lexeme, and a term occurs at most as often as its least frequent lexeme. Text with non-ASCII
    characters (which fold to other letters) is given the highest bound."""

    def __init__(self, terms: Sequence[Term]) -> None:
        self.terms = len(terms)
        self.starts = [
            [_probe_start(lexeme).encode("ascii", "ignore") for lexeme in term.lexemes] for term in terms
        ]

    def __call__(self, text: str) -> tuple[int, int] | None:
        if not text.isascii():
            return self.terms, len(text) + 1
        folded = text.encode("ascii").lower().translate(None, b"'.")
        distinct = total = 0
        for starts in self.starts:
            found = min(folded.count(start) for start in starts)
            distinct += found > 0
            total += found
        return (distinct, total) if total else None


# --- facets --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with the number of cables of the current result that have it.

    ``at_least`` is set when the result was too big to count in full: the count is over its
    first ``FACET_SAMPLE`` matches, so the true number is this or more."""

    label: str
    value: str
    count: int
    description: str = ""  # e.g. a tag's glossary name
    at_least: bool = False


def facets(
    queryset: QuerySet[Cable], *, limit: int = 30, sample: int | None = None
) -> dict[str, list[FacetValue]]:
    """Counts of tags, origins, classifications and years over the cables of ``queryset`` (the
    current search and filters), biggest first, at most ``limit`` values per facet (all
    classifications and years).

    A result of more than ``sample`` cables (default ``FACET_SAMPLE``) is counted over its first
    ``sample`` matches and its values are marked ``at_least``: counting every match of a word
    found in most cables costs seconds, and the reader needs the biggest values, not their exact
    size. One query (``summarize``, which the results page calls for its count and chart too)."""
    sample = FACET_SAMPLE if sample is None else sample
    return summarize(queryset, cap=sample, sample=sample, limit=limit).facets


@dataclass(frozen=True)
class Summary:
    """What a results page shows about the whole result, from ONE read of its first matches.

    ``count``: the number of matches, at most ``cap``; ``capped``: there are more. ``months``:
    ``(year, month)`` -> matches among the (first ``cap``) matches, for the results-over-time
    chart (cables without a date are left out). ``facets``: as ``facets()`` returns them."""

    count: int
    capped: bool
    months: dict[tuple[int, int], int]
    facets: dict[str, list[FacetValue]]


def summarize(queryset: QuerySet[Cable], *, cap: int, limit: int = 30, sample: int | None = None) -> Summary:
    """The count (up to ``cap``), the chart's months and the facets of a search, from ONE
    statement: the first ``cap + 1`` matches (id, origin, classification, year, month) are
    materialised once (``WITH ... AS MATERIALIZED``) and grouped in the database: the count,
    months over the first ``cap``, origins, classifications, years and tags (joined to the tag
    links) over the first ``sample`` (default ``FACET_SAMPLE``), marked ``at_least`` beyond.

    Each of these used to find the matches itself (a capped count, the facets' sample, the
    chart's ``GROUP BY`` over the first ``cap``), and a phrase rechecks every candidate's
    ``tsvector`` each time; fetching the rows into Python instead costs more than that (10,000
    rows through the ORM: 100-150 ms)."""
    sample = min(cap, FACET_SAMPLE if sample is None else sample)
    vendor = connections[queryset.db].vendor
    year, month = _year_month(vendor)
    # SQLite stores a row whole, origin_id after the body: reading it walks the row's overflow
    # pages, so there it is read for the facets' sample only, by id (PostgreSQL reads the heap
    # row for the match anyway).
    origin_in_rows = vendor != "sqlite"
    fields = ["pk", "classification", "_year", "_month"] + (["origin_id"] if origin_in_rows else [])
    rows = queryset.order_by().annotate(_year=year, _month=month).values_list(*fields)[: cap + 1]
    try:
        inner, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return Summary(count=0, capped=False, months={}, facets=_facets([], at_least=False))
    cable, cable_tag = Cable._meta.db_table, CableTag._meta.db_table
    tag, origin = Tag._meta.db_table, Origin._meta.db_table
    origin_join = (
        f"JOIN {origin} o ON o.id = f.origin_id"
        if origin_in_rows
        else f"JOIN {cable} oc ON oc.id = f.pk JOIN {origin} o ON o.id = oc.origin_id"
    )
    # Every part reads the materialised rows in the order they were found: "the first n".
    sql = f"""
        WITH m AS MATERIALIZED ({inner}),
        c AS (SELECT * FROM m LIMIT {int(cap)}),
        f AS (SELECT * FROM m LIMIT {int(sample)})
        SELECT 'n', COUNT(*), NULL, NULL, NULL, NULL FROM m
        UNION ALL
        SELECT 'm', COUNT(*), CAST(_year AS integer), CAST(_month AS integer), NULL, NULL
            FROM c WHERE _year IS NOT NULL GROUP BY _year, _month
        UNION ALL
        SELECT 'y', COUNT(*), CAST(_year AS integer), NULL, NULL, NULL
            FROM f WHERE _year IS NOT NULL GROUP BY _year
        UNION ALL
        SELECT 'c', COUNT(*), classification, NULL, NULL, NULL FROM f GROUP BY classification
        UNION ALL
        SELECT 'o', COUNT(*), NULL, NULL, o.name, o.slug
            FROM f {origin_join} GROUP BY o.id, o.name, o.slug
        UNION ALL
        SELECT * FROM (
            SELECT 't', COUNT(*), ROW_NUMBER() OVER (ORDER BY COUNT(*) DESC, t.code), CAST(NULL AS integer),
                t.code, t.name
            FROM f JOIN {cable_tag} ct ON ct.cable_id = f.pk JOIN {tag} t ON t.id = ct.tag_id
            GROUP BY t.id, t.code, t.name ORDER BY COUNT(*) DESC, t.code LIMIT {int(limit)}
        ) AS tags
    """  # noqa: S608 - table names from the models, numbers cast, the rest are parameters
    groups: dict[str, list[tuple[int, Any, Any, Any, Any]]] = defaultdict(list)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        for kind, count, *keys in cursor.fetchall():
            groups[kind].append((count, *keys))
    found = groups["n"][0][0]
    at_least = found > sample
    months = {(year, month): count for count, year, month, _, _ in groups["m"]}
    return Summary(
        count=min(found, cap),
        capped=found > cap,
        months=months,
        facets=_facets(groups, at_least=at_least, limit=limit),
    )


def _year_month(vendor: str) -> tuple[Expression, Expression]:
    """The year and month of ``created`` in the current time zone. On SQLite, Django extracts
    them with a Python function per row (20,000 calls for a summary: 0.3-0.5 s); the column is
    text in UTC there, so in UTC its first characters are the year and month."""
    if vendor == "sqlite" and settings.USE_TZ and timezone.get_current_timezone_name() == "UTC":
        return (
            Cast(Substr("created", 1, 4), IntegerField()),
            Cast(Substr("created", 6, 2), IntegerField()),
        )
    return ExtractYear("created"), ExtractMonth("created")


def _facets(groups: Any, *, at_least: bool, limit: int = 30) -> dict[str, list[FacetValue]]:
    """FacetValues from ``summarize``'s rows: kind -> (count, number, number, text, text)."""
    labels = dict(Classification.choices)
    groups = groups or defaultdict(list)
    return {
        "tag": [  # in the database's order: most cables, then code (its collation, as before)
            FacetValue(label=code, value=code, count=count, description=name, at_least=at_least)
            for count, _, _, code, name in sorted(groups["t"], key=lambda row: row[1])
        ],
        "origin": [
            FacetValue(label=name, value=slug, count=count, at_least=at_least)
            for count, _, _, name, slug in sorted(groups["o"], key=lambda row: (-row[0], row[3]))[:limit]
        ],
        "classification": [
            FacetValue(label=labels.get(value, str(value)), value=str(value), count=count, at_least=at_least)
            for count, value, _, _, _ in sorted(groups["c"], key=lambda row: row[1])
        ],
        "year": [
            FacetValue(label=str(year), value=str(year), count=count, at_least=at_least)
            for count, year, _, _, _ in sorted(groups["y"], key=lambda row: row[1])
        ],
    }


# --- keeping the index -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Document:
    """A cable's entry: lexemes joined by spaces, by field."""

    subject: str
    body: str
    meta: str


# PostgreSQL builds the tsvector from the lexeme strings: to_tsvector('simple') splits them on
# spaces and numbers their positions in C (as a Python loop, 1-2 ms a cable). Subject (weight
# A), body (C), then meta (B), FIELD_GAP positions apart so that no phrase spans two fields: a
# placeholder lexeme pushes the next field on (``||`` shifts the right side past the left's
# last position) and is deleted. PostgreSQL clips positions at 16,383 and keeps 256 a lexeme.
FIELD_GAP = 100
_GAP_LEXEME = "_gap"  # never a real lexeme: they hold no "_"
_PG_DOCUMENT_SQL = (
    "ts_delete(setweight(to_tsvector('simple', {subject}), 'A') || '{gap}:{size}'::tsvector"
    " || setweight(to_tsvector('simple', {body}), 'C') || '{gap}:{size}'::tsvector"
    " || setweight(to_tsvector('simple', {meta}), 'B'), '{gap}')"
)


_PG_STAGE = "cables_search_stage"  # a temporary table: the lexemes of the cables being indexed


def pg_document_sql(*, subject: str, body: str, meta: str) -> str:
    """The SQL expression of a cable's ``search_document`` from three SQL text expressions holding
    its subject, body and meta lexemes (the index update here, and ingest's insert of new cables)."""
    return _PG_DOCUMENT_SQL.format(subject=subject, body=body, meta=meta, gap=_GAP_LEXEME, size=FIELD_GAP)


def _documents(
    cable_ids: Sequence[int], *, using: str, texts: dict[int, analysis.CableText] | None = None
) -> dict[int, _Document]:
    """Build the documents of the given cables: two queries (cables with origins, tags).

    ``texts`` holds the text part of some cables when it is known already (computed by the
    ingest's parser workers: ``analysis.cable_text`` of the subject and body they store); the
    others are analysed here from their stored rows.
    """
    texts = texts or {}
    tags: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for cable_id, code, name in (
        CableTag.objects.using(using)
        .filter(cable_id__in=cable_ids)
        .order_by("cable_id", "position")
        .values_list("cable_id", "tag__code", "tag__name")
    ):
        tags[cable_id].append((code, name))
    documents = {}
    fields = ["pk", "identifier", "canonical_id", "origin__name", "station"]
    if any(pk not in texts for pk in cable_ids):
        fields += ["subject", "body"]
    for row in Cable.objects.using(using).filter(pk__in=cable_ids).values_list(*fields):
        pk, identifier, canonical_id, origin, station = row[:5]
        subject, body = texts.get(pk) or analysis.cable_text(row[5], row[6])
        meta = meta_text(
            identifier=identifier,
            canonical_id=canonical_id,
            origin=origin,
            station=station,
            tags=tags.get(pk, ()),
        )
        documents[pk] = _Document(subject, body, meta)
    return documents


def meta_text(
    *, identifier: str, canonical_id: str, origin: str | None, station: str, tags: Iterable[tuple[str, str]]
) -> str:
    """The meta lexemes of a cable's entry, joined by spaces: identifier, canonical id (when
    different), origin name, station, then each tag's code and name, in the cable's tag order.
    Origin and tag names are the collection's (curators may rename them), not the parser's.

    No word crosses the spaces that would join these parts, so each part is analysed alone, and
    the parts that repeat from cable to cable (origin, station, tags) are analysed once."""
    parts = [analysis.lexeme_text(identifier)]
    if canonical_id != identifier:
        parts.append(analysis.lexeme_text(canonical_id))
    parts += (_part_lexemes(origin or ""), _part_lexemes(station))
    for code, name in tags:
        parts.append(_part_lexemes(code))
        if name:
            parts.append(_part_lexemes(name))
    return " ".join(filter(None, parts))


_part_lexemes = lru_cache(maxsize=20_000)(analysis.lexeme_text)


def _chunks(values: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def search_index_update(
    *,
    cable_ids: Iterable[int],
    using: str | None = None,
    texts: dict[int, analysis.CableText] | None = None,
) -> None:
    """(Re)index the given cables from their stored rows, in the caller's transaction.

    Call after the cables *and their tags* are written. Set-based: per 500 cables, two reads and
    one write statement (PostgreSQL) or one delete plus one ``executemany`` (SQLite).
    ``texts``: the text part of some of the cables' entries, when the caller has it
    (``analysis.cable_text`` of the stored subject and body); the rest are analysed here.
    """
    using = using or router.db_for_write(Cable)
    ids = sorted(set(cable_ids))
    connection = connections[using]
    for chunk in _chunks(ids, 500):
        documents = _documents(chunk, using=using, texts=texts)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The lexemes go in by COPY (escaped in C; as query parameters, psycopg escapes
                # each array element with a Python regex: a third of the writer's time).
                cursor.execute(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_PG_STAGE} "
                    "(id bigint, subject text, body text, meta text) ON COMMIT DELETE ROWS"
                )
                with cursor.cursor.copy(f"COPY {_PG_STAGE} (id, subject, body, meta) FROM STDIN") as copy:
                    for pk, doc in documents.items():
                        copy.write_row((pk, doc.subject, doc.body, doc.meta))
                document = pg_document_sql(subject="d.subject", body="d.body", meta="d.meta")
                cursor.execute(
                    f"WITH d AS (DELETE FROM {_PG_STAGE} RETURNING *) "  # noqa: S608
                    f"UPDATE cables_cable AS c SET {PG_COLUMN} = {document} FROM d WHERE c.id = d.id"
                )
            else:
                placeholders = ",".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", list(chunk))  # noqa: S608
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE} (rowid, subject, meta, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
                    [(pk, doc.subject, doc.meta, doc.body) for pk, doc in documents.items()],
                )


def search_index_delete(*, cable_ids: Iterable[int], using: str | None = None) -> None:
    """Take the given cables out of the index (a deleted cable leaves it by itself)."""
    using = using or router.db_for_write(Cable)
    ids = sorted(set(cable_ids))
    connection = connections[using]
    with connection.cursor() as cursor:
        for chunk in _chunks(ids, 500):
            placeholders = ",".join(["%s"] * len(chunk))
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"UPDATE cables_cable SET {PG_COLUMN} = NULL WHERE id IN ({placeholders})",  # noqa: S608
                    list(chunk),
                )
            else:
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", list(chunk))  # noqa: S608


def search_index_rebuild(
    *, batch_size: int = 2000, progress: Callable[[int, int], None] | None = None, using: str | None = None
) -> int:
    """Rebuild the whole index from the stored cables, ``batch_size`` cables per transaction.

    ``progress(done, total)`` is called after every batch. Returns the number of cables indexed.
    """
    from django.db import transaction

    using = using or router.db_for_write(Cable)
    connection = connections[using]
    ids = list(Cable.objects.using(using).order_by("pk").values_list("pk", flat=True))
    done = 0
    for chunk in _chunks(ids, batch_size):
        with transaction.atomic(using=using):
            search_index_update(cable_ids=chunk, using=using)
        done += len(chunk)
        if progress is not None:
            progress(done, len(ids))
    if connection.vendor == "sqlite":
        with transaction.atomic(using=using), connection.cursor() as cursor:
            # Rows of cables deleted while the delete trigger was missing (a migration that
            # rebuilt cables_cable drops it): remove them, put the trigger back, compact.
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid NOT IN (SELECT id FROM cables_cable)")  # noqa: S608
            cursor.execute(SQLITE_DELETE_TRIGGER)
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")  # noqa: S608
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cables_cable")
    return done
