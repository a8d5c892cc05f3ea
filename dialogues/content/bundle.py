"""Every content file, loaded and cross-checked once at boot: the charter, the French script,
the synonyms of typed answers. A problem stops the bot naming the file and the key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dialogues.content.charter import Charter, default_charter_path, load_charter
from dialogues.content.reading import Interpreter, load_synonyms
from dialogues.content.script import DEFAULT_SCRIPT, Script, load_script
from dialogues.core.errors import ContentError


@dataclass(frozen=True)
class Content:
    charter: Charter
    script: Script
    interpreter: Interpreter


def load_content(charter_path: Path | None = None, script_path: Path | None = None) -> Content:
    """Load and cross-check every content file; fails at boot naming the file and key."""
    charter = load_charter(charter_path or default_charter_path())
    script = load_script(script_path or DEFAULT_SCRIPT)
    check_script_against_charter(script, charter)
    names = {lever.id: (lever.id, lever.title, lever.short) for lever in charter.levers}
    return Content(charter, script, Interpreter(load_synonyms(), names))


def check_script_against_charter(script: Script, charter: Charter) -> None:
    for family in charter.families:
        if family.answer_kind not in script.sequences:
            raise ContentError(script.path, f"sequences.{family.answer_kind}",
                               f"missing: charter family {family.id!r} needs it")
