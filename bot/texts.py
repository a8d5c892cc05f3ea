"""The channels' own French texts (bot/texts.yaml), loaded once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from dialogues.content.markup import typography_problems
from dialogues.core.errors import ContentError

PATH = Path(__file__).with_name("texts.yaml")
KEYS = (
    "console.intro",
    "console.attachment",
    "cli.credentials_missing",
    "cli.content_error",
    "cli.alliance_not_found",
    "cli.alliance_ambiguous",
    "cli.storage_error",
    "tg.group_only",
    "stats.alliances_active",
    "stats.alliances_archived",
    "stats.members",
    "stats.members_unreachable",
    "stats.answers_by_phase",
    "stats.reminders_pending",
    "stats.reminders_sent",
    "tg.error",
    "tg.credentials_refused",
    "tg.unreachable",
    # issue 13: a network of alliances
    "tg.cannot_listen",
    "cli.backup_done",
    "cli.backup_failed",
    "cli.backup_postgres",
    "cli.observatory_empty",
    *(f"tg.command.{name}" for name in
      ("nouvelle", "rejoindre", "charte", "levier", "alliances", "aide", "annuler")),
)


@cache
def _texts() -> dict[str, str]:
    data = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ContentError(str(PATH), "", "expected a mapping of texts")
    for key in KEYS:
        if not data.get(key):
            raise ContentError(str(PATH), key, "missing text")
    for key, text in data.items():
        problems = typography_problems(text)
        if problems:
            raise ContentError(str(PATH), key, problems[0])
    return data


def check() -> None:
    """Fail at boot, not at first use, when a text is missing."""
    _texts()


def has(key: str) -> bool:
    return bool(_texts().get(key))


def say(key: str, **values: object) -> str:
    try:
        template = _texts()[key]
    except KeyError as err:
        raise ContentError(str(PATH), key, "missing text") from err
    return template.format(**values)
