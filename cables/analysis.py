"""Text analysis for search: text -> lexemes, and a cable's index document. Pure Python, no Django.

Shared by indexing, queries and highlighting (``cables.search``) and by the ingest's parser
workers (``cables.ingest_parse``), which analyse a cable's subject and body while they parse it,
so that the process writing to the database only adds the short curated part (identifier,
origin, tags) and writes the result.

* Words are runs of letters and digits (``IRAN,S`` is read as ``IRAN'S``; a possessive ``'s``
  is dropped; other apostrophes are removed; case and diacritics are folded).
* Common English words (``STOP_WORDS``) are not indexed.
* Words without digits are reduced to their Snowball English (Porter2) stem, the stemmer
  PostgreSQL's ``english`` configuration uses; words with digits (``06PARIS6189``, ``1.4(b)``)
  are kept as they are, like ``simple``.

A lexeme never holds a space, so a list of lexemes travels between processes as one string
joined by spaces (``CableText``).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple

import snowballstemmer

__all__ = [
    "MAX_WORD",
    "STOP_WORDS",
    "CableText",
    "analyze",
    "body_text",
    "cable_text",
    "fold",
    "lexeme",
    "lexeme_text",
    "lexemes",
    "spans",
    "stem",
]

MAX_WORD = 60  # longer "words" are noise (base64, rules of dashes): not indexed

# The Snowball English stop word list (also PostgreSQL's english.stop), less "us" (U.S.).
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can did do does doing don down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own s same she should so some such t than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with you your yours yourself yourselves
    """.split()  # noqa: SIM905 - a word list reads better as text
)

COMMA_S_RE = re.compile(r"(?<=[^\W_]),(?=[sS]\b)")  # IRAN,S -> IRAN'S (same length)
# A word: letters and digits, with inner apostrophes; or an abbreviation with dots (U.S., e.g.).
WORD_RE = re.compile(r"[^\W\d_](?:\.[^\W\d_])+\.?(?![^\W_])|[^\W_]+(?:['’][^\W_]+)*")
# The same for ASCII text, where [^\W_] is [A-Za-z0-9] and ’ cannot occur: a bitmap test per
# character instead of a Unicode category lookup, half the time of WORD_RE on a cable body.
ASCII_WORD_RE = re.compile(r"[A-Za-z](?:\.[A-Za-z])+\.?(?![A-Za-z0-9])|[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*")
HAS_DIGIT_RE = re.compile(r"\d")
_APOSTROPHES = str.maketrans("", "", "'’.")
# Snowball stemmers keep per-word state and are not thread-safe: gunicorn's gthread workers
# share this module between threads, so each thread gets its own.
_stemmers = threading.local()


def stem(word: str) -> str:
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


@lru_cache(maxsize=400_000)
def fold(word: str) -> str:
    """Lower case, no possessive, apostrophes or dots, no diacritics: ``Côte’s`` -> ``cote``,
    ``U.S.`` -> ``us``."""
    word = word.casefold()
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    word = word.translate(_APOSTROPHES)
    if not word.isascii():
        word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
        word = "".join(c for c in word if c.isalnum())  # compatibility forms may bring punctuation
    return word


@lru_cache(maxsize=400_000)
def lexeme(word: str) -> str | None:
    """The indexed form of one word as written, or None for a stop word or noise."""
    folded = fold(word)
    if not folded or len(folded) > MAX_WORD or folded in STOP_WORDS:
        return None
    if HAS_DIGIT_RE.search(folded):
        return folded
    return stem(folded)


def words(text: str) -> Iterator[re.Match[str]]:
    return _word_re(text).finditer(COMMA_S_RE.sub("'", text))


def _word_re(text: str) -> re.Pattern[str]:
    return ASCII_WORD_RE if text.isascii() else WORD_RE


class _LexemeCache(dict[str, str | None]):
    """Word as written -> lexeme (or None), filled on a miss (``cache[word]`` never fails): the
    hits, nearly every word of a collection, are looked up by ``map`` in C."""

    def __missing__(self, word: str) -> str | None:
        found = lexeme(word)
        if len(self) < _CACHE_LIMIT:
            self[word] = found
        return found


_MISSING: Any = object()
_CACHE_LIMIT = 2_000_000
LEXEME_CACHE = _LexemeCache()  # indexing and highlighting are hot loops


def analyze(text: str) -> list[str]:
    """The lexemes of ``text`` in order, as indexed: ``"Iran,s nuclear programs"`` ->
    ``['iran', 'nuclear', 'program']``."""
    return lexemes(text)


def lexemes(text: str) -> list[str]:
    """The lexemes of ``text`` in order (``analyze``)."""
    return lexeme_text(text).split()


def lexeme_text(text: str) -> str:
    """``" ".join(lexemes(text))``: the words' lexemes in order, joined by spaces.

    Most texts take a C-level path: once the few common non-ASCII punctuation marks are replaced
    (``_ASCII_PUNCTUATION``), the bytes are split into *tokens*, the runs of the only characters
    a word can hold (letters, digits, apostrophes, dots), and each token's lexemes come from
    ``TOKEN_CACHE``. A word never crosses a token's edge, so a token's words are those the
    pattern finds in the whole text there (``test_token_path_equals_the_word_pattern``). Other
    non-ASCII text runs the Unicode word pattern.
    """
    if ",s" in text or ",S" in text:
        text = COMMA_S_RE.sub("'", text)
    try:
        data = text.encode("ascii")
    except UnicodeEncodeError:
        for mark, replacement in _ASCII_PUNCTUATION:
            if mark in text:
                text = text.replace(mark, replacement)
        try:
            data = text.encode("ascii")
        except UnicodeEncodeError:
            return " ".join(filter(None, map(LEXEME_CACHE.__getitem__, WORD_RE.findall(text))))
    return " ".join(filter(None, map(TOKEN_CACHE.__getitem__, data.translate(_TOKEN_BYTES).split())))


# Non-ASCII marks that read the same as an ASCII character or a space: the right single quote
# is an apostrophe to WORD_RE (and ``fold`` drops both), the others are not letters or digits.
_ASCII_PUNCTUATION = tuple(
    {
        "\u2019": "'",
        "\u201c": " ",
        "\u201d": " ",
        "\u2018": " ",
        "\u2013": " ",
        "\u2014": " ",
        "\u00a0": " ",
        "\u2026": " ",
        "\u2022": " ",
        "\u00ab": " ",
        "\u00bb": " ",
    }.items()
)
# Bytes -> themselves for the characters a word can hold, a space for every other byte.
_TOKEN_BYTES = bytes(
    byte if chr(byte).isascii() and (chr(byte).isalnum() or chr(byte) in "'.") else 0x20
    for byte in range(256)
)


class _TokenCache(dict[bytes, str]):
    """ASCII token as written -> its lexemes joined by spaces ("" for none), filled on a miss."""

    def __missing__(self, token: bytes) -> str:
        # lexeme(), not LEXEME_CACHE: a word need not be kept a third time (lexeme and fold keep
        # theirs) once its token is
        found = " ".join(filter(None, map(lexeme, ASCII_WORD_RE.findall(token.decode("ascii")))))
        if len(self) < _CACHE_LIMIT:
            self[token] = found
        return found


TOKEN_CACHE = _TokenCache()


def spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, lexeme)`` of the indexed words of ``text`` (offsets into ``text``)."""
    cache = LEXEME_CACHE
    out = []
    for match in words(text):
        word = match.group()
        found = cache.get(word, _MISSING)
        if found is _MISSING:
            found = lexeme(word)
            if len(cache) < _CACHE_LIMIT:
                cache[word] = found
        if found:
            out.append((match.start(), match.end(), found))
    return out


def body_text(body: str) -> str:
    """The part of a cable's body that is indexed: its content, without the repeated opening
    block and page-break lines (the parser's ``clean_content``)."""
    from cables.parsing import clean_content

    return clean_content(body)


class CableText(NamedTuple):
    """What a parser worker computes for a cable's entry in the search index: the lexemes of its
    subject and of its body, each joined by spaces. The writer adds the curated meta."""

    subject: str
    body: str


def cable_text(subject: str, body: str) -> CableText:
    """The search index's part of a cable that depends on its parsed text alone."""
    return CableText(lexeme_text(subject), lexeme_text(body_text(body)))
