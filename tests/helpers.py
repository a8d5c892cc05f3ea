"""A person chatting with the service, as a test sees it: messages in, plain text out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.compose import App, build_app
from bot.render_text import plain
from dialogues.app.service import PersonRef
from dialogues.core.events import Command, GroupCommand, GroupText, Other, Press, Text
from dialogues.core.outgoing import Button, Outgoing
from dialogues.core.ports import Store


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Chat:
    def __init__(self, app: App, name: str, channel: str = "test") -> None:
        self.app = app
        self.ref = PersonRef(channel, name, name)
        self.last: list[Outgoing] = []

    def _do(self, event: object) -> str:
        self.last = [_rendered(m) for m in self.app.service.handle(self.ref, event).outgoing]
        return self.text

    @property
    def text(self) -> str:
        """What the person reads; no-break spaces read as spaces (the script's typography is
        checked where it is loaded)."""
        return seen("\n".join(plain(m.text) for m in self.last))

    @property
    def buttons(self) -> list[Button]:
        return [b for m in self.last for row in m.buttons for b in row]

    def say(self, text: str) -> str:
        return self._do(Text(text))

    def cmd(self, name: str, arg: str = "") -> str:
        return self._do(Command(name, arg))

    def in_group(self, chat_id: int, name: str, arg: str = "") -> str:
        """A command typed in a group chat."""
        return self._do(GroupCommand(chat_id, name, arg))

    def other(self, kind: str = "sticker") -> str:
        return self._do(Other(kind))

    def press_data(self, data: str) -> str:
        return self._do(Press(data))

    def press(self, label: str) -> str:
        """Press the last shown button whose label contains `label`."""
        for button in reversed(self.buttons):
            if label in seen(button.label):
                return self.press_data(button.data)
        raise AssertionError(f"no button {label!r} in {[b.label for b in self.buttons]}")


def seen(text: str) -> str:
    """Text as a test compares it: no-break spaces as plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _rendered(message: Outgoing) -> Outgoing:
    """Charts and PDFs are made after the transaction, as the channels do."""
    if message.attachment is None:
        return message
    return replace(message, attachment=message.attachment.rendered())


def make_app(store: object, clock: Clock | None = None) -> App:
    return build_app(store=store, clock=clock or Clock(), timezone="Europe/Paris")  # type: ignore[arg-type]


def create_alliance(chat: Chat, name: str = "Alliance Test", org: str = "Asso A") -> str:
    """Walk the creation form; returns the invitation code."""
    chat.cmd("nouvelle")
    chat.say(name)
    chat.say(org)
    chat.press("Association")
    chat.say("15/01/2027")
    chat.say("15 décembre 2027")
    chat.press("Garder cette date")
    chat.press("Oui, créer")
    for message in chat.last:
        if "/rejoindre" in message.text:
            return plain(message.text).split("/rejoindre ")[1].split(")")[0].strip()
    raise AssertionError(chat.text)


# --- a linked group: the séance (issue 11) ---------------------------------------------------

GROUP = -100777


def shown(messages: list[Outgoing]) -> str:
    return "\n".join(plain(m.text) for m in messages).replace("\u00a0", " ")


class Person(Chat):
    """Someone who talks to the bot in private and in the alliance's linked group."""

    card_id = 500  # the message id the group's card has in these tests

    @property
    def text(self) -> str:
        return shown(self.last)

    def in_chat(self, event: object) -> list[Outgoing]:
        self.last = [_rendered(m) for m in self.app.service.handle(self.ref, event).outgoing]
        return self.last

    def group_command(self, name: str, arg: str = "") -> str:
        return shown(self.in_chat(GroupCommand(GROUP, name, arg)))

    def group_press(self, card: Outgoing, label: str, message_id: int = card_id) -> str:
        return shown(self.in_chat(Press(button(card, label).data, GROUP, message_id)))

    def group_reply(self, text: str, reply_to: int = card_id) -> str:
        return shown(self.in_chat(GroupText(GROUP, text, reply_to)))


def button(message: Outgoing, label: str) -> Button:
    for row in message.buttons:
        for b in row:
            if label in b.label:
                return b
    raise AssertionError(f"no {label!r} in {[b.label for r in message.buttons for b in r]}")


def card_of(messages: list[Outgoing]) -> Outgoing:
    return next(m for m in messages if m.buttons)


def alliance_with_a_tiers(app: App, store: Store, clock: Clock
                          ) -> tuple[Person, Person, Person, Person]:
    """« Alliance du Port »: three organisations (Alice coordinates the Asso du Port, Bob is
    at the Mairie du Port, Carla at the Collectif Port) that diverge on « Dialoguer » (1, 4, 3)
    and « Gouvernance » (4, 1, « je ne sais pas »), linked to GROUP, and Tina, its tiers de
    confiance, who joined by her own invitation."""
    alice, bob, carla, tina = (Person(app, n) for n in ("alice", "bob", "carla", "tina"))
    tina.ref = PersonRef("test", "tina", "Tina Martin")
    code = create_alliance(alice, "Alliance du Port", "Asso du Port")
    for chat, organisation in ((bob, "Mairie du Port"), (carla, "Collectif Port")):
        chat.cmd("rejoindre", code)
        chat.press("Une autre organisation")
        chat.say(organisation)
        chat.press("Association")
    clock.advance(days=10)  # the lancement phase is open
    # Two divergent levers: « Dialoguer » (1, 4, 3) and « Gouvernance » (4, 1, « jsp »).
    for chat, first, second in ((alice, "1", "4"), (bob, "4", "1"), (carla, "3", "jsp")):
        chat.cmd("levier", "dialoguer")
        chat.say(first)
        chat.cmd("levier", "gouvernance")
        chat.say(second)
    alice.in_group(GROUP, "lier", code)
    assert "comme tiers de confiance" in tina.cmd("rejoindre", invite_tiers(alice))
    return alice, bob, carla, tina


def invite_tiers(coordinator: Chat) -> str:
    """The coordination creates the tiers de confiance's invitation; returns its code."""
    coordinator.cmd("inviter")
    text = coordinator.press("Inviter un tiers de confiance")
    assert "Invitation du tiers de confiance créée" in text, text
    return text.split("tiers de confiance de l’alliance")[1].split("/rejoindre ")[1].split(")")[0]
