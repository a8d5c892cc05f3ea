"""The terminal channel: the same engine and database, numbered choices for buttons."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import TextIO

from bot import texts
from bot.render_text import render
from dialogues.app.service import CharterService, PersonRef
from dialogues.core.events import Command, Press, Text
from dialogues.core.outgoing import Attachment, Button, Outgoing

SEPARATOR = "─" * 40


def to_event(line: str, buttons: list[Button]) -> object:
    """A typed line: /command, the number of a choice on screen, or text."""
    stripped = line.strip()
    if stripped.startswith("/") and len(stripped) > 1:
        name, _, arg = stripped[1:].partition(" ")
        return Command(name.lower(), arg.strip())
    if stripped.isdigit() and 1 <= int(stripped) <= len(buttons):
        return Press(buttons[int(stripped) - 1].data)
    return Text(line)


def save(attachment: Attachment, folder: Path) -> Path:
    """Write a photo or document to `folder`; the terminal cannot show it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / attachment.filename
    path.write_bytes(attachment.rendered().data)
    return path


def show(messages: list[Outgoing], out: TextIO, folder: Path = Path("exports")) -> list[Button]:
    """Print messages; returns the choices of the last message that has any."""
    buttons: list[Button] = []
    for message in messages:
        text, shown = render(message)
        print(text, file=out)
        if message.attachment is not None:
            path = save(message.attachment, folder)
            print(texts.say("console.attachment", path=path), file=out)
        print(SEPARATOR, file=out)
        if shown:
            buttons = shown
    out.flush()
    return buttons


def run_console(service: CharterService, user: str | None = None,
                stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    name = user or getpass.getuser()
    person = PersonRef("console", name, name)
    print(texts.say("console.intro", user=name), file=out)
    buttons = show(list(service.handle(person, Command("start")).outgoing), out)
    while True:
        if stdin.isatty():
            print("> ", end="", file=out, flush=True)
        line = stdin.readline()
        if not line:
            return 0
        messages = list(service.handle(person, to_event(line.rstrip("\n"), buttons)).outgoing)
        if messages:
            buttons = show(messages, out)
