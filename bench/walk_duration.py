"""How long the walk takes a person: every screen of a real walk, read and answered.

    python -m bench walk_duration

Method. The walk is run through the real engine and service (an SQLite file in a temporary
folder), as a person would do it, in three ways: with the buttons only (a level for each
lever, « Passer » at each text question); writing an answer at every text question; and at
mid-course, pressing « Inchangé » for every lever. For each screen shown (a new message or an
edited one), its words are counted and read at READING_WPM. Each press costs TAP_SECONDS, and
choosing a level DECIDE_SECONDS more; each written answer is ANSWER_WORDS words typed at
TYPING_WPM after THINK_SECONDS. The figures the intro of the walk states (script.yaml,
walk.started and walk.started_again) are these, to the nearest 5 minutes; a unit test
checks that they match.

Sources of the rates: silent reading of French on a screen, 195 words a minute on average
for adults (Trauzettel-Klosinski & Dietz, IReST, 2012); typing on a phone, 36 words a minute
on average (Palin et al., 2019, 37,000 volunteers).
"""

from __future__ import annotations

import argparse
import math
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.compose import App, build_app
from bot.render_text import plain
from dialogues.app.service import PersonRef
from dialogues.core.events import Command, Press, Text
from dialogues.core.outgoing import Outgoing

READING_WPM = 195
TAP_SECONDS = 2.0
DECIDE_SECONDS = 6.0
ANSWER_WORDS = 12
TYPING_WPM = 36
THINK_SECONDS = 20.0
ROUND_TO = 5  # minutes
_WORD = re.compile(r"[^\W_]+(?:[’'-][^\W_]+)*")
ANSWER = "Si le conseil d’administration valide le budget et que la mairie suit le projet"


@dataclass(frozen=True)
class Walked:
    """One way of walking the charter: what was read, pressed and typed."""

    name: str
    words: int
    presses: int
    decisions: int
    answers: int

    @property
    def seconds(self) -> float:
        reading = self.words / READING_WPM * 60
        typing = self.answers * (THINK_SECONDS + ANSWER_WORDS / TYPING_WPM * 60)
        return reading + self.presses * TAP_SECONDS + self.decisions * DECIDE_SECONDS + typing

    @property
    def minutes(self) -> float:
        return self.seconds / 60

    @property
    def stated(self) -> int:
        """The minutes the walk's intro states: « environ » the nearest multiple of ROUND_TO."""
        return max(ROUND_TO, int(math.floor(self.minutes / ROUND_TO + 0.5) * ROUND_TO))


def words(messages: Sequence[Outgoing]) -> int:
    return sum(len(_WORD.findall(plain(m.text))) for m in messages)


class _Person:
    def __init__(self, app: App, name: str) -> None:
        self.app = app
        self.ref = PersonRef("bench", name, name)
        self.shown: tuple[Outgoing, ...] = ()
        self.read = 0

    def do(self, event: object) -> tuple[Outgoing, ...]:
        self.shown = self.app.service.handle(self.ref, event).outgoing
        self.read += words(self.shown)
        return self.shown

    def press(self, label: str) -> None:
        self.do_press(label)

    def do_press(self, label: str) -> tuple[Outgoing, ...]:
        for message in reversed(self.shown):
            for row in message.buttons:
                for button in row:
                    if label in button.label:
                        return self.do(Press(button.data))
        raise AssertionError(f"no button {label!r}")

    def at_text_question(self) -> bool:
        return any(b.label.startswith("Passer") for m in self.shown for row in m.buttons
                   for b in row) and not any(b.label.startswith("1 ·") for m in self.shown
                                             for row in m.buttons for b in row)


def _walk(person: _Person, name: str, mode: str) -> Walked:
    start_words = person.read
    presses = decisions = answers = 0
    person.do(Command("charte"))
    for _ in range(21):
        if mode == "same":
            person.press("Inchangé")
            presses += 1
            decisions += 1
            continue
        person.press("Engagé")
        presses += 1
        decisions += 1
        while person.at_text_question():
            if mode == "texts":
                person.do(Text(ANSWER))
                answers += 1
            else:
                person.press("Passer")
                presses += 1
    return Walked(name, person.read - start_words, presses, decisions, answers)


def measure(app: App, clock: list[datetime]) -> tuple[Walked, Walked, Walked]:
    """The three walks on `app`, whose clock reads clock[0] (moved to mid-course here)."""
    creator = _Person(app, "bench-coordinator")
    creator.do(Command("nouvelle"))
    for typed in ("Alliance de mesure", "Asso M"):
        creator.do(Text(typed))
    creator.press("Association")
    creator.do(Text("15/01/2027"))
    creator.do(Text("15/12/2027"))
    creator.press("Garder cette date")
    created = plain("\n".join(m.text for m in creator.do_press("Oui, créer")))
    code = created.split("/rejoindre ")[1].split(")")[0].strip()
    buttons = _walk(creator, "buttons only", "buttons")
    writer = _Person(app, "bench-writer")
    writer.do(Command("rejoindre", code))
    writer.press("Asso M")
    texts = _walk(writer, "with written answers", "texts")
    clock[0] += timedelta(days=200)  # mid-course
    again = _walk(creator, "mid-course, all « Inchangé »", "same")
    return buttons, texts, again


def run() -> tuple[Walked, Walked, Walked]:
    from storage import open_store

    clock = [datetime(2027, 1, 20, 9, 0, tzinfo=UTC)]
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'walk.db'}")
        try:
            app = build_app(store=store, clock=lambda: clock[0], timezone="Europe/Paris")
            return measure(app, clock)
        finally:
            store.close()


def main(argv: Sequence[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args(argv)
    print(f"reading {READING_WPM} words/min, {TAP_SECONDS:g} s a press, {DECIDE_SECONDS:g} s to "
          f"choose a level, {ANSWER_WORDS} words typed at {TYPING_WPM} words/min after "
          f"{THINK_SECONDS:g} s of thought")
    for walked in run():
        print(f"  {walked.name:<30} {walked.minutes:5.1f} min  (stated: {walked.stated} min; "
              f"{walked.words} words read, {walked.presses} presses, {walked.answers} answers)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
