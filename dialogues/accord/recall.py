"""Between phases: what the alliance retained earlier, recalled on a lever's card (walks,
séances) and in the evolution section of /synthese (« Retenu au lancement : … »)."""

from __future__ import annotations

from collections.abc import Mapping

from dialogues.content.charter import Charter
from dialogues.content.markup import cut
from dialogues.content.script import Script
from dialogues.core.domain import PHASES

RECALL_MAX = 400  # characters of an earlier text on a card; /accord shows it whole


def recalled(script: Script, retained: Mapping[str, Mapping[str, str]], phase: str,
             lever_id: str, limit: int = RECALL_MAX) -> list[str]:
    """One line per earlier phase in which the alliance retained something for the lever."""
    lines = []
    for earlier in PHASES[:PHASES.index(phase)]:
        text = retained.get(earlier, {}).get(lever_id)
        if text:
            lines.append(script.say(f"accord.retained_in.{earlier}", text=cut(text, limit)))
    return lines


def evolution_lines(script: Script, charter: Charter,
                    retained: Mapping[str, Mapping[str, str]], phase: str,
                    limit: int = 200) -> list[str]:
    """For /synthese's evolution section: each lever with something retained earlier."""
    lines: list[str] = []
    for lever in charter.levers:
        found = recalled(script, retained, phase, lever.id, limit)
        if found:
            lines.append(script.say("accord.evolution_lever", number=lever.number,
                                    title=lever.title))
            lines.extend(found)
    if lines:
        lines.insert(0, script.say("accord.evolution_title"))
    return lines
