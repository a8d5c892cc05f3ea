"""Typed text understanding: the labelled set, the never-guess rules, the loader, robustness."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.interpreter_accuracy import (
    Report,
    build_interpreter,
    evaluate,
    load_cases,
)
from dialogues.content.reading import (
    DEFAULT_PATH,
    MAX_WORDS,
    NAV_NAMES,
    Interpreter,
    Kind,
    Reading,
    Synonyms,
    load_synonyms,
)
from dialogues.core.errors import ContentError
from dialogues.core.normalize import normalize

NAMES, CASES = load_cases()
SYNONYMS = load_synonyms()
INTERPRETER = build_interpreter(NAMES, synonyms=SYNONYMS)
LEVER_IDS = frozenset(NAMES)


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate(INTERPRETER, CASES)


def _misses(report: Report) -> str:
    return "\n".join(
        f"[{o.case.context}] {o.case.text!r}: expected {o.case.expect}, got {o.got}"
        for o in report.misses
    )


def _level_words(level: int) -> list[str]:
    wanted = Reading("level", level=level)
    return sorted(key for key, entry in SYNONYMS.lexicon.items() if entry.reading == wanted)


LEVEL_WORDS = {level: _level_words(level) for level in (1, 2, 3, 4)}
ALL_LEVEL_WORDS = sorted(word for words in LEVEL_WORDS.values() for word in words)
FILLERS = sorted(key for key, entry in SYNONYMS.lexicon.items() if entry.role == "filler")


# --- the labelled set --------------------------------------------------------------------------


def test_labelled_set_is_large_and_covers_every_context_and_reading() -> None:
    assert len(CASES) >= 180
    expects = {case.expect for case in CASES}
    assert {"level:1", "level:2", "level:3", "level:4", "unknown", "text", "empty"} <= expects
    assert {f"nav:{name}" for name in NAV_NAMES} <= expects
    assert "keep" in expects
    assert {case.context for case in CASES} == {"scale", "scale_again", "free_text",
                                                "confirmation", "lever"}
    assert {f"lever:{lever_id}" for lever_id in LEVER_IDS} <= expects | {"lever:none"}


def test_accuracy_on_the_labelled_set_is_at_least_95_percent(report: Report) -> None:
    assert report.acceptable() >= 0.95, _misses(report)


def test_no_wrong_level_reading(report: Report) -> None:
    """Expected level X read as Y != X, or expected text/unknown/nav read as a level: never."""
    wrong = [(o.case.text, o.case.expect, o.got) for o in report.wrong_levels]
    assert wrong == []


def test_no_wrong_lever(report: Report) -> None:
    wrong = [(o.case.text, o.case.expect, o.got) for o in report.wrong_levers]
    assert wrong == []


def test_every_miss_is_a_safe_miss(report: Report) -> None:
    """When the interpreter is wrong, it says "text" (or "lever:none"): it does not guess."""
    unsafe = [o for o in report.misses if o.got not in ("text", "lever:none")]
    assert unsafe == [], _misses(report)



# --- never guess ---------------------------------------------------------------------------


def test_no_labelled_sentence_of_more_than_14_words_reads_as_a_level() -> None:
    long_ones = [case.text for case in CASES if len(normalize(case.text).split()) > MAX_WORDS]
    assert len(long_ones) >= 3, "the labelled set must contain long sentences"
    for text in long_ones:
        assert INTERPRETER.read_scale(text).kind != "level", text


@given(
    st.lists(
        st.sampled_from([*ALL_LEVEL_WORDS, *FILLERS, "3", "trois", "engagé", "ancré"]),
        min_size=15,
        max_size=30,
    )
)
@settings(max_examples=300, deadline=None)
def test_no_message_of_more_than_14_words_reads_as_a_level(words: list[str]) -> None:
    text = " ".join(words)
    if len(normalize(text).split()) > MAX_WORDS:
        assert INTERPRETER.read_scale(text).kind != "level"


@pytest.mark.parametrize(
    "text",
    [
        "pas engagé",
        "pas vraiment engagés",
        "on n'est pas engagés",
        "on n'est plus engagés",
        "jamais engagés",
        "pas ancré",
        "pas encré",
        "peu engagé",
        "non engagé",
        "désengagés",
        "on va s'engager",
        "nous voulons nous engager",
        "bientôt ancrés",
        "engagé ou ancré",
        "entre réflexion et engagé",
        "entre 2 et 3",
        "2 ou 3",
        "2-3",
        "3 ou 4",
        "trois ou quatre",
        "engagés ? pas sûr",
        "5",
        "0",
        "3,5",
        "3/5",
        "c'est compliqué",
        "entre nous",
        "débat",
        "Nous sommes engagés mais il faudrait plus de moyens humains",
    ],
)
def test_never_guess_a_level(text: str) -> None:
    assert INTERPRETER.read_scale(text).kind != "level"


@given(
    st.sampled_from(["pas", "pas vraiment", "jamais", "plus", "peu", "pas trop", "n'est pas"]),
    st.sampled_from(ALL_LEVEL_WORDS),
)
@settings(max_examples=300, deadline=None)
def test_a_negated_level_word_is_never_that_level(negation: str, word: str) -> None:
    reading = INTERPRETER.read_scale(f"{negation} {word}")
    listed = SYNONYMS.lexicon.get(normalize(f"{negation} {word}"))
    if listed is None:  # « pas encore » is listed on purpose: it means À découvrir
        assert reading.kind != "level"


# « pas encore », « pas du tout »… before another level turn it around (« pas encore engagés »).
POSITIVE_LEVEL_WORDS = [w for w in ALL_LEVEL_WORDS if not w.startswith(("pas ", "on n ", "n "))
                        and " pas " not in f" {w} " and " jamais " not in f" {w} "]


@given(st.sampled_from(POSITIVE_LEVEL_WORDS), st.sampled_from(POSITIVE_LEVEL_WORDS),
       st.sampled_from([" ou ", " et ", " ", ", ", " voire ", " / "]))
@settings(max_examples=300, deadline=None)
def test_two_different_levels_are_never_one_level(first: str, second: str, joint: str) -> None:
    a = SYNONYMS.lexicon[first].reading
    b = SYNONYMS.lexicon[second].reading
    if a != b:
        assert INTERPRETER.read_scale(f"{first}{joint}{second}").kind != "level"


def test_a_position_that_moved_is_the_one_it_moved_to() -> None:
    assert INTERPRETER.read_scale("passé de réflexion à engagé") == Reading("level", level=3)
    assert INTERPRETER.read_scale("on était en réflexion, maintenant on est engagés") \
        == Reading("level", level=3)
    assert INTERPRETER.read_scale("pas encore engagés, on réfléchit") == Reading("level",
                                                                                level=2)


def test_a_typo_is_corrected_only_into_one_close_word() -> None:
    assert INTERPRETER.read_scale("engae") == Reading("level", level=3)
    assert INTERPRETER.read_scale("anncré") == Reading("level", level=4)
    assert INTERPRETER.read_free_text("pasesr") == Reading("nav", nav="skip")
    # « pase » is one edit from both « passe » and « pause »: ambiguous, so text.
    assert INTERPRETER.read_scale("pase").kind == "text"
    # Real words one edit from a listed word are listed as ordinary words, never corrected.
    assert INTERPRETER.read_scale("entre").kind == "text"


# --- contexts ------------------------------------------------------------------------------


def test_free_text_is_nav_only_when_the_whole_message_is_a_nav_word() -> None:
    assert INTERPRETER.read_free_text("Passer !") == Reading("nav", nav="skip")
    assert INTERPRETER.read_free_text("passer par la mairie").kind == "text"
    assert INTERPRETER.read_free_text("oui").kind == "text"
    assert INTERPRETER.read_free_text("engagé").kind == "text"
    assert INTERPRETER.read_free_text("?").kind == "empty"


def test_confirmation_is_yes_no_or_text() -> None:
    assert INTERPRETER.read_confirmation("D'accord !") == Reading("nav", nav="yes")
    assert INTERPRETER.read_confirmation("👍🏽") == Reading("nav", nav="yes")
    assert INTERPRETER.read_confirmation("non merci") == Reading("nav", nav="no")
    assert INTERPRETER.read_confirmation("suivant").kind == "text"
    assert INTERPRETER.read_confirmation("").kind == "text"


def test_symbols_match_only_a_whole_message() -> None:
    assert INTERPRETER.read_scale("? ? ?") == Reading("unknown")
    assert INTERPRETER.read_scale("engagé ?").kind == "text"  # a question, not an answer
    assert INTERPRETER.read_scale("?!").kind == "empty"


def test_long_and_strange_inputs() -> None:
    sentence = "Nous sommes engagés. " * 250
    assert len(sentence) > 5000
    assert INTERPRETER.read_scale(sentence).kind == "text"
    assert INTERPRETER.read_free_text(sentence).kind == "text"
    assert INTERPRETER.read_scale("😀" * 3000).kind == "empty"
    assert INTERPRETER.read_scale("\x00engagé\x07") == Reading("level", level=3)
    assert INTERPRETER.read_scale("9" * 5000).kind == "text"
    assert INTERPRETER.find_lever(sentence) is None




# --- levers --------------------------------------------------------------------------------


def test_lever_ids_and_yaml_aliases_work_without_engine_names() -> None:
    bare = Interpreter(SYNONYMS)
    assert bare.find_lever("cadre-legislatif") == "cadre-legislatif"
    assert bare.find_lever("gouvernance") == "gouvernance"
    assert bare.find_lever("animation") == "gouvernance"


def test_only_the_levers_given_by_the_engine_are_found() -> None:
    some = Interpreter(SYNONYMS, {"dialoguer": ["dialoguer", "Dialoguer"]})
    assert some.find_lever("dialoger") == "dialoguer"
    assert some.find_lever("gouvernance") is None


def test_two_levers_with_the_same_name_are_never_guessed() -> None:
    twins = Interpreter(SYNONYMS, {"a-un": ["Cadre commun"], "a-deux": ["Cadre légal"]})
    assert twins.find_lever("cadre") is None
    assert twins.find_lever("cadre legal") == "a-deux"


# --- robustness ----------------------------------------------------------------------------

_STRANGE = st.one_of(
    st.text(),
    st.text(min_size=250, max_size=6000),
    st.text(alphabet=st.characters(max_codepoint=0x7F)),
    st.lists(
        st.sampled_from([*SYNONYMS.lexicon, *SYNONYMS.symbols, "\x00", "\u200d", "<b>", "3/4"]),
        max_size=12,
    ).map(" ".join),
)


def _assert_valid(reading: Reading) -> None:
    assert isinstance(reading, Reading)
    assert reading.kind in get_args(Kind)
    if reading.kind == "level":
        assert reading.level in (1, 2, 3, 4) and reading.nav is None
    elif reading.kind == "nav":
        assert reading.nav in NAV_NAMES and reading.level is None
    else:
        assert reading.level is None and reading.nav is None


@given(_STRANGE)
@settings(max_examples=400, deadline=None)
def test_never_raises_and_always_returns_a_valid_reading(text: str) -> None:
    _assert_valid(INTERPRETER.read_scale(text))
    free = INTERPRETER.read_free_text(text)
    _assert_valid(free)
    assert free.kind in ("nav", "text", "empty") and free.nav not in ("yes", "no")
    confirmation = INTERPRETER.read_confirmation(text)
    _assert_valid(confirmation)
    assert confirmation.kind in ("nav", "text", "empty")
    assert confirmation.nav in (None, "yes", "no", "cancel", "help")
    again = INTERPRETER.read_scale_again(text)
    _assert_valid(again)
    assert again.nav not in ("yes", "no")  # « oui » keeps the earlier answer there
    lever = INTERPRETER.find_lever(text)
    assert lever is None or lever in LEVER_IDS


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_normalize_is_idempotent_lowercase_and_single_spaced(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip() and "  " not in once
    assert all(c.isalnum() or c == " " for c in once)


def test_normalize_folds_case_accents_and_punctuation() -> None:
    assert normalize("  Engagé(e)s !  ") == "engage e s"
    assert normalize("L’ODD—17") == "l odd 17"
    assert normalize("À\tdécouvrir\n\x00") == "a decouvrir"
    assert normalize("Œuvre") == "oeuvre"


# --- the loader ----------------------------------------------------------------------------


def _source() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "synonyms.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _load_error(path: Path) -> ContentError:
    with pytest.raises(ContentError) as caught:
        load_synonyms(path)
    assert caught.value.file == str(path)
    return caught.value


def test_the_shipped_file_loads(tmp_path: Path) -> None:
    synonyms = load_synonyms()
    assert isinstance(synonyms, Synonyms)
    assert all(LEVEL_WORDS[level] for level in (1, 2, 3, 4))
    # A round trip through safe_dump loads the same lexicon (the copies below are valid).
    assert load_synonyms(_write(tmp_path, _source())).lexicon == synonyms.lexicon


def test_the_same_word_under_two_levels_fails(tmp_path: Path) -> None:
    data = _source()
    data["levels"][4].append("ENGAGÉ")
    error = _load_error(_write(tmp_path, data))
    assert error.key == "levels.4" and "levels.3" in error.problem


def test_a_filler_that_is_also_a_level_word_fails(tmp_path: Path) -> None:
    data = _source()
    data["fillers"].append("ancré")
    assert _load_error(_write(tmp_path, data)).key == "fillers"


def test_an_unknown_nav_name_fails(tmp_path: Path) -> None:
    data = _source()
    data["nav"]["jump"] = ["sauter au levier"]
    assert _load_error(_write(tmp_path, data)).key == "nav.jump"


def test_a_missing_nav_name_fails(tmp_path: Path) -> None:
    data = _source()
    del data["nav"]["help"]
    assert _load_error(_write(tmp_path, data)).key == "nav.help"


def test_an_unquoted_yes_key_fails(tmp_path: Path) -> None:
    data = _source()
    data["nav"][True] = data["nav"].pop("yes")
    error = _load_error(_write(tmp_path, data))
    assert error.key == "nav.True" and "quote" in error.problem


@pytest.mark.parametrize("level", [1, 3, 4])
def test_a_missing_level_fails(tmp_path: Path, level: int) -> None:
    data = _source()
    del data["levels"][level]
    assert _load_error(_write(tmp_path, data)).key == f"levels.{level}"


def test_a_fifth_level_fails(tmp_path: Path) -> None:
    data = _source()
    data["levels"][5] = ["parfait"]
    assert _load_error(_write(tmp_path, data)).key == "levels.5"


@pytest.mark.parametrize(
    ("section", "value"),
    [("unknown", "je ne sais pas"), ("fillers", {"a": "b"}), ("negations", []), ("hedges", None)],
)
def test_a_section_that_is_not_a_list_fails(tmp_path: Path, section: str, value: Any) -> None:
    data = _source()
    data[section] = value
    assert _load_error(_write(tmp_path, data)).key == section


def test_a_level_that_is_not_a_list_fails(tmp_path: Path) -> None:
    data = _source()
    data["levels"][2] = "en réflexion"
    assert _load_error(_write(tmp_path, data)).key == "levels.2"


def test_an_entry_that_is_not_a_string_fails(tmp_path: Path) -> None:
    data = _source()
    data["levels"][1].append(3)
    error = _load_error(_write(tmp_path, data))
    assert error.key == f"levels.1[{len(data['levels'][1]) - 1}]"


def test_a_filler_without_letters_fails(tmp_path: Path) -> None:
    data = _source()
    data["fillers"].append("...")
    assert _load_error(_write(tmp_path, data)).key == "fillers"


def test_an_alias_of_two_levers_fails(tmp_path: Path) -> None:
    data = _source()
    data["levers"]["outils"].append("Data")
    error = _load_error(_write(tmp_path, data))
    assert error.key == "levers.outils" and "donnees" in error.problem


def test_a_bad_lever_id_fails(tmp_path: Path) -> None:
    data = _source()
    data["levers"]["Cadre Légal"] = ["loi"]
    assert _load_error(_write(tmp_path, data)).key == "levers.Cadre Légal"


def test_missing_and_unknown_sections_fail(tmp_path: Path) -> None:
    data = _source()
    del data["negations"]
    assert _load_error(_write(tmp_path, data)).key == "negations"
    data = _source()
    data["colours"] = ["bleu"]
    assert _load_error(_write(tmp_path, data)).key == "colours"


@pytest.mark.parametrize("content", ["levels: [", "- just\n- a list\n", ""])
def test_a_file_that_is_not_a_mapping_fails(tmp_path: Path, content: str) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text(content, encoding="utf-8")
    assert _load_error(path).key == "<document>"


def test_a_missing_file_fails(tmp_path: Path) -> None:
    assert _load_error(tmp_path / "absent.yaml").key == "<document>"
