"""Alliances written straight into the database (faster than 200 dialogues), for the tests
of reminder waves."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import open_store
from tests.e2e.fake_bot_api import FakeBotApi

MID_COURSE = "c’est le point d’étape à mi-parcours"
REPEAT = "peut-être déjà parvenu"  # a reminder whose delivery was cut short, sent again


def chat_of(alliance: int, member: int) -> int:
    """The Telegram id of a seeded member."""
    return 700_000_000 + alliance * 100 + member


def seed_alliances(url: str, server: FakeBotApi, alliances: int, size: int, due: datetime,
                   first: int = 0) -> list[int]:
    """`alliances` alliances (numbered from `first`) of `size` members (the first
    coordinates), in the mid-course phase from `due`, each member's mid-course reminder due
    then; their Telegram users in the fake. Returns the chat ids, in reminder id order."""
    chats = []
    store = open_store(url)
    try:
        with store.unit_of_work() as uow:
            for a in range(first, first + alliances):
                alliance = uow.add_alliance(f"Alliance {a}", due - timedelta(days=90),
                                            due + timedelta(days=90), due, f"CODE-{a}",
                                            "Europe/Paris", due - timedelta(days=90))
                org = uow.add_organisation(alliance.id, f"Asso {a}", "association")
                for m in range(size):
                    chat = chat_of(a, m)
                    server.user(chat, f"Membre {a}-{m}")
                    person = uow.get_or_create_person("telegram", str(chat), f"Membre {a}-{m}")
                    member = uow.add_member(alliance.id, org.id, person.id,
                                            "coordinator" if m == 0 else "partner",
                                            due - timedelta(days=90))
                    uow.plan_reminder(alliance.id, member.id, "phase", "mi-parcours", 0, due)
                    chats.append(chat)
    finally:
        store.close()
    return chats
