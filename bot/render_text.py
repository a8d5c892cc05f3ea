"""Render engine messages (Telegram HTML) as plain terminal text."""

from __future__ import annotations

from dialogues.content.markup import plain_text as plain
from dialogues.core.outgoing import Button, Outgoing

__all__ = ["plain", "render"]


def render(message: Outgoing, first_number: int = 1) -> tuple[str, list[Button]]:
    """The message as text with numbered choices, and the buttons in number order."""
    lines = [plain(message.text)]
    buttons: list[Button] = []
    for row in message.buttons:
        cells = []
        for button in row:
            buttons.append(button)
            cells.append(f"[{first_number + len(buttons) - 1}] {button.label}")
        lines.append("   ".join(cells))
    return "\n".join(lines), buttons
