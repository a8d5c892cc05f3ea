"""The `charte-bot` command: start, run, console, export, stats, backup, observatoire."""

from __future__ import annotations

import argparse
import os
import sys

from dotenv import load_dotenv

from bot import texts
from dialogues.core.errors import CharteError, ContentError


def main(argv: list[str] | None = None) -> int:
    load_dotenv()
    parser = argparse.ArgumentParser(prog="charte-bot", description="Charte du faire alliance")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("start", help="Telegram if TELEGRAM_BOT_TOKEN is set, else the console")
    run = sub.add_parser("run", help="the Telegram bot")
    run.add_argument("--webhook", metavar="URL", help="webhook mode at this public URL")
    run.add_argument("--port", type=int, default=8443, help="webhook listening port")
    console = sub.add_parser("console", help="walk the charter in the terminal")
    console.add_argument("--user", help="who you are in the console (default: login name)")
    export = sub.add_parser("export", help="answers as CSV or JSON on standard output")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--alliance", metavar="NAME_OR_ID")
    stats = sub.add_parser("stats", help="counts for whoever runs the bot (no personal data)")
    stats.add_argument("--json", action="store_true", help="machine-readable output")
    backup = sub.add_parser("backup", help="a consistent copy of the SQLite database, while "
                                           "the bot runs (PostgreSQL: pg_dump)")
    backup.add_argument("path", metavar="PATH", help="the copy to write (must not exist)")
    observatory = sub.add_parser(
        "observatoire", help="figures across all alliances, identifying none; "
                             "--suggestions: suggestions about the charter's text, no names")
    observatory.add_argument("--format", choices=("csv", "json"), default="csv")
    observatory.add_argument("--suggestions", action="store_true",
                             help="the suggestions sent with /suggestion, without names")
    args = parser.parse_args(argv)

    try:
        texts.check()
        if args.command == "start":
            if os.environ.get("TELEGRAM_BOT_TOKEN"):
                return _run_telegram(None, 8443)
            return _console(None)
        if args.command == "run":
            return _run_telegram(args.webhook, args.port)
        if args.command == "console":
            return _console(args.user)
        if args.command == "stats":
            return _stats(args.json)
        if args.command == "backup":
            return _backup(args.path)
        if args.command == "observatoire":
            return _observatory(args.format, args.suggestions)
        return _export(args.format, args.alliance)
    except ContentError as err:
        print(texts.say("cli.content_error", error=err), file=sys.stderr)
        return 2
    except CharteError as err:
        print(texts.say("cli.storage_error", error=err), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _console(user: str | None) -> int:
    from bot.compose import build_app
    from bot.console import run_console

    app = build_app()
    try:
        return run_console(app.service, user)
    finally:
        app.store.close()


def _run_telegram(webhook: str | None, port: int) -> int:
    token = os.environ.get("TELEGRAM_BOT_TOKEN")
    if not token:
        print(texts.say("cli.credentials_missing"), file=sys.stderr)
        return 2
    from bot.telegram_app import run_bot

    return run_bot(token, webhook=webhook, port=port)


def _stats(as_json: bool) -> int:
    import json

    from storage import open_store

    store = open_store()
    try:
        with store.unit_of_work() as uow:
            counts = uow.stats()
    finally:
        store.close()
    if as_json:
        print(json.dumps(counts, indent=2, sort_keys=True))
        return 0
    for key, value in counts.items():
        if isinstance(value, dict):
            print(texts.say(f"stats.{key}"))
            for phase, count in value.items():
                print(f"  {phase} : {count}")
        else:
            print(texts.say(f"stats.{key}", n=value))
    return 0


def _export(fmt: str, alliance: str | None) -> int:
    from bot.compose import load_content
    from dialogues.accord.export import agreement_records
    from dialogues.summary.export import records, to_csv, to_json
    from storage import open_store

    content = load_content()
    store = open_store()
    try:
        with store.unit_of_work() as uow:
            alliance_id = None
            if alliance is not None:
                found = ([uow.get_alliance(int(alliance))] if alliance.isdigit()
                         else uow.find_by_name(alliance))
                found = [a for a in found if a is not None]
                if not found:
                    print(texts.say("cli.alliance_not_found", alliance=alliance), file=sys.stderr)
                    return 1
                if len(found) > 1:
                    ids = ", ".join(str(a.id) for a in found)
                    print(texts.say("cli.alliance_ambiguous", ids=ids), file=sys.stderr)
                    return 1
                alliance_id = found[0].id
            rows = uow.export_rows(alliance_id)
            agreements = []
            if fmt == "json":  # the CSV keeps its columns: one row per answer
                chosen = ([a for a in [uow.get_alliance(alliance_id)] if a is not None]
                          if alliance_id is not None else uow.all_alliances())
                agreements = agreement_records(uow, chosen, content.charter)
    finally:
        store.close()
    items = records(rows, content.charter, content.script)
    sys.stdout.write(to_csv(items) if fmt == "csv" else to_json(items, agreements))
    return 0


def _backup(target: str) -> int:
    from pathlib import Path

    from storage.backup import backup_sqlite
    from storage.errors import StorageError
    from storage.url import database_path, is_postgres, resolve_url

    url = resolve_url()
    if is_postgres(url):
        print(texts.say("cli.backup_postgres", path=target), file=sys.stderr)
        return 2
    source = database_path(url)
    if not isinstance(source, Path):
        print(texts.say("cli.backup_failed", error="in-memory database"), file=sys.stderr)
        return 2
    try:
        report = backup_sqlite(source, Path(target).resolve())
    except StorageError as err:
        print(texts.say("cli.backup_failed", error=err), file=sys.stderr)
        return 1
    print(texts.say("cli.backup_done", path=report.path,
                    size=f"{report.size / 1e6:.1f}".replace(".", ","),
                    version=report.schema_version, alliances=report.alliances,
                    answers=report.answers))
    return 0


def _observatory(fmt: str, suggestions: bool) -> int:
    from bot.compose import load_content
    from dialogues.observatory.report import (
        COLUMNS,
        SUGGESTION_COLUMNS,
        ObservatoryReport,
        to_csv,
        to_json,
    )
    from storage import open_store

    content = load_content()
    report = ObservatoryReport(content.charter, content.script)
    store = open_store()
    try:
        with store.unit_of_work() as uow:
            if suggestions:
                rows = report.suggestion_records(uow.suggestions())
                columns = SUGGESTION_COLUMNS
            else:
                answers = uow.network_answers()
                if not answers:
                    print(texts.say("cli.observatory_empty"), file=sys.stderr)
                rows = report.records(answers)
                columns = COLUMNS
    finally:
        store.close()
    sys.stdout.write(to_csv(rows, columns) if fmt == "csv" else to_json(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
