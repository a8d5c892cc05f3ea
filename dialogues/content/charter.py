"""The « Charte du faire alliance »: load charter.yaml once into frozen, validated objects."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, NoReturn

import yaml

from dialogues.core.errors import CharteError, ContentError, UnknownLever

ANSWER_KINDS: Final = ("conditions", "contribution")
FAMILY_COUNT: Final = 3
LEVERS_PER_FAMILY: Final = 7
TITLE_MAX: Final = 80
SHORT_MAX: Final = 16
ENV_PATH: Final = "CHARTE_CHARTER_PATH"
_ID_RE: Final = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Key used in ContentError when the problem concerns the whole file.
DOCUMENT_KEY: Final = "<document>"


class UnknownFamily(CharteError):
    """No family has that id."""


@dataclass(frozen=True, slots=True)
class Lever:
    id: str
    title: str
    short: str  # label for chart axes, <= 16 chars
    text: str
    family_id: str
    rank: int  # 1..7 within the family
    number: int  # 1..21 overall


@dataclass(frozen=True, slots=True)
class Family:
    id: str
    title: str
    singular: str  # « Principe », used in « Levier 3/21 · Principe 3/7 »
    question: str
    answer_kind: str  # one of ANSWER_KINDS
    rank: int  # 1..3
    levers: tuple[Lever, ...]


@dataclass(frozen=True, slots=True)
class UsageNote:
    key: str
    title: str
    text: str


@dataclass(frozen=True)
class Charter:
    version: str
    title: str
    source: str
    intro: str
    usage: tuple[UsageNote, ...]
    families: tuple[Family, ...]
    levers: tuple[Lever, ...] = field(init=False)
    _lever_index: dict[str, int] = field(init=False, repr=False, compare=False)
    _family_index: dict[str, Family] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        levers = tuple(lever for family in self.families for lever in family.levers)
        lever_index = {lever.id: i for i, lever in enumerate(levers)}
        family_index = {family.id: family for family in self.families}
        if len(lever_index) != len(levers) or len(family_index) != len(self.families):
            raise ValueError("lever and family ids must be unique")
        object.__setattr__(self, "levers", levers)
        object.__setattr__(self, "_lever_index", lever_index)
        object.__setattr__(self, "_family_index", family_index)

    def lever(self, lever_id: str) -> Lever:
        """The lever with that id; raises UnknownLever."""
        return self.levers[self.index_of(lever_id)]

    def index_of(self, lever_id: str) -> int:
        """0-based position of the lever in `levers` (= number - 1); raises UnknownLever."""
        try:
            return self._lever_index[lever_id]
        except KeyError:
            raise UnknownLever(lever_id) from None

    def family(self, family_id: str) -> Family:
        """The family with that id; raises UnknownFamily (a CharteError)."""
        try:
            return self._family_index[family_id]
        except KeyError:
            raise UnknownFamily(family_id) from None


def default_charter_path() -> Path:
    """$CHARTE_CHARTER_PATH if set, else charter.yaml at the repository root."""
    override = os.environ.get(ENV_PATH)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "charter.yaml"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key repeated in one mapping (a silent overwrite otherwise)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Reader:
    """Typed access to the parsed YAML; every failure names the file and a dotted key."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, problem: str) -> NoReturn:
        raise ContentError(self.file, key, problem)

    def mapping(self, value: Any, key: str, fields: tuple[str, ...]) -> dict[str, Any]:
        """Check `value` is a mapping with exactly `fields` as keys."""
        if not isinstance(value, dict):
            self.fail(key, f"expected a mapping, got {type(value).__name__}")
        for name in value:
            if name not in fields:
                self.fail(_join(key, str(name)), f"unknown key (allowed: {', '.join(fields)})")
        for name in fields:
            if name not in value:
                self.fail(_join(key, name), "missing")
        return value

    def string(self, data: dict[str, Any], key: str, name: str, max_len: int = 0) -> str:
        """A non-empty string field, stripped; at most `max_len` characters when given."""
        path = _join(key, name)
        value = data[name]
        if not isinstance(value, str):
            self.fail(path, f"expected a string (quote it), got {type(value).__name__}")
        value = value.strip()
        if not value:
            self.fail(path, "must not be empty")
        if max_len and len(value) > max_len:
            self.fail(path, f"{len(value)} characters, at most {max_len} allowed")
        return value

    def identifier(self, data: dict[str, Any], key: str, name: str = "id") -> str:
        value = self.string(data, key, name)
        if not _ID_RE.fullmatch(value):
            self.fail(_join(key, name), f"{value!r} is not lowercase-words-with-hyphens")
        return value

    def sequence(self, data: dict[str, Any], key: str, name: str, length: int = 0) -> list[Any]:
        """A non-empty list field, of exactly `length` items when given."""
        path = _join(key, name)
        value = data[name]
        if not isinstance(value, list):
            self.fail(path, f"expected a list, got {type(value).__name__}")
        if length and len(value) != length:
            self.fail(path, f"expected {length} items, got {len(value)}")
        if not value:
            self.fail(path, "must not be empty")
        return value

    def unique(self, seen: dict[str, str], value: str, key: str, what: str) -> None:
        """Record `value` at `key`; fail if it was already seen elsewhere."""
        if value in seen:
            self.fail(key, f"duplicate {what} {value!r} (already at {seen[value]})")
        seen[value] = key


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


_TOP_FIELDS: Final = ("version", "title", "source", "intro", "usage", "families")
_USAGE_FIELDS: Final = ("key", "title", "text")
_FAMILY_FIELDS: Final = ("id", "title", "singular", "question", "answer_kind", "levers")
_LEVER_FIELDS: Final = ("id", "title", "short", "text")


def load_charter(path: str | Path) -> Charter:
    """Read and validate a charter file; raises ContentError naming the file and key."""
    file = str(path)
    reader = _Reader(file)
    try:
        raw_text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reader.fail(DOCUMENT_KEY, f"cannot read file: {exc}")
    try:
        raw = yaml.load(raw_text, Loader=_StrictLoader)  # safe: a SafeLoader subclass
    except yaml.YAMLError as exc:
        reader.fail(DOCUMENT_KEY, f"invalid YAML: {exc}")
    if not isinstance(raw, dict):
        reader.fail(DOCUMENT_KEY, f"top level must be a mapping, got {type(raw).__name__}")
    top = reader.mapping(raw, "", _TOP_FIELDS)
    version, title, source, intro = (reader.string(top, "", name) for name in _TOP_FIELDS[:4])

    usage: list[UsageNote] = []
    usage_keys: dict[str, str] = {}
    for i, item in enumerate(reader.sequence(top, "", "usage")):
        key = f"usage[{i}]"
        data = reader.mapping(item, key, _USAGE_FIELDS)
        note_key = reader.identifier(data, key, "key")
        reader.unique(usage_keys, note_key, _join(key, "key"), "usage key")
        usage.append(
            UsageNote(note_key, reader.string(data, key, "title"), reader.string(data, key, "text"))
        )

    families: list[Family] = []
    family_ids: dict[str, str] = {}
    lever_ids: dict[str, str] = {}
    shorts: dict[str, str] = {}
    for f, item in enumerate(reader.sequence(top, "", "families", FAMILY_COUNT)):
        fkey = f"families[{f}]"
        fdata = reader.mapping(item, fkey, _FAMILY_FIELDS)
        family_id = reader.identifier(fdata, fkey)
        reader.unique(family_ids, family_id, _join(fkey, "id"), "family id")
        answer_kind = reader.string(fdata, fkey, "answer_kind")
        if answer_kind not in ANSWER_KINDS:
            reader.fail(
                _join(fkey, "answer_kind"),
                f"{answer_kind!r} is not one of {', '.join(ANSWER_KINDS)}",
            )
        levers: list[Lever] = []
        for r, lever_item in enumerate(reader.sequence(fdata, fkey, "levers", LEVERS_PER_FAMILY)):
            lkey = f"{fkey}.levers[{r}]"
            ldata = reader.mapping(lever_item, lkey, _LEVER_FIELDS)
            lever_id = reader.identifier(ldata, lkey)
            reader.unique(lever_ids, lever_id, _join(lkey, "id"), "lever id")
            short = reader.string(ldata, lkey, "short", SHORT_MAX)
            reader.unique(shorts, short, _join(lkey, "short"), "short label")
            levers.append(
                Lever(
                    id=lever_id,
                    title=reader.string(ldata, lkey, "title", TITLE_MAX),
                    short=short,
                    text=reader.string(ldata, lkey, "text"),
                    family_id=family_id,
                    rank=r + 1,
                    number=f * LEVERS_PER_FAMILY + r + 1,
                )
            )
        families.append(
            Family(
                id=family_id,
                title=reader.string(fdata, fkey, "title"),
                singular=reader.string(fdata, fkey, "singular"),
                question=reader.string(fdata, fkey, "question"),
                answer_kind=answer_kind,
                rank=f + 1,
                levers=tuple(levers),
            )
        )

    return Charter(
        version=version,
        title=title,
        source=source,
        intro=intro,
        usage=tuple(usage),
        families=tuple(families),
    )
