"""The composition root: settings from the environment, every adapter wired here."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dialogues.app.claimant import CLAIM_TTL, Claimant
from dialogues.app.engine import Engine
from dialogues.app.notification_jobs import NotificationService
from dialogues.app.reminder_jobs import ReminderService
from dialogues.app.retention_job import RetentionService
from dialogues.app.service import CharterService
from dialogues.content.bundle import Content, load_content
from dialogues.core.errors import ContentError
from dialogues.core.ports import Store
from dialogues.reminders.policy import Policy, parse_time
from storage import open_store

DEFAULT_TIMEZONE = "Europe/Paris"


@dataclass(frozen=True)
class App:
    content: Content
    store: Store
    engine: Engine
    service: CharterService
    reminders: ReminderService
    retention: RetentionService
    timezone: str
    notifications: NotificationService | None = None


def build_app(
    store: Store | None = None,
    clock: Callable[[], datetime] | None = None,
    content: Content | None = None,
    timezone: str | None = None,
    policy: Policy | None = None,
    instance: str | None = None,
) -> App:
    """Wire the real adapters; tests pass their own store, clock or content.

    `instance`: this process's default name for its claims (dialogues.app.claimant);
    CHARTE_INSTANCE overrides it.
    """
    content = content or load_content()
    timezone = timezone or os.environ.get("CHARTE_TIMEZONE") or DEFAULT_TIMEZONE
    store = store or open_store()
    clock = clock or _now
    claimant = claimant_from_env(instance or default_instance())
    policy = policy or policy_from_env()
    engine = Engine(content, timezone, policy.reminder_time)
    reminders = ReminderService(store, content.charter, engine.reminders, clock, policy,
                                claimant)
    service = CharterService(store, engine, content.charter, clock, timezone,
                             replan=reminders.replan, arrivals_window=arrivals_window_from_env())
    retention = RetentionService(store, content.script, clock, retention_months_from_env(),
                                 claimant.name)
    notifications = NotificationService(store, engine.arrivals, clock)
    return App(content, store, engine, service, reminders, retention, timezone, notifications)


def arrivals_window_from_env() -> timedelta:
    """CHARTE_ARRIVALS_WINDOW_SECONDS (180): arrivals told to a coordinator within this time of
    the first go in one message."""
    text = os.environ.get("CHARTE_ARRIVALS_WINDOW_SECONDS") or "180"
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1
    if not 0 <= seconds <= 24 * 3600:
        raise ContentError("environment", "CHARTE_ARRIVALS_WINDOW_SECONDS",
                           f"expected a number of seconds (0 to 86400), got {text!r}")
    return timedelta(seconds=seconds)


def default_instance(port: int | None = None) -> str:
    """This machine, and the webhook port (two processes on one machine listen on two ports)."""
    return f"{socket.gethostname()}:{port if port is not None else 'polling'}"


def claimant_from_env(default_name: str) -> Claimant:
    """CHARTE_INSTANCE (the process's name; keep it across restarts) and
    CHARTE_CLAIM_SECONDS (how long a claim holds; 600)."""
    name = (os.environ.get("CHARTE_INSTANCE") or default_name).strip()[:200]
    text = os.environ.get("CHARTE_CLAIM_SECONDS") or ""
    try:
        ttl = timedelta(seconds=float(text)) if text else CLAIM_TTL
    except ValueError as err:
        raise ContentError("environment", "CHARTE_CLAIM_SECONDS",
                           f"expected a number of seconds, got {text!r}") from err
    if ttl <= timedelta(0):
        raise ContentError("environment", "CHARTE_CLAIM_SECONDS",
                           f"expected a positive number of seconds, got {text!r}")
    return Claimant(name or default_name, ttl)


def retention_months_from_env() -> int:
    text = os.environ.get("CHARTE_RETENTION_MONTHS") or "24"
    if not text.isdigit() or int(text) < 1:
        raise ContentError("environment", "CHARTE_RETENTION_MONTHS",
                           f"expected a number of months, got {text!r}")
    return int(text)


def policy_from_env() -> Policy:
    """CHARTE_REMINDER_TIME (09:00) and CHARTE_NUDGE_DAYS (3,7)."""
    time_text = os.environ.get("CHARTE_REMINDER_TIME") or "09:00"
    days_text = os.environ.get("CHARTE_NUDGE_DAYS") or "3,7"
    try:
        days = tuple(int(d) for d in days_text.split(",") if d.strip())
        return Policy(reminder_time=parse_time(time_text), nudge_days=days)
    except ValueError as err:
        raise ContentError("environment", "CHARTE_REMINDER_TIME / CHARTE_NUDGE_DAYS",
                           f"invalid value: {err}") from err


def _now() -> datetime:
    return datetime.now(UTC)
