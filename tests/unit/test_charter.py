"""charter.yaml is faithful to the source text, and the loader rejects every broken variant."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from dialogues.content.charter import (
    DOCUMENT_KEY,
    Charter,
    UnknownFamily,
    default_charter_path,
    load_charter,
)
from dialogues.core.errors import CharteError, ContentError, UnknownLever

REPO = Path(__file__).resolve().parents[2]
CHARTER_YAML = REPO / "charter.yaml"
SOURCE_NAME = "charte-du-faire-alliance.txt"
SOURCE_CANDIDATES = (
    REPO / "tests" / "data" / SOURCE_NAME,
    Path("/work/shared/sources") / SOURCE_NAME,
)

LEVER_IDS = (
    "respect-confiance", "odd-cadre-commun", "objectifs-partages", "complementarite",
    "decloisonnement", "territoires", "interet-general",
    "dialoguer", "partager", "experimenter", "capitaliser", "evaluer", "innover", "mutualiser",
    "donnees", "outils", "competences", "recherche", "valorisation", "gouvernance",
    "cadre-legislatif",
)  # fmt: skip

_SPACES = re.compile(r"\s+")
_FOOTNOTE = re.compile(r"\[\d+\]")
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"',
                       "–": "-", "—": "-", "\u00a0": " ", "\u202f": " "})  # fmt: skip


def norm(text: str) -> str:
    """Compare texts modulo typography: quotes, apostrophes, dashes, spaces, footnote marks."""
    text = unicodedata.normalize("NFC", text).translate(_FOLD)
    text = _FOOTNOTE.sub("", text).replace("''", "'")
    return _SPACES.sub(" ", text).replace('" ', '"').replace(' "', '"').strip()


def fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", norm(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@pytest.fixture(scope="module")
def source() -> str:
    for candidate in SOURCE_CANDIDATES:
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    pytest.fail(f"source text not found in any of {[str(c) for c in SOURCE_CANDIDATES]}")


@pytest.fixture(scope="module")
def source_bullets(source: str) -> list[str]:
    """The 21 bullets of the charter proper, in the source's order."""
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Les 7 principes d"))
    end = next(i for i, line in enumerate(lines) if line.startswith("Inscrite dans le temps"))
    bullets = [line.strip()[1:].strip() for line in lines[start:end] if "•" in line]
    assert len(bullets) == 21
    return bullets


@pytest.fixture(scope="module")
def charter() -> Charter:
    return load_charter(CHARTER_YAML)


# --- the real charter -------------------------------------------------------------------------


def test_real_charter_has_21_levers_in_source_order(charter: Charter) -> None:
    assert tuple(lever.id for lever in charter.levers) == LEVER_IDS
    assert [f.id for f in charter.families] == ["principes", "modalites", "moyens"]
    assert [len(f.levers) for f in charter.families] == [7, 7, 7]
    assert [f.rank for f in charter.families] == [1, 2, 3]
    assert [lever.number for lever in charter.levers] == list(range(1, 22))
    for family in charter.families:
        assert [lever.rank for lever in family.levers] == list(range(1, 8))
        assert {lever.family_id for lever in family.levers} == {family.id}
    assert charter.version == "2021-11-30"
    assert charter.title == "Charte du faire alliance"


def test_answer_kinds_and_singulars(charter: Charter) -> None:
    kinds = {f.id: (f.answer_kind, f.singular) for f in charter.families}
    assert kinds == {
        "principes": ("conditions", "Principe"),
        "modalites": ("conditions", "Modalité"),
        "moyens": ("contribution", "Moyen"),
    }


def test_each_lever_text_is_the_whole_source_bullet(
    charter: Charter, source_bullets: list[str]
) -> None:
    for lever, bullet in zip(charter.levers, source_bullets, strict=True):
        if lever.family_id == "principes":
            name, body = "", bullet
        else:
            name, _, body = bullet.partition(":")
            assert body, bullet
            # The name moves to `title`, whole: short forms are for buttons and charts only.
            # (« Evaluer » in the source takes its capital accent: « Évaluer ».)
            assert fold_accents(norm(lever.title)) == fold_accents(norm(name.strip())), lever.id
        body = body.strip()
        # Only the first letter may change case (the text stands alone once the name is gone).
        assert norm(lever.text) == norm(body[:1].upper() + body[1:]), lever.id


def test_family_questions_come_from_the_source(charter: Charter, source: str) -> None:
    source_lines = [norm(line).casefold() for line in source.splitlines()]
    for family, heading in zip(charter.families, ("principes", "modalités", "moyens"), strict=True):
        line = next(s for s in source_lines if s.startswith(f"les 7 {heading} d'action"))
        assert line.endswith(norm(family.question).casefold()), family.id


def test_usage_notes_are_verbatim(charter: Charter, source: str) -> None:
    assert [n.key for n in charter.usage] == ["pourquoi", "pour-quoi", "quand", "comment"]
    titles = [norm(n.title) for n in charter.usage]
    assert titles == ["Pourquoi ?", "Pour quoi ?", "Quand ?", "Comment ?"]
    source_lines = {norm(line) for line in source.splitlines()}
    for note in charter.usage:
        assert norm(f"{note.title} {note.text}") in source_lines, note.key


def test_intro_and_source_fields(charter: Charter) -> None:
    intro = norm(charter.intro)
    for phrase in ('"contrat de confiance"', "21 leviers", "ses propres conditions d'engagement"):
        assert phrase in intro
    assert 2 <= intro.count(". ") + 1 <= 4
    assert "30 novembre 2021" in charter.source


def test_typography_is_consistent(charter: Charter) -> None:
    """Typographic apostrophes and guillemets only, as in the source."""
    texts = [charter.title, charter.intro, charter.source]
    texts += [t for n in charter.usage for t in (n.title, n.text)]
    texts += [t for f in charter.families for t in (f.title, f.singular, f.question)]
    texts += [t for lever in charter.levers for t in (lever.title, lever.short, lever.text)]
    for text in texts:
        assert "'" not in text and '"' not in text, text
        assert "’’" not in text and "  " not in text, text


def test_labels_fit(charter: Charter) -> None:
    shorts = [lever.short for lever in charter.levers]
    assert len(set(shorts)) == 21
    assert all(len(s) <= 16 for s in shorts)
    assert all(len(lever.title) <= 80 for lever in charter.levers)


# --- lookups ----------------------------------------------------------------------------------


def test_lookups(charter: Charter) -> None:
    for lever in charter.levers:
        assert charter.lever(lever.id) is lever
        assert charter.index_of(lever.id) == lever.number - 1
        assert charter.levers[charter.index_of(lever.id)] is lever
        assert lever in charter.family(lever.family_id).levers
    assert charter.lever("gouvernance").title == "Animation et gouvernance"
    assert charter.lever("valorisation").title == (
        "Valorisation des contributions de chacun et de la valeur créée en commun")
    assert charter.lever("cadre-legislatif").title == (
        "Contribution à l’évolution du cadre législatif")
    assert charter.family("moyens").answer_kind == "contribution"


@pytest.mark.parametrize("lever_id", ["nope", "", "Dialoguer", "principes"])
def test_unknown_lever(charter: Charter, lever_id: str) -> None:
    with pytest.raises(UnknownLever):
        charter.lever(lever_id)
    with pytest.raises(UnknownLever):
        charter.index_of(lever_id)


def test_unknown_family(charter: Charter) -> None:
    with pytest.raises(UnknownFamily) as info:
        charter.family("dialoguer")
    assert isinstance(info.value, CharteError)


def test_charter_is_frozen(charter: Charter) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        charter.version = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        charter.levers[0].text = "other"  # type: ignore[misc]


def test_default_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CHARTE_CHARTER_PATH", raising=False)
    assert default_charter_path() == CHARTER_YAML
    other = tmp_path / "other.yaml"
    monkeypatch.setenv("CHARTE_CHARTER_PATH", str(other))
    assert default_charter_path() == other


# --- validation -------------------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def lever(data: dict[str, Any], family: int, rank: int) -> dict[str, Any]:
    return data["families"][family]["levers"][rank]


def _set(target: Callable[[dict[str, Any]], dict[str, Any]], name: str, value: Any) -> Mutation:
    return lambda data: target(data).__setitem__(name, value)


def _rename(target: Callable[[dict[str, Any]], dict[str, Any]], old: str, new: str) -> Mutation:
    return lambda data: target(data).__setitem__(new, target(data).pop(old))


def _del(target: Callable[[dict[str, Any]], Any], name: Any) -> Mutation:
    return lambda data: target(data).__delitem__(name)


def _add_lever(data: dict[str, Any]) -> None:
    extra = dict(lever(data, 1, 0), id="negocier", short="Négocier")
    data["families"][1]["levers"].append(extra)


ROOT: Callable[[dict[str, Any]], dict[str, Any]] = lambda d: d  # noqa: E731
FAM1: Callable[[dict[str, Any]], dict[str, Any]] = lambda d: d["families"][1]  # noqa: E731

BROKEN: dict[str, tuple[Mutation, str]] = {
    "duplicate lever id in family": (
        _set(lambda d: lever(d, 1, 3), "id", "dialoguer"), "families[1].levers[3].id"),
    "duplicate lever id across families": (
        _set(lambda d: lever(d, 2, 0), "id", "respect-confiance"), "families[2].levers[0].id"),
    "duplicate family id": (
        _set(lambda d: d["families"][2], "id", "principes"), "families[2].id"),
    "duplicate short": (
        _set(lambda d: lever(d, 0, 1), "short", "Confiance"), "families[0].levers[1].short"),
    "duplicate usage key": (
        _set(lambda d: d["usage"][3], "key", "pourquoi"), "usage[3].key"),
    "6 levers in a family": (_del(lambda d: FAM1(d)["levers"], 6), "families[1].levers"),
    "8 levers in a family": (_add_lever, "families[1].levers"),
    "2 families": (_del(lambda d: d["families"], 2), "families"),
    "levers not a list": (_set(FAM1, "levers", "dialoguer"), "families[1].levers"),
    "lever not a mapping": (
        _set(lambda d: FAM1(d)["levers"], 0, "dialoguer"), "families[1].levers[0]"),
    "missing text": (_del(lambda d: lever(d, 2, 3), "text"), "families[2].levers[3].text"),
    "empty text": (_set(lambda d: lever(d, 2, 3), "text", "  \n"), "families[2].levers[3].text"),
    "missing question": (_del(FAM1, "question"), "families[1].question"),
    "missing intro": (_del(ROOT, "intro"), "intro"),
    "unknown lever key": (
        _rename(lambda d: lever(d, 0, 4), "text", "txet"), "families[0].levers[4].txet"),
    "unknown top key": (_set(ROOT, "levers", []), "levers"),
    "bad id: underscore": (
        _set(lambda d: lever(d, 0, 0), "id", "respect_confiance"), "families[0].levers[0].id"),
    "bad id: capital": (
        _set(lambda d: lever(d, 0, 0), "id", "Respect"), "families[0].levers[0].id"),
    "bad id: double hyphen": (
        _set(lambda d: lever(d, 0, 0), "id", "respect--confiance"), "families[0].levers[0].id"),
    "bad family id": (_set(FAM1, "id", "modalités"), "families[1].id"),
    "bad answer_kind": (_set(FAM1, "answer_kind", "conditons"), "families[1].answer_kind"),
    "title not a string": (
        _set(lambda d: lever(d, 0, 2), "title", 42), "families[0].levers[2].title"),
    "version is a date": (_set(ROOT, "version", dt.date(2021, 11, 30)), "version"),
    "title too long": (
        _set(lambda d: lever(d, 0, 6), "title", "x" * 81), "families[0].levers[6].title"),
    "short too long": (
        _set(lambda d: lever(d, 2, 6), "short", "y" * 17), "families[2].levers[6].short"),
}  # fmt: skip


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "charter.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def valid_data() -> dict[str, Any]:
    return yaml.safe_load(CHARTER_YAML.read_text(encoding="utf-8"))


def test_round_tripped_charter_loads(tmp_path: Path, valid_data: dict[str, Any]) -> None:
    """The baseline for the broken variants below is itself valid."""
    assert load_charter(write(tmp_path, valid_data)) == load_charter(CHARTER_YAML)


def test_limits_are_inclusive(tmp_path: Path, valid_data: dict[str, Any]) -> None:
    data = copy.deepcopy(valid_data)
    lever(data, 0, 0).update(title="t" * 80, short="s" * 16)
    assert load_charter(write(tmp_path, data)).levers[0].short == "s" * 16


@pytest.mark.parametrize(("mutate", "key"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_charter_names_the_key(
    tmp_path: Path, valid_data: dict[str, Any], mutate: Mutation, key: str
) -> None:
    data = copy.deepcopy(valid_data)
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(ContentError) as info:
        load_charter(path)
    assert (info.value.file, info.value.key) == (str(path), key)
    assert str(path) in str(info.value) and info.value.problem


BROKEN_FILES: dict[str, str | None] = {
    "invalid YAML": "version: '2021-11-30'\nfamilies: [\n",
    "top level is a list": "- version\n- title\n",
    "empty file": "",
    "duplicate YAML key": CHARTER_YAML.read_text(encoding="utf-8").replace(
        '        short: "Confiance"\n', '        short: "Confiance"\n        short: "Respect"\n'
    ),
    "missing file": None,
}


@pytest.mark.parametrize("content", BROKEN_FILES.values(), ids=BROKEN_FILES.keys())
def test_broken_file_is_reported(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "charter.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_charter(path)
    assert (info.value.file, info.value.key) == (str(path), DOCUMENT_KEY)
