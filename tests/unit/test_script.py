"""The dialogue script is checked once, at load: a bad file fails naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dialogues.content.bundle import check_script_against_charter, load_content
from dialogues.content.script import DEFAULT_SCRIPT, MESSAGES, load_script
from dialogues.core.errors import ContentError

REAL = yaml.safe_load(DEFAULT_SCRIPT.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "script.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def broken(**changes) -> dict:
    """A deep copy of the real script with some changes applied by a dotted key."""
    data = yaml.safe_load(DEFAULT_SCRIPT.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        keys = dotted.split("__")
        target = data
        for key in keys[:-1]:
            target = target[key]
        if value is DELETE:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
    return data


DELETE = object()


def test_the_real_script_loads_and_has_every_message():
    script = load_script()
    assert set(script.messages) == set(MESSAGES)
    assert script.levels == {1: "À découvrir", 2: "En réflexion", 3: "Engagé", 4: "Ancré"}
    assert [s.id for s in script.sequences["contribution"]] == ["position", "contribution",
                                                                 "expectation"]
    assert script.months["fevrier"] == 2 and script.months["aout"] == 8


@pytest.mark.parametrize("data, key", [
    (broken(messages__help=DELETE), "messages.help"),
    (broken(messages__help="  "), "messages.help"),
    (broken(messages__welcome_back="Bonjour {alliance} {secret}"), "messages.welcome_back"),
    (broken(messages__welcome_back="Bonjour {alliance"), "messages.welcome_back"),
    (broken(messages__surplus="en trop"), "messages.surplus"),
    (broken(sequences__conditions=["position", "nulle-part"]), "sequences.conditions[1]"),
    (broken(sequences__conditions=["conditions", "position"]), "sequences.conditions[0]"),
    (broken(sequences__conditions=[]), "sequences.conditions"),
    (broken(steps__conditions__ask__fin=DELETE), "steps.conditions.ask.fin"),
    (broken(steps__conditions__field="ailleurs"), "steps.conditions.field"),
    (broken(steps__orpheline={"kind": "text", "field": "comment", "hint": "y",
                              "label": {"lancement": "a", "mi-parcours": "b", "fin": "c"},
                              "ask": {"lancement": "a", "mi-parcours": "b", "fin": "c"}}),
     "steps.orpheline"),
    (broken(steps__conditions__label__fin=DELETE), "steps.conditions.label.fin"),
    (broken(scale__levels={1: "a", 2: "b", 3: "c"}), "scale.levels"),
    (broken(phases__fin__previous="après"), "phases.fin.previous"),
    (broken(buttons__skip=DELETE), "buttons.skip"),
    (broken(org_kinds__cooperative="Coopérative"), "org_kinds.cooperative"),
    (broken(months=[["janvier"]]), "months"),
    (broken(limits__text_max=0), "limits.text_max"),
])
def test_a_broken_script_fails_at_load_naming_the_key(tmp_path, data, key):
    path = write(tmp_path, data)
    with pytest.raises(ContentError) as caught:
        load_script(path)
    assert caught.value.file == str(path)
    assert caught.value.key == key


def test_a_missing_or_unreadable_file_fails_clearly(tmp_path):
    with pytest.raises(ContentError, match="file not found"):
        load_script(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("messages: [oops", encoding="utf-8")
    with pytest.raises(ContentError, match="invalid YAML"):
        load_script(bad)


def test_every_charter_family_needs_a_sequence(tmp_path):
    content = load_content()
    data = broken(sequences__contribution=DELETE,
                  steps__contribution=DELETE, steps__expectation=DELETE)
    script = load_script(write(tmp_path, data))
    with pytest.raises(ContentError) as caught:
        check_script_against_charter(script, content.charter)
    assert caught.value.key == "sequences.contribution"


def test_values_are_escaped_unless_marked_safe():
    script = load_script()
    text = script.say("welcome_back", alliance="<b>A</b> & B")
    assert "&lt;b&gt;A&lt;/b&gt; &amp; B" in text and "<b>A</b>" not in text
