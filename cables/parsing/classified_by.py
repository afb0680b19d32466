"""The Classified By statement: classifying officials and reasons (cable-format.md 3.11)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .identifiers import is_known_station

_SEARCH_CHARS = 6000  # the statement sits in the preamble or paragraph 1
_STATEMENT_CHARS = 300

# Classified By / Classifed by / Classiied By / CLASSIFIED BY: ... never DECLASSIFIED BY.
_LABEL_RE = re.compile(r"\bCLASS?I?F?I?E?D\s*:?\s*BY\b\s*:?\s*", re.IGNORECASE)
# A doubled start: "Classified By: Classified by DCM", "(C) CLASSIFIED BY", "This message classified by".
_DOUBLED_RE = re.compile(
    r"^\s*(?:\([A-Z/]{1,8}\)\s*)?(?:This\s+(?:message|cable)\s+(?:is\s+)?)?"
    r"CLASS?I?F?I?E?D\s*:?\s*BY\b\s*:?\s*",
    re.IGNORECASE,
)
_LATER_PARA_RE = re.compile(r"^\s*[\u00b6\ufffd]?\s*(?:[2-9]|\d\d)\s*\.\s*(?:\(|[A-Z])", re.MULTILINE)

# --- reasons ------------------------------------------------------------------------------------
_SECTION_RE = re.compile(r"(?<![\d.])1\s*[.,]\s*([45])(?!\d)")
# Between letters: spaces, commas, slashes, &, and/or; a dot only right after the section (1.5.D.).
_REASON_SEP_RE = re.compile(r"(?:\s|[,/&;]|\band\b|\bor\b)*", re.IGNORECASE)
_SECTION_DOT_RE = re.compile(r"\.(?=\(?[A-Ha-h](?![A-Za-z]))")
_REASON_LETTER_RE = re.compile(r"\(?\s*([A-Ha-h])\s*\)?(?![A-Za-z])")

# --- name end markers ---------------------------------------------------------------------------
_HARD_END_RE = re.compile(
    r"\b(?:REASONS?|REASON\(S\)|REA\s+SONS?|REAONS?|RASONS?)\b|\bE\.\s?O\b|\bEO\s+1\d{4}"
    r"|(?<![\d.])1\s*[.,]\s*[45](?!\d)|:\s*\d",
    re.IGNORECASE,
)
_SOFT_END_RE = re.compile(
    r";|\b(?:for|per|under|based|due|FR|F0R|FO\s+R)\b|\(acting\)|(?<=[A-Za-z0-9\)])\.(?=\s|$)", re.IGNORECASE
)
_SUFFIX_RE = re.compile(r",\s*(Jr\.?|Sr\.?|II|III|IV)(?=\W|$)", re.IGNORECASE)
_SUFFIX_MARK = "\x00"  # prefixed to a suffix that followed a comma ("SIMONS, JR.")
_AND_SPLIT_RE = re.compile(r"\s+AND\s+|\s&\s", re.IGNORECASE)
_COMMA_SPLIT_RE = re.compile(r",")

_TITLE_WORDS = frozenset(
    w.lower()
    for w in [
        "Ambassador",
        "Amb",
        "Charge",
        "d'Affaires",
        "d'Affairs",
        "d’Affaires",
        "d,Affaires",
        "a.i.",
        "ai",
        "Acting",
        "Deputy",
        "Assistant",
        "Under",
        "Secretary",
        "Chief",
        "Mission",
        "DCM",
        "CDA",
        "Counselor",
        "Counsellor",
        "Couns",
        "Minister",
        "Minister-Counselor",
        "M/C",
        "MC",
        "Political",
        "Pol",
        "PolMil",
        "Economic",
        "Econ",
        "Ecopol",
        "EcoPol",
        "Pol/Econ",
        "Officer",
        "Off",
        "Poloff",
        "Econoff",
        "Conoff",
        "Consul",
        "General",
        "ConGen",
        "Principal",
        "Director",
        "Dir",
        "Head",
        "Section",
        "Unit",
        "Coordinator",
        "Attache",
        "Legal",
        "Adviser",
        "Advisor",
        "Special",
        "Envoy",
        "Representative",
        "Permanent",
        "Delegate",
        "Member",
        "Leader",
        "Team",
        "Chairman",
        "DAS",
        "PDAS",
        "A/S",
        "U/S",
        "EMIN",
        "ECMIN",
        "ECONCOUNS",
        "LEGATT",
        "DPO",
        "RSO",
        "TDY",
        "Classification",
        "Guide",
        "Polcounselor",
        "Affaires",
        "Affairs",
        "Affair",
        "Charg",
    ]
)
_FUZZY_TITLES = tuple(w for w in _TITLE_WORDS if len(w) >= 6 and w.isalpha())
_FUZZY_TITLE_LETTERS = tuple((w, frozenset(w)) for w in _FUZZY_TITLES)
_OFFICE_WORDS = frozenset(
    [
        "AF",
        "NEA",
        "EUR",
        "IO",
        "ISN",
        "SCA",
        "AIT",
        "USEU",
        "USUN",
        "PRT",
        "COM",
        "RSO",
        "ARSO",
        "IPO",
        "WHA",
        "EAP",
        "INR",
        "PM",
        "DRL",
        "OES",
    ]
)
# Words around titles that are not names either.
_OTHER_WORDS = frozenset(
    w.lower()
    for w in [
        "of",
        "the",
        "for",
        "to",
        "in",
        "and",
        "a",
        "an",
        "at",
        "on",
        "by",
        "with",
        "de",
        "d'",
        "d’",
        "this",
        "message",
        "cable",
        "is",
        "was",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Office",
        "Bureau",
        "Department",
        "State",
        "Embassy",
        "Consulate",
        "Regional",
        "Global",  # "Global Affairs Unit Chief Don Brown" (09BERLIN1167)
        "Presence",
        "DOS",
        "USG",
        "US",
        "U.S.",
        "Public",
        "Management",
        "Commercial",
        "Consular",
        "Defense",
        "Senior",
        "Executive",
        "Desk",
        "Staff",
        "Country",
        "Acting",
        "Administrative",
        "Science",
        "Labor",
        "Narcotics",
        "Military",
        "Security",
        "Intelligence",
        "Post",
        "Interim",
        "Political-Military",
        "Pol-Mil",
        "PolEcon",
        "Counsel",
        "Secretariat",
        "Mission's",
        "Embassy's",
        "Ref",
        "Refs",
        "Confidential",
        "Secret",
        "Unclassified",
        "Section",
        "classified",
        "classifed",
        "by",
    ]
)
_PREPOSITIONS = frozenset({"to", "for", "of", "in"})
_PLACE_PREFIXES = frozenset(
    {"new", "south", "north", "saudi", "united", "sri", "el", "costa", "west", "east"}
)
_NAME_TOKEN_RE = re.compile(
    r"^(?:"
    r"[A-Z0][A-Za-z0'’\-]*[A-Za-z0]\.?"  # word (capitalised or all caps), zero for O allowed
    r"|(?:[A-Z0]\.){1,3}"  # initials F. W.S. D.C. 0.
    r"|(?:[A-Z]\.)+[A-Z][A-Za-z'’\-]+"  # glued initial C.GREENE
    r"|[a-z]'[A-Z][A-Za-z'’\-]+"  # d'Amico
    r")$"
)
_BARE_INITIAL_RE = re.compile(r"^[A-Z]$")
_INITIAL_RE = re.compile(r"^(?:[A-Z0]\.)+$")
_SUFFIXES = frozenset({"JR.", "JR", "SR.", "SR", "II", "III", "IV"})
_ROMAN = frozenset({"II", "III", "IV"})
_MAX_NAME_TOKENS = 4


@dataclass(frozen=True, slots=True)
class ClassifiedBy:
    """A Classified By statement: its text (one line), the names, normalized names, reasons."""

    text: str
    names: tuple[str, ...]
    normalized: tuple[str, ...]
    reasons: tuple[str, ...]


# --- statement ------------------------------------------------------------------------------------


def _statement_at(text: str, start: int) -> str:
    """Text after a label up to a blank line or 300 characters, lines joined (3.11)."""
    lines = text[start : start + _STATEMENT_CHARS * 4].split("\n")
    out = ""
    first = True
    for line in lines:
        stripped = line.strip()
        if not stripped:
            if first:  # "CLASSIFIED BY: ⏎ CHRISTOPHER W.S. ROSS"
                first = False
                continue
            break
        if first or not out:
            out = f"{out} {stripped}".strip()
        elif out[-1].isalpha() and not line[:1].isspace() and stripped[0].islower() and _glues(stripped):
            out += stripped
        else:
            out = f"{out} {stripped}"
        first = False
        if len(out) >= _STATEMENT_CHARS:
            break
    return " ".join(out[:_STATEMENT_CHARS].split())


_STANDALONE = frozenset(
    [
        "and",
        "or",
        "the",
        "of",
        "for",
        "to",
        "in",
        "on",
        "at",
        "by",
        "with",
        "per",
        "under",
        "reasons",
        "reason",
        "section",
        "based",
        "due",
        "e.o.",
        "as",
    ]
)


def _glues(next_line: str) -> bool:
    """A lower-case continuation glues to the previous word unless it starts with a real word."""
    word = next_line.split(None, 1)[0].rstrip(",.;:").lower()
    return word not in _STANDALONE


# ``_LATER_PARA_RE`` searched in "\n" + text: the literal newline first is a fast scan, and a
# match starts at the newline before the line where the original match starts
_LATER_PARA_TEXT_RE = re.compile(r"\n\s*[\u00b6\ufffd]?\s*(?:[2-9]|\d\d)\s*\.\s*(?:\(|[A-Z])")


def _labels(text: str) -> list[re.Match[str]]:
    """Label matches in the searched part of the text (preamble and paragraph 1)."""
    limit = min(len(text), _SEARCH_CHARS)
    head = text[:limit]
    later = _LATER_PARA_TEXT_RE.search("\n" + head)
    if later:
        limit = later.start()
        head = text[:limit]
    # every label starts with "cla" in some case (no other character matches c, l or a with
    # IGNORECASE): try the regex only there, same matches
    low = head.lower()
    if len(low) != len(head):  # a character lowered to two: positions would not line up
        return list(_LABEL_RE.finditer(text, 0, limit))
    out: list[re.Match[str]] = []
    pos = 0
    while (at := low.find("cla", pos)) >= 0:
        m = _LABEL_RE.match(text, at, limit)
        if m:
            out.append(m)
            pos = m.end()
        else:
            pos = at + 1
    return out


# --- reasons ------------------------------------------------------------------------------------


def _reasons(statement: str) -> list[str]:
    """Reasons such as 1.4(b) from a statement; a bare section gives ["1.4"]."""
    out: list[str] = []
    for m in _SECTION_RE.finditer(statement):
        section = f"1.{m.group(1)}"
        pos = m.end()
        dot = _SECTION_DOT_RE.match(statement, pos)
        if dot:
            pos = dot.end()
        letters: list[str] = []
        while True:
            sep = _REASON_SEP_RE.match(statement, pos)
            pos = sep.end() if sep else pos
            letter = _REASON_LETTER_RE.match(statement, pos)
            if not letter:
                break
            letters.append(letter.group(1).lower())
            pos = letter.end()
        items = [f"{section}({c})" for c in letters] or [section]
        for item in items:
            if item not in out:
                out.append(item)
    return out


# --- names ----------------------------------------------------------------------------------------


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up early above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


@lru_cache(maxsize=4096)
def _is_title(token: str) -> bool:
    """Title word, allowing 2 typos in words of 6+ letters (Ambassaor, COUNSEL0R)."""
    word = token.strip(".,;:()").lower().replace("0", "o")
    if not word:
        return False
    if word in _TITLE_WORDS or token.strip(".,;:()").lower() in _TITLE_WORDS:
        return True
    if len(word) >= 6 and word.isalpha():
        typos = 2 if len(word) >= 8 else 1
        # cheap bounds first: an edit changes the length by at most 1 and the set of letters
        # by at most 2 (a substitution), so a title failing either is further than ``typos``
        size, letters = len(word), set(word)
        return any(
            abs(size - len(title)) <= typos
            and len(letters ^ title_letters) <= 2 * typos
            and _edit_distance(word, title, typos) <= typos
            for title, title_letters in _FUZZY_TITLE_LETTERS
        )
    if "-" in word:
        return all(part in _TITLE_WORDS or part.upper() in _OFFICE_WORDS for part in word.split("-"))
    return False


@lru_cache(maxsize=4096)  # pure, and the same few hundred words come back
def _is_skip(token: str) -> bool:
    """A title word, office code or abbreviation, or a function word: never part of a name."""
    bare = token.strip(".,;:()")
    if _INITIAL_RE.match(token):
        return False
    return (
        _is_title(token)
        or "/" in bare
        or bare.upper() in _OFFICE_WORDS
        or bare.lower() in _OTHER_WORDS
        or token.lower() in _OTHER_WORDS
    )


def _is_suffix(token: str) -> bool:
    return token.lstrip(_SUFFIX_MARK).upper() in _SUFFIXES


@lru_cache(maxsize=4096)
def _is_name_token(token: str) -> bool:
    return bool(_NAME_TOKEN_RE.match(token)) or _is_suffix(token)


def _tokens(piece: str) -> list[str]:
    """Whitespace tokens; a login after a colon (AMB:RCROCKER) or semicolon is split off."""
    out: list[str] = []
    for token in piece.split():
        if ":" in token or ";" in token:
            out.extend(t for t in _LOGIN_SPLIT_RE.split(token) if t)
        else:
            out.append(token)
    return out


_LOGIN_SPLIT_RE = re.compile(r"[:;]")


def _name_in(piece: str) -> str | None:
    """The name in one piece of a statement: title words and places removed (3.11 step 2-3)."""
    tokens = _tokens(piece)
    i = 0
    n = len(tokens)
    while i < n:
        token = tokens[i]
        low = token.lower()
        if low in _PREPOSITIONS:
            i += 1
            # a place name after TO/FOR/OF/IN, also "Afghanistan and Pakistan", "Saudi Arabia"
            while i < n and not _is_skip(tokens[i]) and _is_name_token(tokens[i]):
                if tokens[i].lower() in _PLACE_PREFIXES:
                    i += 1
                i += 1
                if i + 1 < n and tokens[i].lower() == "and" and not _is_skip(tokens[i + 1]):
                    i += 1
                    continue
                break
            continue
        if _is_skip(token) or not _is_name_token(token):
            i += 1
            continue
        run: list[str] = []
        j = i
        while j < n and (
            (_is_name_token(tokens[j]) and (not _is_skip(tokens[j]) or _is_suffix(tokens[j])))
            # a middle initial without its dot ("Paul R Sutphin")
            or (run and _BARE_INITIAL_RE.match(tokens[j]) and j + 1 < n and _is_name_token(tokens[j + 1]))
        ):
            run.append(tokens[j])
            j += 1
        followed_by_number = j < n and tokens[j][:1].isdigit()
        if not followed_by_number and _valid_run(run):
            return _format_run(run)
        i = j
    return None


def _valid_run(run: list[str]) -> bool:
    core = [t for t in run if not _is_suffix(t)]
    if not core:
        return False
    if len(core) == 1:  # a login such as Pmahoney or RCROCKER
        word = core[0]
        return len(word) >= 5 and word.isalpha() and not is_known_station(word.upper())
    return not all(is_known_station(t.upper()) for t in core)


def _format_run(run: list[str]) -> str:
    """At most 4 name tokens plus a suffix, as written."""
    core = [t for t in run if not _is_suffix(t)][:_MAX_NAME_TOKENS]
    suffix = next((t for t in run if _is_suffix(t)), None)
    name = " ".join(core)
    if suffix is not None:
        name += f", {suffix[1:]}" if suffix.startswith(_SUFFIX_MARK) else f" {suffix}"
    return name


def _cut(statement: str) -> str:
    """The statement up to the end of the name part (reason words, E.O., 1.4, ';', for, ...)."""
    hard = _HARD_END_RE.search(statement)
    end = hard.start() if hard else len(statement)
    for m in _SOFT_END_RE.finditer(statement, 0, end):
        if m.group().endswith(".") and _ends_with_initial(statement[: m.end()]):
            continue
        if _names_in(statement[: m.start()]):
            return statement[: m.start()]
    return statement[:end]


_INITIAL_WORD_RE = re.compile(r"(?:[A-Za-z0]\.)+|[A-Za-z0]{1,3}\.")


def _ends_with_initial(text: str) -> bool:
    """Whether a '.' ends an initial or an abbreviation (not a sentence)."""
    word = text.rsplit(None, 1)[-1] if text.split() else ""
    word = word.split(":")[-1]
    return bool(_INITIAL_WORD_RE.fullmatch(word)) or _is_title(word)


def _names_in(cut: str) -> list[str]:
    """All names in the cut statement (several people split on AND and commas)."""
    text = _SUFFIX_RE.sub(lambda m: f" {_SUFFIX_MARK}{m.group(1)}", cut)
    segments = _AND_SPLIT_RE.split(text)
    if len(segments) > 1 and not all(_names_of_pieces(seg) for seg in segments):
        segments = [text]  # "for Afghanistan and Pakistan": only split between people
    pieces = [p for seg in segments for p in _COMMA_SPLIT_RE.split(seg) if p.strip()]
    if len(pieces) > 1:
        first = pieces[0]
        first_tokens = _tokens(first)
        if (
            2 <= len([t for t in first_tokens if not _is_suffix(t)]) <= 5
            and all(_is_name_token(t) and not _is_skip(t) for t in first_tokens)
            and any(any(_is_title(t) for t in _tokens(p)) for p in pieces[1:])
        ):
            name = _name_in(first)
            return [name] if name else []
    return _names_of_pieces(*pieces)


def _names_of_pieces(*pieces: str) -> list[str]:
    """Names found in the comma pieces of a text, de-duplicated."""
    names: list[str] = []
    for piece in pieces:
        for part in _COMMA_SPLIT_RE.split(piece):
            name = _name_in(part)
            if name and name not in names:
                names.append(name)
    return names


_ZERO_IN_WORD_RE = re.compile(r"(?<=[A-Za-z])0|0(?=[A-Za-z.])")
_LETTERS_RE = re.compile(r"[A-Za-z]+")


def _capitalized(match: re.Match[str]) -> str:
    return match.group().capitalize()


def normalize_name(name: str) -> str:
    """Title case, 0 -> O inside words, Roman numerals upper-case (3.11)."""
    words = []
    for word in name.split(" "):
        word = _ZERO_IN_WORD_RE.sub("O", word) if "0" in word else word
        bare = word.rstrip(".,")
        if bare.upper() in _ROMAN:
            words.append(word.upper())
        elif word.upper() == word:
            words.append(_LETTERS_RE.sub(_capitalized, word))
        else:
            words.append(word)
    return " ".join(words)


# --- public -----------------------------------------------------------------------------------------


def _statement_of(text: str, label: re.Match[str]) -> str:
    statement = _statement_at(text, label.end())
    doubled = _DOUBLED_RE.match(statement)
    if doubled:
        statement = statement[doubled.end() :]
    return statement


def parse_classified_by_statement(text: str) -> ClassifiedBy | None:
    """The first Classified By statement of the preamble (or paragraph 1), or None."""
    labels = _labels(text)
    if not labels:
        return None
    statement = _statement_of(text, labels[0])
    names = _names_in(_cut(statement))
    if not names:  # a statement that is really a list of refs: use a later one with a name
        for label in labels[1:]:
            later = _statement_of(text, label)
            later_names = _names_in(_cut(later))
            if later_names:
                statement, names = later, later_names
                break
    return ClassifiedBy(
        text=statement,
        names=tuple(names),
        normalized=tuple(normalize_name(n) for n in names),
        reasons=tuple(_reasons(statement)),
    )


def parse_classified_by(text: str) -> list[str]:
    """Names of the classifying officials, as written (``extra.classified_by_names``)."""
    found = parse_classified_by_statement(text)
    return list(found.names) if found else []


def classification_reasons(text: str) -> list[str]:
    """Classification reasons such as ["1.4(b)", "1.4(d)"]."""
    found = parse_classified_by_statement(text)
    return list(found.reasons) if found else []
