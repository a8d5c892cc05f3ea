"""Cutting long HTML messages: every piece within the limit, valid for Telegram's HTML parser
(the fake Bot API's strict one), nothing lost but the blanks at the cuts."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.split import LIMIT, plain_text, split_html, visible_length
from tests.e2e.fake_bot_api import parse_html


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check(pieces: list[str], limit: int) -> list[tuple[str, list[dict]]]:
    """Each piece parses like Telegram would, fits, and shows something."""
    parsed = []
    for piece in pieces:
        shown, entities = parse_html(piece)  # raises on unbalanced tags or broken entities
        assert utf16(shown) <= limit, (utf16(shown), piece[:80])
        assert visible_length(piece) == utf16(shown)
        assert shown.strip(), piece
        parsed.append((shown, entities))
    return parsed


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_a_short_message_is_left_alone():
    text = "<b>Levier 1/21</b>\n<i>Respect &amp; confiance</i>"
    assert split_html(text) == [text]
    assert visible_length(text) == len("Levier 1/21\nRespect & confiance")


def test_a_blank_message_gives_no_piece():
    assert split_html("") == []
    assert split_html(" \n <b> </b>\n") == []


def test_lines_are_kept_whole_when_possible():
    lines = [f"{n}. <b>Levier {n}</b> : " + "mot " * 30 for n in range(1, 80)]
    pieces = split_html("\n".join(lines), 1000)
    assert len(pieces) > 1
    for shown, _ in check(pieces, 1000):
        assert re.match(r"\d+\. Levier", shown), shown[:30]


def test_a_tag_spanning_lines_is_closed_and_reopened_at_each_cut():
    body = "\n".join(f"ligne {n} " + "texte " * 20 for n in range(60))
    pieces = split_html(f"<i>intro</i>\n<b>{body}</b>\nfin", 1000)
    parsed = check(pieces, 1000)
    assert len(parsed) > 3
    for shown, entities in parsed[1:-1]:
        assert {"type": "bold", "offset": 0, "length": utf16(shown)} in entities


def test_a_link_is_reopened_with_its_address():
    link = '<a href="https://example.org/?a=1&amp;b=2">' + "lien " * 500 + "</a>"
    pieces = split_html(link, 700)
    for piece, (_, entities) in zip(pieces, check(pieces, 700), strict=True):
        assert piece.startswith('<a href="https://example.org/?a=1&amp;b=2">')
        assert entities[0]["type"] == "text_link"
        assert entities[0]["url"] == "https://example.org/?a=1&b=2"


def test_a_line_longer_than_the_limit_is_cut_between_words_then_characters():
    words = split_html("mot " * 2000)
    assert all(not piece.endswith(" ") and not piece.startswith(" ") for piece in words)
    check(words, LIMIT)
    letters = split_html("x" * 10_000)
    assert [len(p) for p in letters] == [4096, 4096, 1808]


def test_entities_are_never_cut_and_count_one_character():
    text = "&amp;&lt;&#233;&#x1F600;" * 1500
    pieces = split_html(text, 1000)
    parsed = check(pieces, 1000)
    assert "".join(shown for shown, _ in parsed) == html.unescape(text)


def test_hostile_names_stay_text():
    name = "<b>Asso</b> </a> & Co &amp;"
    text = "\n".join(f"• {html.escape(name, quote=False)} — réponse {n}" for n in range(400))
    parsed = check(split_html(text, 500), 500)
    assert all(entities == [] for _, entities in parsed)
    assert sum(shown.count(name) for shown, _ in parsed) == 400


def test_emoji_count_two():
    pieces = split_html("😀" * 3000, 4096)
    assert [len(p) for p in pieces] == [2048, 952]


def test_plain_text_drops_tags_and_decodes_entities():
    assert plain_text('<b>A &amp; B</b> <a href="x">&lt;c&gt;</a>') == "A & B <c>"


# --- any HTML the engine could produce -------------------------------------------------------

TEXT = st.text(st.sampled_from("abc éà<>&\"'\n 😀—«»"), min_size=0, max_size=60)
TAGS = ["b", "i", "u", "s", "code", 'a href="https://t.me/x?start=a&amp;b"', "tg-spoiler"]


@st.composite
def fragments(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 2 and draw(st.booleans()):
            tag = draw(st.sampled_from(TAGS))
            inner = draw(fragments(depth + 1))
            parts.append(f"<{tag}>{inner}</{tag.split()[0]}>")
        else:
            parts.append(html.escape(draw(TEXT), quote=False))
    return draw(st.sampled_from(["", "\n", " "])).join(parts)


@settings(max_examples=300, deadline=None)
@given(st.lists(fragments(), min_size=1, max_size=12), st.integers(8, 200))
def test_any_message_splits_into_valid_pieces_that_keep_every_character(chunks, limit):
    text = "\n".join(chunks)
    pieces = split_html(text, limit)
    parsed = check(pieces, limit)
    original, _ = parse_html(text)
    assert squeezed("".join(shown for shown, _ in parsed)) == squeezed(original)
