"""Tests of the fake Bot API, driven by a real python-telegram-bot client over HTTP."""

import asyncio
import datetime as dt
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.e2e.fake_bot_api import (
    DEFAULT_TOKEN,
    EDIT_METHODS,
    MESSAGE_METHODS,
    FakeBotApi,
    FakeBotApiClient,
    HtmlParseError,
    RateLimiter,
    parse_html,
)

ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    """A manually advanced monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(
        server.token, base_url=server.base_url, base_file_url=server.base_file_url
    ) as client:
        yield client


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.title(), callback_data=d) for d in data]])


# ------------------------------------------------------------------ a tiny PTB application


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(
        "<b>Bienvenue</b> !", parse_mode="HTML", reply_markup=keyboard("oui", "non")
    )


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(f"Écho : {update.message.text}")


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Noté")
    await query.edit_message_text(f"Tu as choisi : {query.data}")


@pytest.fixture
async def app(server: FakeBotApi) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    application = (
        Application.builder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", on_start))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(CallbackQueryHandler(on_button))
    async with application:
        await application.bot.set_my_commands([BotCommand("start", "Démarrer")])
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0)
        yield application
        await application.updater.stop()
        await application.stop()


async def test_application_echoes_and_answers_buttons(
    server: FakeBotApi,
    app: Application,  # type: ignore[type-arg]
) -> None:
    alice = server.user(1001, "Alice", "alice")

    server.send_text(alice, "bonjour")
    echo = await server.wait_for_message(alice, contains="bonjour")
    assert echo.text == "Écho : bonjour"

    server.send_command(alice, "/start")
    menu = await server.wait_for_message(alice, contains="Bienvenue", after=echo.message_id)
    assert menu.text == "Bienvenue !"
    assert menu.raw_text == "<b>Bienvenue</b> !"
    assert menu.entities == [{"type": "bold", "offset": 0, "length": 9}]
    assert menu.buttons == [("Oui", "oui"), ("Non", "non")]

    query_id = server.press(alice, menu, "non")
    await server.wait_for(lambda: menu.edits == 1)
    assert server.answered_callbacks[query_id] == {"text": "Noté"}
    assert server.unanswered_callbacks() == []
    assert menu.text == "Tu as choisi : non"
    assert menu.history == ["Bienvenue !"]
    assert menu.buttons == []  # editMessageText without reply_markup drops the keyboard
    assert server.commands == [{"command": "start", "description": "Démarrer"}]
    assert server.calls("deleteWebhook")  # PTB's polling bootstrap

    with pytest.raises(ValueError, match="no button"):
        server.press(alice, menu, "oui")


async def test_control_api_over_http(
    server: FakeBotApi,
    app: Application,  # type: ignore[type-arg]
) -> None:
    async with FakeBotApiClient(server.url) as client:
        await client.user(2002, "Bob", "bob")
        await client.send_text(2002, "salut")
        echo = await client.wait_for_message(2002, contains="salut", timeout=5)
        assert echo["text"] == "Écho : salut"

        await client.send_command(2002, "/start")
        menu = await client.wait_for_message(2002, contains="Bienvenue", after=echo["message_id"])
        assert menu["buttons"] == [["Oui", "oui"], ["Non", "non"]]
        await client.press(2002, menu["message_id"], "oui")
        await client.wait_for_message(2002, contains="choisi : oui", timeout=5)

        messages = await client.messages(2002)
        assert [m["text"] for m in messages] == ["Écho : salut", "Tu as choisi : oui"]
        assert messages[1]["edits"] == 1
        answers = await client.requests("answerCallbackQuery")
        assert len(answers) == 1
        state = await client.state()
        assert state["unanswered_callbacks"] == []
        assert state["commands"] == [{"command": "start", "description": "Démarrer"}]


# ------------------------------------------------------------------ Bot API behaviour


async def test_sent_messages_are_valid_and_numbered_per_chat(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(1001, "Alice", "alice")
    team = server.group(-100123, "Équipe")
    first = await bot.send_message(alice.id, "un")
    second = await bot.send_message(alice.id, "deux", reply_markup=keyboard("a"))
    in_group = await bot.send_message(team.chat_id, "groupe")
    assert (first.message_id, second.message_id, in_group.message_id) == (1, 2, 1)
    assert first.from_user is not None and first.from_user.is_bot
    assert first.chat.type == "private" and first.chat.first_name == "Alice"
    assert in_group.chat.type == "supergroup" and in_group.chat.title == "Équipe"
    assert second.reply_markup == keyboard("a")
    assert abs(first.date.timestamp() - dt.datetime.now().timestamp()) < 5

    # reply keyboards are stored but not echoed (Telegram only echoes inline keyboards)
    reply_kb = await bot.send_message(alice.id, "choix", reply_markup=ReplyKeyboardMarkup([["A"]]))
    assert reply_kb.reply_markup is None
    assert server.last_message(alice).buttons == [("A", None)]  # type: ignore[union-attr]

    me = await bot.get_me()
    assert me.is_bot and me.username == "charte_test_bot" and me.can_join_groups
    chat = await bot.get_chat(alice.id)
    assert chat.first_name == "Alice"
    member = await bot.get_chat_member(team.chat_id, alice.id)
    assert member.status == "member"
    assert await bot.send_chat_action(alice.id, "typing")
    assert await bot.delete_message(alice.id, first.message_id)
    assert server.messages(alice)[0].deleted
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "personne")
    with pytest.raises(TimeoutError, match="no bot message in chat 1001"):
        await server.wait_for_message(alice, contains="jamais", timeout=0.05)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"text": "x" * 4097}, "message is too long"),
        ({"text": "<b>" + "x" * 4096 + "</b>", "parse_mode": "HTML"}, None),
        ({"text": "&lt;" * 4097, "parse_mode": "HTML"}, "message is too long"),
        ({"text": "   "}, "message text is empty"),
        ({"text": "<b></b>", "parse_mode": "HTML"}, "message text is empty"),
        ({"text": "<foo>x</foo>", "parse_mode": "HTML"}, 'unsupported start tag "foo"'),
        ({"text": "<b>gras", "parse_mode": "HTML"}, "can't find end tag"),
        ({"text": "a < b", "parse_mode": "HTML"}, 'unsupported start tag ""'),
        ({"text": "Tom & Jerry", "parse_mode": "HTML"}, 'unescaped "&"'),
        ({"text": "<b>x</i>", "parse_mode": "HTML"}, "unmatched end tag"),
        ({"text": "x", "reply_markup": keyboard("d" * 65)}, "button_data_invalid"),
        ({"text": "x", "reply_markup": keyboard("é" * 33)}, "button_data_invalid"),
        ({"text": "x", "reply_markup": keyboard("d" * 64)}, None),
        ({"text": "x", "parse_mode": "Foo"}, "unsupported parse_mode"),
    ],
)
async def test_send_message_validation(
    server: FakeBotApi, bot: Bot, kwargs: dict[str, object], expected: str | None
) -> None:
    alice = server.user()
    if expected is None:
        await bot.send_message(alice.id, **kwargs)  # type: ignore[arg-type]
        return
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(alice.id, **kwargs)  # type: ignore[arg-type]
    assert expected in caught.value.message.lower()
    assert server.errors[-1].status == 400


async def test_raw_http_answers_form_and_json_bodies(server: FakeBotApi) -> None:
    alice = server.user()
    api = server.base_url + server.token
    async with ClientSession() as session:
        async with session.post(f"{api}/sendMessage", json={"chat_id": 1001, "text": ""}) as r:
            assert r.status == 400
            assert await r.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message text is empty",
            }
        markup = '{"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}'
        form = {"chat_id": "1001", "text": "123", "reply_markup": markup}
        async with session.post(f"{api}/sendmessage", data=form) as r:  # case-insensitive
            body = await r.json()
            assert r.status == 200 and body["ok"] is True
            assert body["result"]["text"] == "123"  # strings are never JSON-decoded
            assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "go"
        async with session.get(f"{api}/getMe") as r:
            assert (await r.json())["result"]["is_bot"] is True
        async with session.post(f"{api}/sendPigeon") as r:
            assert r.status == 404
            assert (await r.json())["description"] == "Not Found: method not found"
        async with session.post(f"{server.base_url}0:wrong/getMe") as r:
            assert r.status == 401
            assert (await r.json())["description"] == "Unauthorized"
    assert server.messages(alice)[0].reply_markup == {
        "inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]
    }


async def test_wrong_token_and_unknown_method_through_ptb(server: FakeBotApi, bot: Bot) -> None:
    wrong = Bot("42:nope", base_url=server.base_url, base_file_url=server.base_file_url)
    with pytest.raises(InvalidToken):
        await wrong.get_me()
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendPigeon")


async def test_edit_delete_and_callback_errors(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user()
    sent = await bot.send_message(
        alice.id, "<i>texte</i>", parse_mode="HTML", reply_markup=keyboard("a")
    )
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<i>texte</i>", alice.id, sent.message_id, parse_mode="HTML", reply_markup=keyboard("a")
        )
    edited = await bot.edit_message_text(
        "texte", alice.id, sent.message_id, reply_markup=keyboard("a")
    )
    assert edited.text == "texte" and edited.edit_date is not None  # entities changed
    relabelled = await bot.edit_message_reply_markup(
        alice.id, sent.message_id, reply_markup=keyboard("b")
    )
    assert isinstance(relabelled, type(edited)) and relabelled.reply_markup == keyboard("b")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=keyboard("b"))
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", alice.id, 999)

    query_id = server.press(alice, sent.message_id, "b")
    assert await bot.answer_callback_query(query_id)
    for stale in (query_id, "123"):
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query(stale)

    assert await bot.delete_message(alice.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("y", alice.id, sent.message_id)


async def test_uploads_are_stored_and_downloadable(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user()
    document = await bot.send_document(
        alice.id, b"a;b\n1;2\n", filename="export.csv", caption="<b>Export</b>", parse_mode="HTML"
    )
    assert document.document is not None and document.document.file_name == "export.csv"
    assert document.caption == "Export"
    stored = server.last_message(alice)
    assert stored is not None and stored.document is not None
    assert (stored.document.filename, stored.document.mime_type, stored.document.size) == (
        "export.csv",
        "text/csv",
        8,
    )
    assert stored.document.data == b"a;b\n1;2\n"

    photo = await bot.send_photo(alice.id, b"\x89PNG\r\n", filename="charte.png")
    assert photo.photo and server.last_message(alice).photo.filename == "charte.png"  # type: ignore[union-attr]
    again = await bot.send_photo(alice.id, photo.photo[-1].file_id)  # resend by file_id
    assert again.photo[-1].file_id == photo.photo[-1].file_id
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(alice.id, b"img", caption="x" * 1025)

    file = await bot.get_file(document.document.file_id)
    assert await file.download_as_bytearray() == bytearray(b"a;b\n1;2\n")


async def test_user_updates_are_valid_ptb_updates(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(1001, "Alice", "alice")
    team = server.group(-100123, "Équipe")
    sent = server.send_text(alice, "coucou")
    server.send_command(alice, "/start", payload="ref42")
    server.send_sticker(alice)
    server.send_photo(alice, caption="vue")
    server.send_voice(alice)
    server.send_document(alice, filename="charte.pdf", data=b"%PDF")
    server.edit_text(alice, sent["message"]["message_id"], "coucou !")
    server.send_text_in_group(alice, team, "bonjour le groupe")

    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == list(range(1, 9))
    messages = [u.effective_message for u in updates]
    assert all(m is not None for m in messages)
    assert messages[0].text == "coucou"  # type: ignore[union-attr]
    command = messages[1]
    assert command is not None and command.text == "/start ref42"
    assert command.parse_entities() == {command.entities[0]: "/start"}
    assert messages[2].sticker is not None  # type: ignore[union-attr]
    assert messages[3].photo and messages[3].caption == "vue"  # type: ignore[union-attr]
    assert messages[4].voice is not None  # type: ignore[union-attr]
    assert messages[5].document.file_name == "charte.pdf"  # type: ignore[union-attr]
    assert updates[6].edited_message is not None
    assert updates[6].edited_message.text == "coucou !"
    assert messages[7].chat.type == "supergroup"  # type: ignore[union-attr]
    file = await bot.get_file(messages[5].document.file_id)  # type: ignore[union-attr]
    assert await file.download_as_bytearray() == bytearray(b"%PDF")


async def test_long_polling_wakes_up_and_honours_offset(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user()
    loop = asyncio.get_running_loop()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await server.wait_for_call("getUpdates")
    started = loop.time()
    server.send_text(alice, "réveil")
    updates = await asyncio.wait_for(poll, 3)
    assert loop.time() - started < 1
    assert [u.message.text for u in updates if u.message] == ["réveil"]

    assert len(await bot.get_updates(timeout=0)) == 1  # not confirmed yet
    for _ in range(3):
        server.send_text(alice, "encore")
    batch = await bot.get_updates(offset=updates[0].update_id + 1, limit=2, timeout=0)
    assert [u.update_id for u in batch] == [2, 3]
    assert [u["update_id"] for u in server.pending_updates] == [2, 3, 4]

    server.send_sticker(alice)
    only_callbacks = await bot.get_updates(offset=5, timeout=0, allowed_updates=["callback_query"])
    assert only_callbacks == ()


async def test_second_poller_gets_conflict(server: FakeBotApi, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await server.wait_for_call("getUpdates")
    async with Bot(server.token, base_url=server.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, 2)


async def test_blocked_user_gives_forbidden(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user()
    server.block_user(alice)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "coucou")
    updates = await bot.get_updates(timeout=0)
    assert updates[-1].my_chat_member is not None
    assert updates[-1].my_chat_member.new_chat_member.status == "kicked"
    server.unblock_user(alice, notify=False)
    await bot.send_message(alice.id, "re")


async def test_injected_faults(
    server: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    alice = server.user()
    server.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.id, "x")
    assert caught.value.retry_after == dt.timedelta(seconds=3)

    server.fail_next("sendMessage", status=502, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(alice.id, "x")
    await bot.send_message(alice.id, "enfin")

    server.fail_next("*", status=None, delay=2.0)
    with pytest.raises(TimedOut):
        await bot.send_message(alice.id, "lent", read_timeout=0.2)
    assert server.rate_limit_hits == 1
    assert [e.status for e in server.errors] == [429, 502, 502]


# ------------------------------------------------------------------ rate limits


async def test_rate_limits_with_injected_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    clock = FakeClock()
    # private_burst=1: the strict « one message a second » in a private chat, no burst.
    async with FakeBotApi(enforce_limits=True, private_burst=1, clock=clock) as server:
        bot = Bot(server.token, base_url=server.base_url)
        async with bot:
            await _exercise_rate_limits(server, bot, clock)


async def _exercise_rate_limits(server: FakeBotApi, bot: Bot, clock: FakeClock) -> None:
    alice = server.user(1001, "Alice")

    await bot.send_message(alice.id, "1")
    clock.now += 0.3
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.id, "2")
    assert caught.value.retry_after == dt.timedelta(seconds=1)
    clock.now += 0.7
    await bot.send_message(alice.id, "2")
    assert server.rate_limit_hits == 1

    team = server.group(-100555, "Équipe")
    for _ in range(20):
        clock.now += 0.1
        await bot.send_message(team.chat_id, "g")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(team.chat_id, "g")
    assert caught.value.retry_after == dt.timedelta(seconds=59)  # ceil(1001.1 + 60 - 1003.0)
    assert server.rate_limit_hits == 2


async def test_private_chat_allows_a_burst_of_three_then_one_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    clock = FakeClock()
    async with FakeBotApi(enforce_limits=True, clock=clock) as server:  # default burst: 3
        alice = server.user(1001, "Alice")
        async with Bot(server.token, base_url=server.base_url) as bot:
            for text in ("1", "2", "3"):
                await bot.send_message(alice.id, text)
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(alice.id, "4")
            assert caught.value.retry_after == dt.timedelta(seconds=1)
            clock.now += 1.0  # one token back: one message, not two
            await bot.send_message(alice.id, "4")
            with pytest.raises(RetryAfter):
                await bot.send_message(alice.id, "5")
            clock.now += 10.0  # the bucket refills up to 3, never more
            for text in ("5", "6", "7"):
                await bot.send_message(alice.id, text)
            with pytest.raises(RetryAfter):
                await bot.send_message(alice.id, "8")
            bob = server.user(1002, "Bob")  # another chat has its own bucket
            await bot.send_message(bob.id, "1")
        assert [m.text for m in server.messages(alice)] == ["1", "2", "3", "4", "5", "6", "7"]
        assert server.rate_limit_hits == 3
        refused = [c for c in server.call_log if c.status == 429]
        assert [(c.method, c.chat_id, c.retry_after, c.counted) for c in refused] == [
            ("sendMessage", 1001, 1, True)
        ] * 3


def test_rate_limiter_private_bucket_refills_one_token_a_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock, private_burst=3)
    assert [limiter.acquire(7, private=True) for _ in range(3)] == [None, None, None]
    assert limiter.private_tokens(7) == 0
    clock.now += 0.25
    assert limiter.acquire(7, private=True) == 1  # ceil(0.75 s)
    clock.now += 0.75
    assert limiter.acquire(7, private=True) is None
    clock.now += 2.5
    assert limiter.private_tokens(7) == 2.5
    assert limiter.acquire(7, private=True) is None
    assert limiter.acquire(7, private=True) is None
    assert limiter.acquire(7, private=True) == 1  # 0.5 token left
    with pytest.raises(ValueError):
        RateLimiter(clock, private_burst=0)


async def test_edits_count_only_when_asked_and_callback_answers_never(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    assert "sendMessage" in MESSAGE_METHODS and "copyMessage" in MESSAGE_METHODS
    assert "forwardMessage" in MESSAGE_METHODS and "editMessageText" in EDIT_METHODS
    assert "answerCallbackQuery" not in MESSAGE_METHODS | EDIT_METHODS
    clock = FakeClock()
    async with FakeBotApi(enforce_limits=True, private_burst=1, clock=clock) as server:
        alice = server.user(1001, "Alice")
        async with Bot(server.token, base_url=server.base_url) as bot:
            sent = await bot.send_message(alice.id, "0", reply_markup=keyboard("a"))
            for k in range(1, 6):  # edits are free by default
                query = server.press(alice, sent.message_id, "a", force=True)
                await bot.answer_callback_query(query)
                await bot.edit_message_text(f"{k}", alice.id, sent.message_id,
                                            reply_markup=keyboard("a"))
            assert server.rate_limit_hits == 0
            server.count_edits = True
            clock.now += 1.0
            await bot.edit_message_text("6", alice.id, sent.message_id)
            with pytest.raises(RetryAfter):
                await bot.edit_message_text("7", alice.id, sent.message_id)
            with pytest.raises(RetryAfter):  # an edit took the chat's token: no message either
                await bot.send_message(alice.id, "x")
        answers = [c for c in server.call_log if c.method == "answerCallbackQuery"]
        assert len(answers) == 5 and all(c.ok and not c.counted for c in answers)
        assert {c.chat_id for c in answers} == {1001}  # the chat of the pressed message
        edits = [c for c in server.call_log if c.method == "editMessageText"]
        assert [(c.status, c.counted) for c in edits] == [(200, False)] * 5 + [
            (200, True),
            (429, True),
        ]
        assert all(c.message_id == sent.message_id for c in edits)
        assert server.rate_limit_hits == 2


async def test_call_log_records_method_chat_time_and_status(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(1001, "Alice")
    first = await bot.send_message(alice.id, "bonjour")
    with pytest.raises(BadRequest):
        await bot.send_message(424242, "personne")
    await bot.get_updates(timeout=0)
    methods = [(c.method, c.chat_id, c.status, c.message_id) for c in server.call_log]
    assert ("sendMessage", 1001, 200, first.message_id) in methods
    assert ("sendMessage", 424242, 400, None) in methods
    assert ("getUpdates", None, 200, None) in methods
    assert all(c.at <= c.done and not c.counted for c in server.call_log)  # limits are off
    message = server.messages(alice)[0]
    assert message.sent_at is not None and message.shown_at == message.sent_at
    await bot.edit_message_text("re", alice.id, first.message_id)
    assert message.edited_at is not None and message.shown_at == message.edited_at
    async with FakeBotApiClient(server.url) as client:
        log = await client.call_log(since=len(server.call_log) - 1)
        assert [entry["method"] for entry in log] == ["editMessageText"]
        config = await client.configure(enforce_limits=True, private_burst=2, count_edits=True)
        assert config == {"enforce_limits": True, "strict_ampersand": True,
                          "count_edits": True, "private_burst": 2}
    server.reset()
    assert server.call_log == []


def test_rate_limiter_global_limit() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    assert all(limiter.acquire(user_id, private=True) is None for user_id in range(30))
    assert limiter.acquire(99, private=True) == 1
    clock.now += 1.0
    assert limiter.acquire(99, private=True) is None


# ------------------------------------------------------------------ HTML parsing


def test_parse_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_html(
        '👋 <b>Salut <i>toi</i></b> &lt;3 <a href="https://ex.org/?a=1&amp;b=2">lien</a> '
        '<pre><code class="language-python">x = 1</code></pre>'
        '<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>'
    )
    assert text == "👋 Salut toi <3 lien x = 1sq"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 9, "length": 3},
        {"type": "text_link", "offset": 16, "length": 4, "url": "https://ex.org/?a=1&b=2"},
        {"type": "pre", "offset": 21, "length": 5, "language": "python"},
        {"type": "spoiler", "offset": 26, "length": 1},
        {"type": "expandable_blockquote", "offset": 27, "length": 1},
    ]


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("é<br/>", 'Unsupported start tag "br/" at byte offset 2'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ('<a href="x>y', "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("1 & 2", 'Unescaped "&" at byte offset 2; write "&amp;"'),
        ("&nbsp;", 'Unescaped "&" at byte offset 0; write "&amp;"'),
    ],
)
def test_parse_html_errors(html: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(html)
    assert str(caught.value) == error


def test_parse_html_lenient_ampersand_matches_telegram() -> None:
    assert parse_html("1 & 2 &#233;&#x41;", strict_ampersand=False) == ("1 & 2 éA", [])


# ------------------------------------------------------------------ separate process


async def test_runs_as_a_separate_process() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.e2e.fake_bot_api",
        "--port",
        "0",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode().strip()
        assert line.startswith("FAKE_BOT_API_URL=http://127.0.0.1:")
        url = line.split("=", 1)[1]
        async with FakeBotApiClient(url) as client:
            await client.user(3003, "Chloé")
            async with Bot(
                DEFAULT_TOKEN, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot"
            ) as remote_bot:
                await remote_bot.send_message(3003, "depuis un autre processus")
                await client.send_text(3003, "merci")
                updates = await remote_bot.get_updates(timeout=1)
            assert updates[0].message is not None and updates[0].message.text == "merci"
            messages = await client.messages(3003)
            assert messages[0]["text"] == "depuis un autre processus"
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 10) == 0
