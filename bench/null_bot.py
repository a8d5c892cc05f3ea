"""A do-nothing python-telegram-bot 22 bot: the floor that bench/step_cost.py compares with.

It does what any PTB bot does for a button press and nothing else: long polling, one update
at a time (PTB's default, as charte-bot), `query.answer()` then `query.edit_message_text(...)`
with an inline keyboard; /start sends a message with the button. No database, no rate limiter,
no logging. What it costs per press is what python-telegram-bot and httpx cost for the three
HTTP exchanges of a round trip (the update, the answer, the edit).

    TELEGRAM_BOT_TOKEN=… TELEGRAM_API_URL=http://127.0.0.1:PORT python -m bench.null_bot

It refuses to start without TELEGRAM_API_URL: it is meant for the fake Bot API only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

LABEL = "Suivant ▶"


def keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(LABEL, callback_data="next")]])


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text("Bonjour ! Appuyez sur le bouton.",
                                                  reply_markup=keyboard())


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    presses = context.chat_data.get("presses", 0) + 1 if context.chat_data is not None else 1
    if context.chat_data is not None:
        context.chat_data["presses"] = presses
    # A new text each time: Telegram refuses an edit that changes nothing.
    await query.edit_message_text(f"Étape {presses}. Appuyez encore.", reply_markup=keyboard())


def main(argv: Sequence[str] | None = None) -> int:
    token = os.environ.get("TELEGRAM_BOT_TOKEN")
    api = os.environ.get("TELEGRAM_API_URL")
    if not token or not api:
        print("null_bot: set TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL (the fake Bot API)",
              file=sys.stderr)
        return 2
    root = api.rstrip("/")
    application = (
        Application.builder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .build()
    )
    application.add_handler(CommandHandler("start", on_start))
    application.add_handler(CallbackQueryHandler(on_press))
    application.run_polling(allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY],
                            drop_pending_updates=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
