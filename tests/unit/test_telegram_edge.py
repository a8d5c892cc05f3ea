"""The Telegram edge without Telegram: how it sends, retries and gives up, what it puts in the
menu, and what its logs never show (the token)."""

from __future__ import annotations

import datetime as dt
import io
import logging
import sys
import threading
from collections.abc import Iterator

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot import logs, notifier, texts
from bot.logs import RedactSecrets, setup_logging
from bot.notifier import SENT, Sender
from bot.telegram_app import TelegramEdge, _command, menu_commands
from dialogues.app.engine import MENU as COMMANDS
from dialogues.core.events import Command
from dialogues.core.outgoing import Attachment, Button, Outgoing

TOKEN = "123456:TEST-token-abc"

# PTB 22 warns whenever a RetryAfter is made (its retry_after will become a timedelta).
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


# --- sending ---------------------------------------------------------------------------------


class StubBot:
    """Records calls; raises the planned errors first, in order."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls: list[tuple[str, dict]] = []

    async def _call(self, method: str, **params: object) -> None:
        self.calls.append((method, params))
        if self.errors:
            raise self.errors.pop(0)

    async def send_message(self, **params: object) -> None:
        await self._call("send_message", **params)

    async def send_photo(self, **params: object) -> None:
        await self._call("send_photo", **params)

    async def send_document(self, **params: object) -> None:
        await self._call("send_document", **params)

    async def edit_message_text(self, **params: object) -> None:
        await self._call("edit_message_text", **params)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notifier, "RETRY_DELAY", 0)


@pytest.fixture
def edge() -> TelegramEdge:
    return TelegramEdge(app=None)  # sending needs no service


@pytest.fixture
def sender() -> Sender:
    return Sender()


BUTTONS = ((Button("Passer ⏭", "w:1:l:0:1:skip"),),)


async def test_a_message_is_sent_as_html_with_its_buttons(sender):
    bot = StubBot()
    assert await sender.send(bot, 42, Outgoing("<b>Levier</b>", BUTTONS)) == SENT
    ((method, params),) = bot.calls
    assert method == "send_message" and params["parse_mode"] == "HTML"
    assert params["text"] == "<b>Levier</b>"
    assert params["reply_markup"].inline_keyboard[0][0].callback_data == "w:1:l:0:1:skip"


async def test_a_long_message_goes_in_pieces_with_the_buttons_on_the_last(sender):
    bot = StubBot()
    text = "\n".join(f"<b>{n}</b> " + "mot " * 100 for n in range(30))
    assert await sender.send(bot, 42, Outgoing(text, BUTTONS)) == SENT
    assert len(bot.calls) >= 3
    assert [p["reply_markup"] is not None for _, p in bot.calls] == [False] * (
        len(bot.calls) - 1) + [True]


async def test_html_that_telegram_refuses_is_sent_again_as_plain_text(sender, caplog):
    bot = StubBot(BadRequest("Can't parse entities: unclosed start tag at byte offset 3"))
    assert await sender.send_piece(bot, 42, "<b>A &amp; B", None) == SENT
    assert [(p["text"], p["parse_mode"]) for _, p in bot.calls] == [
        ("<b>A &amp; B", "HTML"), ("A & B", None)]
    assert "sending it as plain text" in caplog.text


async def test_another_bad_request_is_logged_not_retried(sender, caplog):
    bot = StubBot(BadRequest("Chat not found"))
    assert await sender.send_piece(bot, 42, "texte", None) != SENT
    assert len(bot.calls) == 1 and "Chat not found" in caplog.text


async def test_network_errors_are_retried_then_given_up(sender, caplog):
    bot = StubBot(NetworkError("Bad Gateway"), TimedOut())
    assert await sender.send_piece(bot, 42, "texte", None) == SENT
    assert len(bot.calls) == 3
    down = StubBot(*[NetworkError("Bad Gateway")] * notifier.SEND_ATTEMPTS)
    assert await sender.send_piece(down, 42, "texte", None) != SENT
    assert len(down.calls) == notifier.SEND_ATTEMPTS and "giving up" in caplog.text


async def test_a_429_is_waited_out(sender):
    bot = StubBot(RetryAfter(dt.timedelta(0)))
    assert await sender.send_piece(bot, 42, "texte", None) == SENT
    assert len(bot.calls) == 2


async def test_a_person_who_blocked_the_bot_gets_nothing_more(sender, caplog):
    bot = StubBot(Forbidden("Forbidden: bot was blocked by the user"))
    long = "\n".join("mot " * 100 for _ in range(30))  # three pieces or more
    assert await sender.send(bot, 42, Outgoing(long)) != SENT
    assert len(bot.calls) == 1 and "chat 42 cannot be written to" in caplog.text


async def test_a_photo_carries_its_caption_and_buttons(sender):
    bot = StubBot()
    photo = Attachment("photo", "synthese.png", b"\x89PNG")
    message = Outgoing("<b>Synthèse</b>", BUTTONS, attachment=photo)
    assert await sender.send(bot, 42, message) == SENT
    ((method, params),) = bot.calls
    assert method == "send_photo" and params["photo"] == b"\x89PNG"
    assert params["filename"] == "synthese.png" and params["caption"] == "<b>Synthèse</b>"
    assert params["reply_markup"] is not None


async def test_a_caption_too_long_for_a_photo_follows_it_as_text(sender):
    bot = StubBot()
    document = Attachment("document", "rapport.pdf", b"%PDF")
    text = "x" * 1500
    assert await sender.send(bot, 42, Outgoing(text, BUTTONS, attachment=document)) == SENT
    assert [(m, p.get("caption"), p["reply_markup"] is not None) for m, p in bot.calls] == [
        ("send_document", None, False), ("send_message", None, True)]


def test_a_message_replacing_an_earlier_one_keeps_its_target_and_is_not_merged():
    card = Outgoing("<b>Séance</b> — carte mise à jour", BUTTONS, edit_message=7)
    note = Outgoing("✅ Retenu pour « Dialoguer ».")
    assert notifier.merge([card, note]) == [card, note]
    assert notifier.merge([note, card]) == [note, card]


async def test_an_edit_that_changes_nothing_counts_as_done(edge):
    bot = StubBot(BadRequest("Message is not modified: specified new message content ..."))
    assert await edge._edit(bot, 42, 7, Outgoing("✓ Engagé", edit=True))
    ((method, params),) = bot.calls
    assert (method, params["chat_id"], params["message_id"]) == ("edit_message_text", 42, 7)


async def test_an_edit_that_fails_is_sent_instead(edge):
    for error in (BadRequest("Message to edit not found"), NetworkError("Bad Gateway"),
                  RetryAfter(dt.timedelta(seconds=3))):
        assert not await edge._edit(StubBot(error), 42, 7, Outgoing("✓ Engagé", edit=True))


# --- commands --------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "command"), [
    ("/start AbC-12_x", Command("start", "AbC-12_x")),
    ("/aide@charte_test_bot", Command("aide", "")),
    ("/LEVIER  gouvernance partagée ", Command("levier", "gouvernance partagée")),
    ("/rejoindre\nCODE", Command("rejoindre\ncode", "")),
])
def test_typed_commands(typed, command):
    assert _command(typed) == command


def test_the_menu_lists_described_commands_in_order_never_start():
    listed = [c.command for c in menu_commands()]
    assert "start" not in listed
    assert listed == [n for n in COMMANDS if n in listed]  # the engine's order
    assert {"nouvelle", "rejoindre", "charte", "levier", "alliances", "aide", "annuler"} <= set(
        listed)
    for command in menu_commands():
        assert command.description == texts.say(f"tg.command.{command.command}")
        assert 1 <= len(command.description) <= 256


# --- logs ------------------------------------------------------------------------------------


def redacting_logger(stream: io.StringIO) -> logging.Logger:
    logger = logging.getLogger("test.redact")
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets([TOKEN]))
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger


def test_the_token_is_hidden_in_messages_arguments_and_tracebacks():
    stream = io.StringIO()
    logger = redacting_logger(stream)
    logger.info(f"POST http://api/bot{TOKEN}/getMe")
    logger.warning("url %s, secret %s", f"/bot{TOKEN}/x", "TEST-token-abc")
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        logger.exception("failed with %r", {"token": TOKEN})
    logger.error("stack", stack_info=True, extra={"unused": TOKEN})
    logger.info("100%% done, %d left", 3)
    text = stream.getvalue()
    assert "TEST-token-abc" not in text
    assert text.count("<token>") >= 5
    assert "100% done, 3 left" in text and "RuntimeError" in text


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, sys.excepthook, threading.excepthook)
    yield
    root.handlers[:], level, sys.excepthook, threading.excepthook = saved
    root.setLevel(level)
    logging.captureWarnings(False)


def test_uncaught_errors_go_through_the_redacting_log(restored_logging, capsys):
    redact = setup_logging("debug", secrets_to_hide=[TOKEN])
    assert redact.redact(f"x {TOKEN} y") == "x <token> y"
    try:
        raise ValueError(f"bad token {TOKEN}")
    except ValueError as err:
        sys.excepthook(type(err), err, err.__traceback__)
    thread = threading.Thread(target=lambda: (_ for _ in ()).throw(OSError(TOKEN)))
    thread.start()
    thread.join()
    logging.getLogger("httpx").warning("GET https://api.telegram.org/bot%s/getMe", TOKEN)
    err = capsys.readouterr().err
    assert "ValueError: bad token <token>" in err and "OSError: <token>" in err
    assert "TEST-token-abc" not in err
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING


def test_an_unknown_log_level_falls_back_to_info(restored_logging):
    setup_logging("bavard")
    assert logging.getLogger().level == logging.INFO


def test_a_short_secret_half_is_not_hunted_everywhere():
    assert logs.secret_parts("1:abc") == ["1:abc"]
    assert logs.secret_parts(TOKEN) == [TOKEN, "TEST-token-abc"]
