"""Cable identifiers: the id grammar, stations and their aliases (cable-format.md 3.1).

One alias table serves ids, REF citations and ``FM`` lines. ``KNOWN_STATIONS`` is read from
``data/stations.txt``, derived from the published id list by ``scripts/build_lookup_data.py``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# YY + station + serial (1-7 digits, no leading zero)
ID_RE = re.compile(r"^(?P<year>\d\d)(?P<station>[A-Z]+)(?P<serial>[1-9]\d{0,6})$")

STATION_PREFIXES: tuple[str, ...] = (
    "EFTO",
    "AMEMBASSY",
    "EMBASSY",
    "USMISSION",
    "AMCONSUL",
    "CONSULATE",
    "USINT",
    "NOFORN",
    "FSC",
    "SIFIED",
)

_ALIAS_GROUPS: dict[str, tuple[str, ...]] = {
    "STATE": (
        "SECSTATE",
        "SECSTATEWASHDC",
        "WASHDC",
        "SECTSTATE",
        "SECTATE",
        "SECSATATE",
        "SECTATWASHDC",
        "SATTE",
        "STAE",
        "STAT",
        "STATAE",
        "TATE",
    ),
    "SECDEF": ("SECDEFWASH", "SECDEFWASHDC"),
    "USUNNEWYORK": ("USUN", "USUNNEW", "USUNNEYORK", "USUNNY", "NEWYORK"),
    "USEUBRUSSELS": ("USEU", "USEUBRUSS", "USEUBRUSEELS"),
    "UNVIEVIENNA": ("UNVIE", "UNVIENNA", "UNVIEVIEN"),
    "UNESCOPARISFR": ("PARISFR", "USUNESCOPARISFR", "USUNESCO", "UNESCOPARIS"),
    "THEHAGUE": ("HAGUE",),
    "AITTAIPEI": ("TAIPEI",),
    "RPODUBAI": ("DUBAIRPO", "IRPODUBAI"),
    "USNATO": ("USNATOANDUSNATO",),
    "USDAFAS": ("USDA", "USDAFASWASHDC"),
    "USDOC": ("DOC", "USDOCWASHDC", "DEPTOFCOMMERCE"),
    "USDOJ": ("DEPTOFJUST",),
    "USCBP": ("USCUSTOMSA",),
    "CDCATLANTAGA": ("CDC", "CDCATLANTA", "ATLANTA", "ATLANTAGA", "ATLANGAGA", "CDCATLANTAGAUSA"),
    "ADDISABABA": ("ADDIS", "ADDISABAB"),
    "BUENOSAIRES": ("BA", "BUENOSAIRE", "BUENESAIRES", "BUENSOAIRES", "BUENOSAIREDS"),
    "BRASILIA": ("BRAZIL", "BRAZILIA", "BRASILA", "BRASIIA", "BRASIILIA"),
    "RIODEJANEIRO": ("RIO", "RIODEJAN", "RIODEJANERIO", "RIODEJANIERO"),
    "SAOPAULO": ("PAULO", "SAOPAUL", "SAOPAUO", "SAOPULO", "SCOPAULO"),
    "PORTAUPRINCE": ("PAP", "PAUP", "PORTA", "PORTAUPR"),
    "PORTOFSPAIN": ("POS",),
    "HOCHIMINHCITY": ("HCM", "HCMC", "HCMCI", "HOCHIMIN", "HOCHIMINH"),
    "MEXICO": ("MEX", "MEXICOCITY"),
    "HONGKONG": ("HK",),
    "KUALALUMPUR": ("KL", "KUALALUMP"),
    "NEWDELHI": ("DELHI", "NEWDEHLI"),
    "SANTODOMINGO": ("SD", "SDO", "SANTODOMINIGO"),
    "STPETERSBURG": ("PETERSBURG",),
    "VATICAN": ("VAT",),
    "BANGKOK": ("BKK",),
    "ANKARA": ("ANK", "ANARA", "ANAKRA"),
    "ANTANANARIVO": ("TANA", "ANTAN", "ANTANANARI"),
    "BANDARSERIBEGAWAN": ("BSB", "BANDAR", "BANDARSERI"),
    "TEGUCIGALPA": ("TGG", "TEGUC", "TEGUZ"),
    "DARESSALAAM": ("DAR",),
    "DAMASCUS": ("DAM",),
    "JAKARTA": ("JAK",),
    "MUMBAI": ("MUMB",),
    "MONTEVIDEO": ("MVD",),
    "ASUNCION": ("ASUN",),
    "CALCUTTA": ("CAL", "CALCUTT"),
    "BASRAH": ("BASRA",),
    "QUEBEC": ("QUEBECCITY",),
    "MADRID": ("MADRIDSP",),
    "BRUSSELS": ("BRUSSELSBE",),
    # typos
    "ABIDJAN": ("ABDIDJAN", "ABIDJDAN"),
    "ABUJA": ("AUBJA",),
    "ASHGABAT": ("ASHGABT",),
    "ATHENS": ("ATENS",),
    "BEIJING": ("BEIJIG", "BEIJINJG", "BEIJINGCH"),
    "BISHKEK": ("BISHTEK",),
    "COTONOU": ("COTON0U",),
    "DUSSELDORF": ("DUESSELDORF",),
    "FREETOWN": ("FREEETOWN",),
    "HALIFAX": ("HALIF",),
    "JERUSALEM": ("JERSUALEM", "JERUSALM"),
    "KATHMANDU": ("KATHAMNDU", "KATHMANUD"),
    "KHARTOUM": ("KHARTOM", "KHARTOUNM"),
    "KINGSTON": ("KINSTON",),
    "KINSHASA": ("KINSHSA",),
    "LJUBLJANA": ("LJBULJANA", "LJUBJLANA"),
    "MANAGUA": ("MANAUGA", "MANAUGUA"),
    "NAIROBI": ("NARIOBI",),
    "OTTAWA": ("0TTAWA", "TTAWA"),
    "PANAMA": ("PANAM", "PANANA"),
    "PHNOMPENH": ("PHNOMPEHN", "PHNOMPEN"),
    "RANGOON": ("RANGON",),
    "SANJOSE": ("SANJSE",),
    "SANTIAGO": ("SANTIAG",),
    "SURABAYA": ("SURBAYA",),
    "TALLINN": ("TALLIN",),
    "TBILISI": ("TBLISI",),
    "TRIPOLI": ("TRIPOLII",),
    "WELLINGTON": ("WELLINGOTN", "WELLLINGTON"),
}

# variant -> canonical station. Keys are stored after the 0->O step as well, so that
# "0TTAWA" and "COTON0U" (which become "OTTAWA"/"COTONOU" in step 7) stay resolvable.
ALIASES: dict[str, str] = {}
for _canonical, _variants in _ALIAS_GROUPS.items():
    for _variant in _variants:
        ALIASES[_variant] = _canonical
        ALIASES[_variant.replace("0", "O")] = _canonical

# Stations that appear only in references, and aliased forms that are never canonical.
REFERENCE_ONLY_STATIONS = frozenset({"SECDEF", "USDOC", "USDAFAS", "USCBP", "USDOJ"})
NON_CANONICAL_STATIONS = frozenset({"TAIPEI", "PARISFR", "WASHDC"})

_NON_LETTER_RE = re.compile(r"[^A-Z0-9]")


_PREFIX_TUPLE = tuple(STATION_PREFIXES)


def strip_station_prefixes(station: str) -> str:
    """3.1 step 6: drop EFTO, AMEMBASSY, ... from the front, repeatedly (never to nothing)."""
    if not station.startswith(_PREFIX_TUPLE):  # the usual case: nothing to strip
        return station
    changed = True
    while changed:
        changed = False
        for prefix in STATION_PREFIXES:
            if station.startswith(prefix) and len(station) > len(prefix):
                station = station[len(prefix) :]
                changed = True
    return station


def normalize_station(raw: str) -> str:
    """Station words as written -> canonical station (3.1 steps 1, 6, 7).

    Upper-cases, drops everything but letters and digits, strips office prefixes, reads a
    digit 0 as the letter O and applies the alias table: ``"Sao Paulo"`` -> ``SAOPAULO``,
    ``"SECSTATE"`` -> ``STATE``, ``"EMBASSY VIENNA"`` -> ``VIENNA``.
    """
    station = _NON_LETTER_RE.sub("", raw.upper())
    station = strip_station_prefixes(station)
    station = station.replace("0", "O")
    return ALIASES.get(station, station)


@lru_cache(maxsize=1)
def _known_stations() -> frozenset[str]:
    path = DATA_DIR / "stations.txt"
    stations = {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    stations |= set(_ALIAS_GROUPS)
    stations |= REFERENCE_ONLY_STATIONS
    return frozenset(stations - NON_CANONICAL_STATIONS)


KNOWN_STATIONS: frozenset[str] = _known_stations()


def is_known_station(station: str) -> bool:
    return station in KNOWN_STATIONS


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        best = i
        for j, cb in enumerate(b, 1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            current.append(value)
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous = current
    return previous[-1]


def nearest_stations(station: str, max_distance: int = 2) -> list[str]:
    """Known stations within ``max_distance`` edits of ``station``, nearest first, then by name."""
    scored = []
    for known in KNOWN_STATIONS:
        distance = edit_distance(station, known, max_distance)
        if distance <= max_distance:
            scored.append((distance, known))
    return [known for _, known in sorted(scored)]


def year_of(canonical_id: str) -> str:
    """The two-digit year of an id (``06PARIS6189`` -> ``06``)."""
    return canonical_id[:2]


def full_year(two_digits: str | int) -> int:
    """00-10 -> 20YY, 11-99 -> 19YY (Cablegate runs 1966-2010)."""
    value = int(two_digits)
    return 2000 + value if value <= 10 else 1900 + value


# --- canonical ids (3.1 steps 1-9) -------------------------------------------------------------

REPAIR_TABLE: dict[str, str] = {
    "092OF5": "09STATE126780",
    "06ASTANA": "06ASTANA204",
    "10AQNA272": "10ASTANA272",
    "08SECTION01GF02BISHIEK21": "08BISHKEK1021",
    "09SECTION01OF03BRUSSELS1234": "09USEUBRUSSELS1234",
    "09BRUSELS1292": "09USEUBRUSSELS1292",
    "0901OF02RPODUBAI288": "09DUBAI288",
}

_DOUBLED_YEAR_RE = re.compile(r"^(\d\d)(?:\1)+(?=[A-Z])")
_DAMAGED_SECTION_RE = re.compile(r"^(\d\d)[A-Z]{0,8}[0-9Q]{1,2}(?:OF|GF|QF|F|O)[0-9Q]{1,2}(?=[A-Z])")
_SUFFIX_RE = re.compile(r"(?:ZFR|ZDK|TOSEC)\d+$")
_DUPLICATE_RE = re.compile(r"\d+SUSPECTEDDUPLICATE(\d+)$")
_SPLIT_RE = re.compile(r"^(?P<year>\d\d)(?P<station>[A-Z0-9]*?[A-Z][A-Z0-9]*?)(?P<serial>\d+)$")
_PLAIN_RE = re.compile(r"^(\d\d)([A-Z]+)(\d+)$")


def _repair_station(year: str, station: str, serial: str, known_ids: Collection[str] | None) -> str | None:
    """3.1 step 8: the one best known station for an unknown one, or None (no candidate or a tie)."""
    candidates: dict[str, int] = {}
    for known in nearest_stations(station, 2):
        candidates[known] = edit_distance(station, known, 2)
    if len(station) >= 4:
        for known in KNOWN_STATIONS:
            if station in known and known not in candidates:
                candidates[known] = edit_distance(station, known, len(known))
    if not candidates:
        return None

    def key(known: str) -> tuple[int, int]:
        canonical = ALIASES.get(known, known)
        exists = known_ids is not None and f"{year}{canonical}{serial}" in known_ids
        return (0 if exists else 1, candidates[known])

    ranked = sorted(candidates, key=key)
    if len(ranked) > 1 and key(ranked[0]) == key(ranked[1]):
        return None
    best = ranked[0]
    return ALIASES.get(best, best)


def _canonical_once(identifier: str, known_ids: Collection[str] | None, notes: list[str]) -> str:
    text = _NON_LETTER_RE.sub("", identifier.upper())  # step 1
    text = _DOUBLED_YEAR_RE.sub(r"\1", text)  # step 2
    text = _DAMAGED_SECTION_RE.sub(r"\1", text)  # step 3
    duplicate = _DUPLICATE_RE.search(text)  # step 4
    if duplicate:
        text = text[: duplicate.start()] + duplicate.group(1)
    text = _SUFFIX_RE.sub("", text)
    match = _SPLIT_RE.match(text)  # step 5
    if not match:
        return text
    year, station, serial = match.group("year"), match.group("station"), match.group("serial")
    serial = serial.lstrip("0") or "0"
    station = strip_station_prefixes(station).replace("0", "O")  # steps 6-7
    station = ALIASES.get(station, station)
    if station not in KNOWN_STATIONS:  # step 8
        repaired = _repair_station(year, station, serial, known_ids)
        if repaired is None:
            notes.append(f"id-unrepaired: {identifier} (unknown station {station})")
        else:
            station = repaired
    return f"{year}{station}{serial}"


def canonicalize_id(
    identifier: str, known_ids: Collection[str] | None = None, *, warnings: list[str] | None = None
) -> str:
    """The repaired, alias-normalised id (3.1 steps 1-9): ``06SECSTATE123`` -> ``06STATE123``.

    ``known_ids`` (the published ids) lets the station repair prefer an existing id. Warns
    ``id-repaired`` when more than the alias step changed the id, ``id-unrepaired`` when an
    unknown station could not be repaired.
    """
    original = identifier.strip()
    if known_ids is None:  # a pure function of the id then: remembered (cited ids recur)
        result, notes_out = _canonicalize_plain(original)
        if warnings is not None:
            warnings.extend(notes_out)
        return result
    return _canonicalize(original, known_ids, warnings)


@lru_cache(maxsize=16384)
def _canonicalize_plain(original: str) -> tuple[str, tuple[str, ...]]:
    """(canonical id, warnings) of ``canonicalize_id`` without known ids."""
    warnings: list[str] = []
    return _canonicalize(original, None, warnings), tuple(warnings)


# an id no step changes: YY, a known station as it is written, a serial without leading zero
_CANONICAL_SHAPE_RE = re.compile(r"\d\d(?P<station>[A-Z]+)[1-9]\d*")
_STRIPPED_SUFFIXES = ("ZFR", "ZDK", "TOSEC")


def _is_canonical(identifier: str) -> bool:
    """Whether steps 1-9 leave ``identifier`` as it is, without warnings (the usual case).

    Such an id is upper case letters and digits (step 1), has no doubled year, section damage,
    duplicate or suffix (steps 2-4), splits into YY, its letters and its digits (step 5), and
    its station is known, has no office prefix, no digit 0 and no alias (steps 6-8).
    """
    match = _CANONICAL_SHAPE_RE.fullmatch(identifier)
    if match is None:
        return False
    station = match.group("station")
    return (
        station in KNOWN_STATIONS
        and station not in ALIASES
        and not station.startswith(_PREFIX_TUPLE)
        and not station.endswith(_STRIPPED_SUFFIXES)
        and "SUSPECTEDDUPLICATE" not in station
        and identifier not in REPAIR_TABLE
        and _DAMAGED_SECTION_RE.match(identifier) is None
    )


def _canonicalize(original: str, known_ids: Collection[str] | None, warnings: list[str] | None) -> str:
    if _is_canonical(original):
        return original
    notes: list[str] = []
    if original.upper() in REPAIR_TABLE:  # step 9 (ids no rule can fix)
        result = REPAIR_TABLE[original.upper()]
    else:
        result = _canonical_once(original, known_ids, notes)
        for _ in range(4):  # reach a fixed point so that the function is idempotent
            again = _canonical_once(result, known_ids, [])
            if again == result:
                break
            result = again
    if warnings is not None:
        baseline = _NON_LETTER_RE.sub("", original.upper())
        plain = _PLAIN_RE.match(baseline)
        if plain:
            baseline = plain.group(1) + ALIASES.get(plain.group(2), plain.group(2)) + plain.group(3)
        if result != baseline and not notes:
            warnings.append(f"id-repaired: {original} -> {result}")
        warnings.extend(notes)
    return result
