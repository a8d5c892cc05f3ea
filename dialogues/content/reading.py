"""Understand what people type instead of pressing a button: a level, a navigation word, yes/no,
a lever name. Never guess: whatever is ambiguous is read as free text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, NamedTuple, NoReturn

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from dialogues.core.errors import ContentError
from dialogues.core.normalize import normalize

__all__ = [
    "DEFAULT_PATH",
    "NAV_NAMES",
    "Entry",
    "Interpreter",
    "Reading",
    "Synonyms",
    "Tuning",
    "load_synonyms",
    "normalize",
]

Kind = Literal["level", "unknown", "keep", "nav", "text", "empty"]
Role = Literal["reading", "filler", "negation", "hedge", "ordinary"]
# scale_again: the scale question of a lever answered in an earlier phase (« pareil » keeps it).
Question = Literal["scale", "scale_again", "free_text", "confirmation"]

NAV_NAMES: Final = ("next", "skip", "back", "pause", "resume", "help", "summary", "cancel", "yes",
                    "no")
LEVELS: Final = (1, 2, 3, 4)
DEFAULT_PATH: Final = Path(__file__).with_name("synonyms.yaml")
DOCUMENT_KEY: Final = "<document>"

MAX_CHARS: Final = 300  # a longer message is a sentence: read as text without matching
MAX_TOKENS: Final = 40  # same, counted in words
MAX_WORDS: Final = 14  # more words than this is never a level, « je ne sais pas » or a nav word
MAX_MEANINGFUL_WORDS: Final = 6  # listed words or phrases other than fillers, at most
MAX_FUZZY_WORDS: Final = 8  # typos are corrected in messages of at most this many words
MAX_UNKNOWN_WORDS: Final = 3  # words listed nowhere that a level may stand beside
MAX_UNKNOWN_MESSAGE: Final = 10  # in a message of at most this many words
# Words that narrow a level down to part of the organisation's work: with words listed nowhere
# around them, the level is not the organisation's (« engagés sur certains projets »).
_RESTRICTORS: Final = frozenset({"mais", "surtout", "sauf", "seulement", "uniquement",
                                 "certains", "certaines", "quelques", "parfois", "partie",
                                 "plupart", "ils", "elles", "eux", "elle", "il", "sont",
                                 "autres", "partenaires"})
# « on était engagés »: a level in the past is not today's, unless another one follows now.
_PAST: Final = frozenset({"etait", "etions", "etaient", "avant", "auparavant", "ete"})
_DETERMINERS: Final = frozenset({"des", "une", "un", "le", "la", "les", "l", "du"})
# The scale's own words (normalised stems): « découvrir », « réflexion », « engagé », « ancré ».
_LABEL_STEMS: Final = ("decouv", "reflexion", "reflechi", "engag", "ancr", "encr")
NEGATION_REACH: Final = 3  # a negation turns around a reading at most this many segments on
MAX_FUZZY_WINDOW: Final = 3  # longest run of unknown words corrected as one phrase
MAX_LEVER_WORDS: Final = 6

_FREE_TEXT_NAVS: Final = frozenset(NAV_NAMES) - {"yes", "no"}
_CONFIRMATION_NAVS: Final = frozenset({"yes", "no", "cancel", "help"})
# Words that say the position changed over time: « passé de réflexion à engagé », « on était
# en réflexion, maintenant engagés » mean the level after them.
_FROM: Final = frozenset({"de", "d"})
_TO: Final = frozenset({"a"})
_NOW: Final = frozenset({"maintenant", "desormais", "aujourd hui", "dorenavant"})
_STILL: Final = "toujours"  # « toujours pas engagés » at mid-course: nothing changed
# Segment roles that make a message unsure whatever else it says.
_REFUSED: Final = frozenset({"negation", "ordinary", "number"})
_SECTIONS: Final = ("levels", "unknown", "nav", "fillers", "negations", "numbers", "levers")
_OPTIONAL_SECTIONS: Final = ("hedges", "ordinary_words", "lever_stopwords", "keep",
                             "confirmation", "help_cues")
_LEVER_ID: Final = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# « 3/4 », « 3 sur 4 » mean level 3 of the four-level scale.
_OUT_OF_FOUR: Final = re.compile(r"(?<![\d.,])([1-4])\s*(?:/|sur)\s*4(?![\d.,])", re.IGNORECASE)
# « depuis 3 ans »: a duration, not a level (« engagés depuis 2 ans » is Engagé).
_DURATION: Final = re.compile(
    r"\bdepuis\s+(?:plus\s+de\s+)?\d+\s*(?:ans?|années?|mois|semaines?|jours?)\b",
    re.IGNORECASE)
# « n°3 » would otherwise leave a lone « n » that reads as the negation « n' ».
_NUMERO: Final = re.compile(r"\bn\s*[°º]\s*", re.IGNORECASE)
# « engagéééé », « ouiii »: three or more repeated letters count as one.
_REPEATED_LETTERS: Final = re.compile(r"([a-z])\1{2,}")
_HAS_WORD: Final = re.compile(r"[^\W_]")
# Invisible parts of emoji (variation selectors, joiners, skin tones) and spaces.
_SYMBOL_NOISE: Final = re.compile(r"[\s\ufe0e\ufe0f\u200d\U0001f3fb-\U0001f3ff]+")
_REPEATED: Final = re.compile(r"(.)\1+", re.DOTALL)
_MAX_SYMBOL_CHARS: Final = 8


@dataclass(frozen=True, slots=True)
class Reading:
    """What a typed message means in the question being asked."""

    kind: Kind
    level: int | None = None  # 1..4 when kind == "level"
    nav: str | None = None  # one of NAV_NAMES when kind == "nav"


EMPTY: Final = Reading("empty")
TEXT: Final = Reading("text")
DONT_KNOW: Final = Reading("unknown")
KEEP: Final = Reading("keep")
CANCEL: Final = Reading("nav", nav="cancel")
HELP: Final = Reading("nav", nav="help")
YES: Final = Reading("nav", nav="yes")
NO: Final = Reading("nav", nav="no")
LEVEL_ONE: Final = Reading("level", level=1)


@dataclass(frozen=True, slots=True)
class Entry:
    """One normalised word or phrase of synonyms.yaml."""

    role: Role
    where: str  # the YAML key it comes from, e.g. "levels.3"
    reading: Reading | None = None  # when role == "reading"


@dataclass(frozen=True)
class Synonyms:
    """The word lists of synonyms.yaml, normalised and checked; build with load_synonyms()."""

    source: str
    lexicon: Mapping[str, Entry]  # normalised word or phrase -> entry
    symbols: Mapping[str, Entry]  # « ? », « 👍 »: entries without letters, whole message only
    levers: Mapping[str, tuple[str, ...]]  # lever id -> normalised aliases
    lever_stopwords: frozenset[str]
    # At a yes/no question only: whole messages that mean yes or no there (« pas du tout »).
    confirmation: Mapping[str, Reading] = field(default_factory=dict)
    # At the scale question: words that make a question (« ? ») a request for help.
    help_cues: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Tuning:
    """How far a typo may be from a listed word; chosen with bench/interpreter_accuracy --sweep.

    Distances are rapidfuzz OSA edits: insert, delete, substitute or swap two neighbours.
    """

    word_edits: int = 1  # per corrected word
    phrase_edits: int = 1  # per corrected phrase of several words
    margin: int = 1  # another reading at most this many edits further away: ambiguous
    same_first_letter: bool = True  # a corrected word keeps its first letter
    min_chars: int = 5  # shorter words are never corrected (« près » is not « préc »)


DEFAULT_TUNING: Final = Tuning()
_NO_LEVERS: Final[Mapping[str, Sequence[str]]] = MappingProxyType({})


# --- loading ---------------------------------------------------------------------------------


def load_synonyms(path: str | Path | None = None) -> Synonyms:
    """Load and check synonyms.yaml; ContentError(file, key, problem) on any problem."""
    file = Path(path) if path is not None else DEFAULT_PATH
    name = str(file)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(name, DOCUMENT_KEY, f"cannot read the file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ContentError(name, DOCUMENT_KEY, f"invalid YAML: {exc}") from exc
    return _Loader(name).load(data)


class _Loader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.lexicon: dict[str, Entry] = {}
        self.symbols: dict[str, Entry] = {}

    def fail(self, key: str, problem: str) -> NoReturn:
        raise ContentError(self.file, key, problem)

    def load(self, data: Any) -> Synonyms:
        if not isinstance(data, dict):
            self.fail(DOCUMENT_KEY, "expected a mapping of sections")
        for key in data:
            if key not in _SECTIONS + _OPTIONAL_SECTIONS:
                self.fail(str(key), "unknown section")
        for key in _SECTIONS:
            if key not in data:
                self.fail(key, "missing section")
        for level, words in self.numbered(data["levels"], "levels").items():
            self.add_all(words, f"levels.{level}", "reading", Reading("level", level=level))
        self.add_all(self.words(data["unknown"], "unknown"), "unknown", "reading", DONT_KNOW)
        if "keep" in data:
            self.add_all(self.words(data["keep"], "keep"), "keep", "reading", KEEP)
        nav = self.mapping(data["nav"], "nav")
        for name in nav:
            if name not in NAV_NAMES:
                self.fail(f"nav.{name}", f"unknown navigation name; expected one of {NAV_NAMES}")
        for name in NAV_NAMES:
            if name not in nav:
                self.fail(f"nav.{name}", "missing navigation name")
            words = self.words(nav[name], f"nav.{name}")
            self.add_all(words, f"nav.{name}", "reading", Reading("nav", nav=name))
        self.add_all(self.words(data["fillers"], "fillers"), "fillers", "filler", None)
        self.add_all(self.words(data["negations"], "negations"), "negations", "negation", None)
        if "hedges" in data:
            self.add_all(self.words(data["hedges"], "hedges"), "hedges", "hedge", None)
        if "ordinary_words" in data:
            ordinary = self.words(data["ordinary_words"], "ordinary_words")
            self.add_all(ordinary, "ordinary_words", "ordinary", None)
        for level, words in self.numbered(data["numbers"], "numbers").items():
            self.add_all(words, f"numbers.{level}", "reading", Reading("level", level=level))
        levers = self.levers(data["levers"])
        confirmation: dict[str, Reading] = {}
        if "confirmation" in data:
            answers = self.mapping(data["confirmation"], "confirmation")
            for name, reading in (("yes", YES), ("no", NO)):
                for word in self.words(answers.get(name), f"confirmation.{name}"):
                    confirmation[self.plain(word, f"confirmation.{name}")] = reading
        cues: frozenset[str] = frozenset()
        if "help_cues" in data:
            cues = frozenset(self.plain(w, "help_cues") for w in self.words(data["help_cues"],
                                                                            "help_cues"))
        stopwords: frozenset[str] = frozenset()
        if "lever_stopwords" in data:
            raw = self.words(data["lever_stopwords"], "lever_stopwords")
            stopwords = frozenset(self.plain(word, "lever_stopwords") for word in raw)
        return Synonyms(
            source=self.file,
            lexicon=MappingProxyType(self.lexicon),
            symbols=MappingProxyType(self.symbols),
            levers=MappingProxyType(levers),
            lever_stopwords=stopwords,
            confirmation=MappingProxyType(confirmation),
            help_cues=cues,
        )

    def mapping(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict) or not value:
            self.fail(key, "expected a non-empty mapping")
        for name in value:
            if not isinstance(name, str):
                hint = " (quote yes/no/on/off)" if isinstance(name, bool) else ""
                self.fail(f"{key}.{name}", f"expected a name, got {name!r}{hint}")
        return value

    def numbered(self, value: Any, key: str) -> dict[int, list[str]]:
        """A mapping with exactly the levels 1..4 as keys."""
        if not isinstance(value, dict):
            self.fail(key, "expected a mapping with the levels 1, 2, 3, 4")
        found: dict[int, list[str]] = {}
        for raw, words in value.items():
            number = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
            if isinstance(raw, str) and raw.strip().isdecimal():
                number = int(raw)
            if number not in LEVELS or number in found:
                self.fail(f"{key}.{raw}", "expected each of the levels 1, 2, 3, 4 once")
            found[number] = self.words(words, f"{key}.{number}")
        for level in LEVELS:
            if level not in found:
                self.fail(f"{key}.{level}", "missing level")
        return dict(sorted(found.items()))

    def words(self, value: Any, key: str) -> list[str]:
        if not isinstance(value, list):
            self.fail(key, "expected a list of words")
        if not value:
            self.fail(key, "empty list")
        for i, word in enumerate(value):
            if not isinstance(word, str) or not word.strip():
                self.fail(f"{key}[{i}]", f"expected a non-empty string, got {word!r}")
        return value

    def plain(self, word: str, key: str) -> str:
        """The normalised form of a word that must contain letters or digits."""
        normal = normalize(word)
        if not normal:
            self.fail(key, f"« {word} » has no letter or digit")
        return normal

    def add_all(
        self, words: Iterable[str], key: str, role: Role, reading: Reading | None
    ) -> None:
        for word in words:
            normal = normalize(word)
            if normal:
                self.add(self.lexicon, normal, word, Entry(role, key, reading))
            elif role == "reading":
                symbol = _symbol_key(word)
                if not symbol:
                    self.fail(key, f"« {word} » is neither a word nor a short symbol")
                self.add(self.symbols, symbol, word, Entry(role, key, reading))
            else:
                self.fail(key, f"« {word} » has no letter or digit")

    def add(self, table: dict[str, Entry], normal: str, word: str, entry: Entry) -> None:
        old = table.get(normal)
        if old is None:
            table[normal] = entry
        elif (old.role, old.reading) != (entry.role, entry.reading):
            self.fail(
                entry.where, f"« {word} » (read « {normal} ») is also listed under {old.where}"
            )

    def levers(self, value: Any) -> dict[str, tuple[str, ...]]:
        owners: dict[str, str] = {}
        levers: dict[str, tuple[str, ...]] = {}
        for lever_id, aliases in self.mapping(value, "levers").items():
            key = f"levers.{lever_id}"
            if not _LEVER_ID.match(lever_id):
                self.fail(key, "a lever id is lowercase letters, digits and dashes")
            normals = tuple(self.plain(alias, key) for alias in self.words(aliases, key))
            for alias, normal in zip(aliases, normals, strict=True):
                owner = owners.setdefault(normal, lever_id)
                if owner != lever_id:
                    self.fail(key, f"« {alias} » is also an alias of levers.{owner}")
            levers[lever_id] = normals
        return levers


def _symbol_key(text: str) -> str:
    """A message made only of symbols, without spaces and repeats (« ? ? ? » -> « ? »)."""
    key = _REPEATED.sub(r"\1", _SYMBOL_NOISE.sub("", text))
    return key if len(key) <= _MAX_SYMBOL_CHARS else ""


# --- reading ---------------------------------------------------------------------------------


class _Segment(NamedTuple):
    tokens: tuple[str, ...]
    role: str  # a Role, or "word" (listed nowhere), or "number" (a number other than 1..4)
    reading: Reading | None = None


class _Prepared(NamedTuple):
    tokens: tuple[str, ...]
    words: int  # words of the message as typed (before « 3 sur 4 » -> « 3 »)


class Interpreter:
    """Reads typed messages with the word lists of synonyms.yaml (pure, thread-safe)."""

    def __init__(
        self,
        synonyms: Synonyms,
        lever_names: Mapping[str, Sequence[str]] = _NO_LEVERS,
        *,
        tuning: Tuning = DEFAULT_TUNING,
    ) -> None:
        self.synonyms = synonyms
        self.tuning = tuning
        self._lexicon = dict(synonyms.lexicon)
        self._symbols = dict(synonyms.symbols)
        self._longest = max((len(key.split()) for key in self._lexicon), default=1)
        joined: dict[str, Entry | None] = {}
        buckets: dict[int, list[str]] = {}
        for key, entry in self._lexicon.items():
            if entry.role == "filler":
                continue
            buckets.setdefault(len(key.split()), []).append(key)
            glued = key.replace(" ", "")
            if entry.role == "reading" and glued != key and glued not in self._lexicon:
                seen = joined.setdefault(glued, entry)
                if seen is not None and seen.reading != entry.reading:
                    joined[glued] = None
        self._joined = {glued: entry for glued, entry in joined.items() if entry is not None}
        self._buckets = buckets
        self._number_words = frozenset(
            key for key, entry in self._lexicon.items() if entry.where.startswith("numbers."))
        self._build_levers(lever_names)

    # --- public API ---------------------------------------------------------------------------

    def read_scale(self, text: str) -> Reading:
        """At the scale question: level, unknown, nav (yes/no included), "text" or "empty"."""
        return self._read(text, "scale")

    def read_scale_again(self, text: str) -> Reading:
        """At the scale question of a lever answered in an earlier phase: as read_scale, and
        "keep" for « pareil », « idem », « inchangé », « oui »…"""
        return self._read(text, "scale_again")

    def read_free_text(self, text: str) -> Reading:
        """At a free-text question: "nav" only when the whole message is a nav word."""
        return self._read(text, "free_text")

    def read_confirmation(self, text: str) -> Reading:
        """At a yes/no question: "nav" with yes or no, else "text"."""
        return self._read(text, "confirmation")

    def find_lever(self, text: str) -> str | None:
        """The id of the lever a person named, or None when unsure."""
        stripped = text.strip()
        if not stripped or len(stripped) > MAX_CHARS:
            return None
        tokens = self._lever_tokens(stripped)
        if not tokens or len(tokens) > MAX_LEVER_WORDS:
            return None
        query = " ".join(tokens)
        ids = self._lever_full.get(query)
        if ids is not None:
            return _only(ids)
        owners = [self._lever_token.get(token) for token in tokens]
        if all(owner is not None for owner in owners):
            common = frozenset.intersection(*(owner for owner in owners if owner is not None))
            if common:
                return _only(common)
        return self._fuzzy_lever(query, single=len(tokens) == 1)

    # --- typed levels, nav words, yes/no ------------------------------------------------------

    def _read(self, text: str, context: Question) -> Reading:
        prepared = self._prepare(text)
        if isinstance(prepared, Reading):
            return _accept(prepared, context, symbol=True)
        tokens, words = prepared
        if context == "confirmation":
            found = self.synonyms.confirmation.get(" ".join(tokens))
            if found is not None:
                return found
        asks = "?" in text  # « engagé ? »: a question, not an answer
        reading = self._exact(tokens)
        if reading is not None and asks and reading.kind in ("level", "keep"):
            return TEXT
        if reading is None and len(tokens) <= MAX_TOKENS:
            segments = self._segment(tokens)
            reading = self._decide(segments, words, context, asks)
            if reading is None and words <= MAX_FUZZY_WORDS:
                reading = self._fuzzy(tokens, segments, words, context, asks)
        if reading is None and asks and context in ("scale", "scale_again") \
                and len(tokens) <= MAX_TOKENS and self._asks_for_help(tokens):
            return HELP  # « c'est quoi la différence entre engagé et ancré ? »
        return _accept(reading, context, symbol=False)

    def _asks_for_help(self, tokens: tuple[str, ...]) -> bool:
        cues = self.synonyms.help_cues
        joined = f" {' '.join(tokens)} "
        return any(f" {cue} " in joined for cue in cues)

    def _prepare(self, text: str) -> Reading | _Prepared:
        """Normalised words, or a Reading when there is nothing to match word by word."""
        stripped = text.strip()
        if not stripped:
            return EMPTY
        if len(stripped) > MAX_CHARS:
            return TEXT if _HAS_WORD.search(stripped) else EMPTY
        as_typed = normalize(stripped)
        if not as_typed:
            entry = self._symbols.get(_symbol_key(stripped))
            return entry.reading if entry is not None and entry.reading else EMPTY
        cleaned = _NUMERO.sub("numero ", _OUT_OF_FOUR.sub(r"\1", stripped))
        cleaned = _DURATION.sub(" depuis ", cleaned)
        tokens = tuple(_REPEATED_LETTERS.sub(r"\1", normalize(cleaned)).split())
        return _Prepared(tokens, len(as_typed.split()))

    def _exact(self, tokens: tuple[str, ...]) -> Reading | None:
        whole = " ".join(tokens)
        entry = self._lexicon.get(whole) or self._joined.get(whole.replace(" ", ""))
        return entry.reading if entry is not None and entry.role == "reading" else None

    def _segment(self, tokens: tuple[str, ...]) -> list[_Segment]:
        """Split into listed phrases, longest first, and other words."""
        segments: list[_Segment] = []
        i = 0
        while i < len(tokens):
            for size in range(min(self._longest, len(tokens) - i), 0, -1):
                entry = self._lexicon.get(" ".join(tokens[i : i + size]))
                if entry is not None:
                    segments.append(_Segment(tokens[i : i + size], entry.role, entry.reading))
                    i += size
                    break
            else:
                segments.append(_single(tokens[i]))
                i += 1
        return segments

    def _decide(self, segments: list[_Segment], words: int, context: Question,
                asks: bool = False) -> Reading | None:
        """The one reading of the segments, EMPTY for fillers only, or None when unsure.

        Every word must be listed (a reading, a filler, a negation or a hedge): an unknown
        word may change the meaning. A negation turns around the reading that follows it
        (« pas encore engagés, on réfléchit » is En réflexion); a position that moved (« passé
        de réflexion à engagé ») is the one it moved to.
        """
        roles = {segment.role for segment in segments}
        if roles <= {"filler"}:
            return EMPTY if context in ("scale", "scale_again") else None
        if context == "confirmation":
            return _yes_or_no(segments)
        unknown = [s for s in segments if s.role in ("word", "ordinary", "number")]
        if unknown:
            # A few words listed nowhere around one clear level (« on est engagés avec nos
            # voisins ») leave it standing; more, or a number, and the message is unsure.
            if (context not in ("scale", "scale_again") or len(unknown) > MAX_UNKNOWN_WORDS
                    or words > MAX_UNKNOWN_MESSAGE or any(s.role == "number" for s in unknown)):
                return None
            if any(t in _RESTRICTORS for s in segments for t in s.tokens):
                return None  # « engagés, surtout sur la formation », « … mais fragile »
            for i, segment in enumerate(segments[:-1]):
                after = segments[i + 1]
                if segment.role == "reading" and after.role == "filler" \
                        and after.tokens[0] in _DETERMINERS:
                    return None  # « on a engagé des discussions »: a verb, not a level
            known = [s for s in segments if s.role not in ("word", "ordinary")]
            found = self._decide(known, words, context, asks)
            if found is None or found.kind != "level":
                return None
            said = [s for s in known if s.reading == found]
            if not all(any(t.startswith(_LABEL_STEMS) for t in s.tokens) for s in said):
                # Among words listed nowhere, only the scale's own words state a level: a
                # digit may be a count (« 2 salariés »), « lancé » may be about something else.
                return None
            return found
        meaningful = sum(1 for s in segments if s.role != "filler")
        if words > MAX_WORDS or meaningful > MAX_MEANINGFUL_WORDS:
            return None
        kept, negated = _negations(segments)
        if kept is None:
            return None  # a negation that turns around nothing, or a double one: unsure
        readings = [s.reading for s in kept if s.reading is not None]
        distinct = set(readings)
        if YES in distinct and any(r.nav not in _CONFIRMATION_NAVS for r in distinct):
            distinct.discard(YES)  # « ok suivant », « oui engagé »
        if CANCEL in distinct and NO in distinct:
            distinct.discard(CANCEL)  # « non, annule »
        if NO in distinct and len(distinct) > 1 and distinct <= {NO, LEVEL_ONE, DONT_KNOW}:
            distinct.discard(NO)  # « non, pas encore », « non je sais pas »
        levels = {r for r in distinct if r.kind == "level"}
        if KEEP in distinct and len(levels) == 1:
            distinct.discard(KEEP)  # « pareil, toujours engagés »: the level says it
        if len(levels) == 1 and any(t in _PAST for s in kept for t in s.tokens):
            return None
        if len(levels) > 1:
            moved = _moved_to(kept)
            if moved is None:
                return None
            distinct = (distinct - levels) | {moved}
        if not distinct:
            # Only negated readings: « toujours pas engagés » at mid-course keeps the answer.
            if context == "scale_again" and any(t == _STILL for s in kept for t in s.tokens) \
                    and negated:
                return KEEP
            return None
        if len(distinct) != 1:
            return None
        reading = distinct.pop()
        if reading.kind in ("level", "keep") and ("hedge" in roles or asks):
            return None
        if reading.kind == "level" and negated and any(
                n.reading == reading for n in negated):
            return None  # « engagé, enfin pas vraiment engagé »
        if reading.kind != "level" and negated:
            return None
        return reading

    def _fuzzy(
        self, tokens: tuple[str, ...], segments: list[_Segment], words: int, context: Question,
        asks: bool = False,
    ) -> Reading | None:
        """Correct small typos: the whole message as one phrase, then runs of unknown words."""
        core = tuple(token for s in segments if s.role != "filler" for token in s.tokens)
        for candidate in dict.fromkeys((tokens, core)):
            if 0 < len(candidate) <= self._longest:
                entry = self._match_phrase(candidate)
                if entry is not None:
                    return entry.reading  # None for a negation or a hedge: unsure
        # Corrections cannot help when _decide would refuse the message anyway.
        if len(core) > MAX_MEANINGFUL_WORDS or any(s.role in ("ordinary", "number")
                                                   for s in segments):
            return None
        corrected = self._correct_words(segments)
        return None if corrected is None else self._decide(corrected, words, context, asks)

    def _correct_words(self, segments: list[_Segment]) -> list[_Segment] | None:
        """Segments with every unknown word corrected, or None as soon as one cannot be."""
        corrected: list[_Segment] = []
        run: list[str] = []
        for segment in [*segments, _Segment((), "end")]:
            if segment.role == "word":
                run.extend(segment.tokens)
                continue
            i = 0
            while i < len(run):
                for size in range(min(MAX_FUZZY_WINDOW, len(run) - i), 0, -1):
                    window = tuple(run[i : i + size])
                    entry = self._match_phrase(window)
                    if entry is not None:
                        corrected.append(_Segment(window, entry.role, entry.reading))
                        i += size
                        break
                else:
                    return None
            run = []
            if segment.role != "end":
                corrected.append(segment)
        return corrected

    def _match_phrase(self, tokens: tuple[str, ...]) -> Entry | None:
        """The listed phrase of the same length this one is a typo of, if exactly one fits."""
        if sum(len(token) for token in tokens) < self.tuning.min_chars:
            return None
        known = [token in self._lexicon or token.isdecimal() for token in tokens]
        choices = self._buckets.get(len(tokens))
        if all(known) or not choices:
            return None
        query = " ".join(tokens)
        found = [
            (edits, self._lexicon[key])
            for key, edits in self._typos(query, choices)
            # A word that is itself listed is never corrected into another one.
            if self._aligned(tokens, key.split(), known)
        ]
        return _closest(found, self._budget(query), self.tuning.margin)

    def _budget(self, query: str) -> int:
        t = self.tuning
        return t.word_edits if " " not in query else t.phrase_edits

    def _typos(self, query: str, choices: list[str]) -> list[tuple[str, int]]:
        """Choices within the edit budget (and the margin), closest first."""
        budget = self._budget(query) + self.tuning.margin
        return [
            (key, int(edits))
            for key, edits, _ in process.extract(
                query, choices, scorer=OSA.distance, processor=None,
                score_cutoff=budget, limit=None,
            )
        ]

    def _aligned(self, mine: Sequence[str], theirs: Sequence[str], known: Sequence[bool]) -> bool:
        """Each word equal, or (when not listed itself) one small typo away."""
        if len(mine) != len(theirs):
            return False
        t = self.tuning
        return all(
            a == b
            or (
                not is_known
                and (not t.same_first_letter or a[0] == b[0])
                and OSA.distance(a, b, score_cutoff=t.word_edits) <= t.word_edits
            )
            for a, b, is_known in zip(mine, theirs, known, strict=True)
        )

    # --- lever names --------------------------------------------------------------------------

    def _build_levers(self, lever_names: Mapping[str, Sequence[str]]) -> None:
        """Index every lever name: whole names, and single words of titles."""
        full: dict[str, set[str]] = {}
        by_word: dict[str, set[str]] = {}

        def add(name: str, lever_id: str, each_word: bool) -> None:
            tokens = self._lever_tokens(name)
            if tokens:
                full.setdefault(" ".join(tokens), set()).add(lever_id)
            if each_word or len(tokens) == 1:
                for token in tokens:
                    by_word.setdefault(token, set()).add(lever_id)

        for lever_id in list(lever_names) or list(self.synonyms.levers):
            given = lever_names.get(lever_id, ())
            for title in [lever_id, *((given,) if isinstance(given, str) else given)]:
                add(title, lever_id, each_word=True)  # « gouvernance » names its lever
            for alias in self.synonyms.levers.get(lever_id, ()):
                add(alias, lever_id, each_word=False)  # « droit » of « droit d'alliance » does not
        self._lever_full = {name: frozenset(owners) for name, owners in full.items()}
        self._lever_token = {word: frozenset(owners) for word, owners in by_word.items()}
        self._lever_choices = list(self._lever_full)
        self._lever_token_choices = list(self._lever_token)

    def _lever_tokens(self, text: str) -> tuple[str, ...]:
        stop = self.synonyms.lever_stopwords
        words = _REPEATED_LETTERS.sub(r"\1", normalize(text)).split()
        return tuple(_fold(word) for word in words if len(word) > 1 and word not in stop)

    def _fuzzy_lever(self, query: str, single: bool) -> str | None:
        if len(query.replace(" ", "")) < self.tuning.min_chars:
            return None
        tokens = query.split()
        known = [token in self._lexicon for token in tokens]  # « donner » is not « donnée »
        found: list[tuple[int, frozenset[str]]] = []
        sources = [(self._lever_choices, self._lever_full)]
        if single:
            sources.append((self._lever_token_choices, self._lever_token))
        for choices, owners in sources:
            for key, edits in self._typos(query, choices):
                if self._aligned(tokens, key.split(), known):
                    found.append((edits, owners[key]))
        best = min((edits for edits, _ in found), default=self._budget(query) + 1)
        if best > self._budget(query):
            return None
        close = frozenset().union(
            *(ids for edits, ids in found if edits <= best + self.tuning.margin)
        )
        return _only(close)


def _negations(segments: list[_Segment]) -> tuple[list[_Segment] | None, list[_Segment]]:
    """The segments whose reading stands, and the readings a negation turned around.

    A negation turns around the first reading within NEGATION_REACH segments after it
    (fillers aside); « ne … pas » is one negation. « pas encore » and « pas du tout » read as
    À découvrir alone, but before another level they turn it around (« pas encore engagés »);
    « pas du tout engagés » still means À découvrir. None when a negation turns around nothing.
    """
    kept: list[_Segment] = []
    negated: list[_Segment] = []
    reach: int | None = None
    for i, segment in enumerate(segments):
        if segment.role == "filler":
            kept.append(segment)
            continue
        if segment.reading == LEVEL_ONE and segment.tokens[0] == "pas":
            after = next((s for s in segments[i + 1:] if s.role != "filler"), None)
            if after is not None and after.reading is not None and after.reading.kind == "level":
                if segment.tokens[1:] == ("du", "tout") and after.reading.level == 3:
                    kept.append(segment)  # « pas du tout engagés »: À découvrir
                reach = NEGATION_REACH
                continue
        if segment.role == "negation":
            reach = NEGATION_REACH if reach is None else reach
            continue
        if reach is not None:
            if segment.role == "reading":
                negated.append(segment)
                reach = None
                continue
            reach -= 1
            if reach <= 0:
                return None, negated
        kept.append(segment)
    if reach is not None:
        return None, negated  # a negation at the end turns around nothing
    return kept, negated


def _yes_or_no(segments: list[_Segment]) -> Reading | None:
    """At a yes/no question: a message that starts with yes or no (and says nothing of the
    other) is that answer, whatever follows: « non, je me suis trompé », « oui c'est mieux »."""
    first = next((s for s in segments if s.role != "filler"), None)
    if first is None or first.reading not in (YES, NO, CANCEL):
        readings = {s.reading for s in segments if s.reading is not None}
        known = all(s.role in ("filler", "reading") for s in segments)
        return readings.pop() if known and len(readings) == 1 else None
    other = {YES: (NO, CANCEL), NO: (YES,), CANCEL: (YES,)}[first.reading]
    if any(s.reading in other for s in segments):
        return None  # « oui non je sais pas »
    if first.reading == YES and any(s.role == "negation" or "mais" in s.tokens
                                    for s in segments):
        return None  # « oui mais pas ça », « oui mais je veux changer le commentaire »
    return NO if first.reading == CANCEL and any(s.reading == NO for s in segments) \
        else first.reading


def _moved_to(segments: list[_Segment]) -> Reading | None:
    """Two levels, one of them where the position moved to: « passé de réflexion à engagé »,
    « on était en réflexion, maintenant on est engagés »."""
    at = [i for i, s in enumerate(segments) if s.reading is not None and s.reading.kind == "level"]
    if len(at) != 2:
        return None
    first, second = at
    before_first = segments[first - 1].tokens[-1] if first > 0 else ""
    before_second = segments[second - 1].tokens[-1] if second > 0 else ""
    if before_first in _FROM and before_second in _TO:
        return segments[second].reading
    between = {" ".join(s.tokens) for s in segments[first + 1:second]}
    if between & _NOW:
        return segments[second].reading
    return None


def _single(token: str) -> _Segment:
    """A word listed nowhere: a digit, a lone letter (« j' », « l' ») or an unknown word."""
    if token.isdecimal():
        number = int(token) if len(token) <= 3 else 0
        if number in LEVELS:
            return _Segment((token,), "reading", Reading("level", level=number))
        return _Segment((token,), "number")
    return _Segment((token,), "filler" if len(token) == 1 else "word")


def _accept(reading: Reading | None, context: Question, symbol: bool) -> Reading:
    """Keep only the readings that make sense for the question being asked."""
    if reading is None:
        return TEXT
    if context == "scale_again":
        if reading == YES:
            return KEEP  # « oui », « 👍 »: still the same
        return TEXT if reading == NO else reading
    if context == "scale":
        if reading in (YES, NO):
            return EMPTY  # « oui », « ok », « non » alone do not answer « où en êtes-vous ? »
        return EMPTY if reading == KEEP else reading
    wanted = _FREE_TEXT_NAVS if context == "free_text" else _CONFIRMATION_NAVS
    if reading.kind == "nav" and reading.nav in wanted:
        return reading
    if context == "free_text" and reading.kind != "text" and (symbol or reading.kind == "empty"):
        return EMPTY  # « ? », « 👍 » or nothing: no answer to keep
    if context == "confirmation" and reading.kind == "empty" and not symbol:
        return EMPTY  # fillers only (« euh », « bon »): no answer
    return TEXT


def _closest(found: list[tuple[int, Entry]], budget: int, margin: int) -> Entry | None:
    """The entry with the fewest edits, unless another reading is about as close."""
    if not found:
        return None
    best_edits, best = min(found, key=lambda item: item[0])
    if best_edits > budget:
        return None
    for edits, entry in found:
        same = (entry.role, entry.reading) == (best.role, best.reading)
        if edits <= best_edits + margin and not same:
            return None
    return best


def _only(ids: frozenset[str]) -> str | None:
    return next(iter(ids)) if len(ids) == 1 else None


def _fold(word: str) -> str:
    """Singular of a lever word: « outils » -> « outil » (both sides are folded alike)."""
    return word[:-1] if len(word) > 3 and word[-1] in "sx" and not word.isdecimal() else word
