"""Property-based tests: nothing typed or pressed can crash the engine, the dialogue state stays
valid, and answers are only ever added or superseded, never lost.

Random event sequences of 1 to 3 people sharing an alliance go through the real service (with
the in-memory FakeStore here, with SQLite in tests/integration/test_properties_sqlite.py).
After every event, `World.do` checks what the person sees and what the store holds:

- the service never raises, and always answers something;
- every message has visible text and is well-formed Telegram HTML (only b, i, code, a, u, s,
  pre; balanced; every <, > and & of a typed text escaped); button data fits in 64 bytes;
- every stored session and walk round-trips through its dataclass and is valid (walk index in
  0..21, step within the lever's sequence, no form left waiting for the service...);
- answers are append-only: every earlier answer is still there, unchanged; an event writes at
  most one, for the member acting, at the lever and phase their walk was at;
- a forged or stale button never writes an answer;
- a typed level never changes an existing position without a yes to a confirmation;
- « Oui » pressed under « Remplacer par X ? » stores X, even under an older question.

Events are generated abstractly ("press the 3rd button of the last message", "a forged
button") and made concrete while the sequence runs, so a failing example shrinks to a short
readable sequence; the concrete events are printed with the failure (hypothesis `note`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, NamedTuple

import hypothesis.strategies as st
from hypothesis import HealthCheck, currently_in_test_context, example, given, note, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from bot.compose import build_app
from bot.render_text import plain
from dialogues.app.service import PersonRef
from dialogues.content.bundle import load_content
from dialogues.core.callbacks import decode
from dialogues.core.domain import PHASES, POSITIONS
from dialogues.core.events import Command, GroupCommand, Other, Press, Text
from dialogues.core.outgoing import Outgoing
from dialogues.core.session import DONT_KNOW, Session, WalkState
from dialogues.walk.buttons import WalkButton
from tests.fakes import FakeStore
from tests.helpers import Clock

CONTENT = load_content()  # loaded once per module: every example shares it (read-only)
CHARTER = CONTENT.charter
SCRIPT = CONTENT.script
LEVERS = CHARTER.levers
TOTAL = len(LEVERS)
TEXT_MAX = SCRIPT.text_max
STEP_COUNT = {lever.id: len(SCRIPT.sequences[CHARTER.family(lever.family_id).answer_kind])
              for lever in LEVERS}
STEP_KINDS = {lever.id: [s.kind for s in SCRIPT.sequences[CHARTER.family(lever.family_id)
                                                           .answer_kind]] for lever in LEVERS}

ALLOWED_TAGS = frozenset({"b", "i", "code", "a", "u", "s", "pre"})
ENTITIES = frozenset({"lt", "gt", "amp", "quot"})
FORM_STEPS = {  # the steps a form may rest in between two events
    "new": {"name", "org_name", "org_kind", "start", "end", "mid", "confirm"},
    "join": {"code", "org_choice", "org_name", "org_kind"},
}
CODE = "<the alliance's invitation code>"  # placeholder, replaced while running
INVITE_LINK = "https://t.me/charte_bot?start="
TEXT_FIELDS = ("comment", "contribution", "expectation")


# --- what the store holds ----------------------------------------------------------------------


class AnswerRow(NamedTuple):
    id: int
    alliance_id: int
    organisation_id: int
    member_id: int
    phase: str
    lever_id: str
    position: int | None
    comment: str | None
    contribution: str | None
    expectation: str | None
    charter_version: str


class MemberRow(NamedTuple):
    person_id: int
    alliance_id: int
    organisation_id: int


@dataclass(frozen=True)
class Snapshot:
    """Everything the properties read from a store, in plain values."""

    answers: tuple[AnswerRow, ...]  # oldest first
    sessions: dict[int, dict[str, Any]]  # person id -> stored session
    walks: dict[int, dict[str, Any]]  # member id -> stored walk
    members: dict[int, MemberRow]
    people: dict[str, int]  # external id -> person id

    def latest(self, member_id: int, phase: str, lever_id: str) -> AnswerRow | None:
        found = None
        for a in self.answers:
            if (a.member_id, a.phase, a.lever_id) == (member_id, phase, lever_id):
                found = a
        return found


def fake_snapshot(store: FakeStore) -> Snapshot:
    d = store.data
    return Snapshot(
        answers=tuple(AnswerRow(a.id, a.alliance_id, a.organisation_id, a.member_id, a.phase,
                                a.lever_id, a.position, a.comment, a.contribution,
                                a.expectation, a.charter_version) for a in d.answers),
        sessions={k: json.loads(v) for k, v in d.sessions.items()},
        walks={k: json.loads(v) for k, v in d.walks.items()},
        members={m.id: MemberRow(m.person_id, m.alliance_id, m.organisation_id)
                 for m in d.members.values()},
        people={p.external_id: p.id for p in d.people.values()},
    )


# --- well-formed Telegram HTML -------------------------------------------------------------------


class _TelegramHtml(HTMLParser):
    """Collects every problem Telegram's HTML parser would refuse or show raw."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close {self.stack[-1:] or 'anything'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for ch in "<>&":
            if ch in data:
                self.problems.append(f"raw {ch!r} in {data[:60]!r}")

    def handle_entityref(self, name: str) -> None:
        if name not in ENTITIES:
            self.problems.append(f"unknown entity &{name};")

    def handle_charref(self, name: str) -> None:
        pass

    def handle_comment(self, data: str) -> None:
        self.problems.append("HTML comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl[:30]!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append("processing instruction")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("unknown declaration")


_BARE_AMP = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


def html_problems(text: str) -> list[str]:
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    problems = parser.problems
    if parser.stack:
        problems.append(f"unclosed {parser.stack}")
    if parser.rawdata:  # an unfinished "<..." the parser kept back
        problems.append(f"unparsed {parser.rawdata[:60]!r}")
    if _BARE_AMP.search(text):
        problems.append("bare '&'")
    return problems


# --- the world: people chatting with the service -------------------------------------------------


class Shown(NamedTuple):
    """A button as a person saw it: its data, its label and the message it was under."""

    data: str
    label: str
    message: str


CONFIRM_POSITION = re.compile(r"Remplacer par <b>(.*?)</b> \?")


def is_yes(data: str) -> bool:
    """A walk's « Oui, remplacer » button."""
    button = decode(data)
    return isinstance(button, WalkButton) and button.action == "yes"


@dataclass
class World:
    """1-3 people in one alliance, the service, and the checks run after every event."""

    store: Any
    snapshot: Callable[[], Snapshot]
    n_people: int
    clock: Clock = field(default_factory=Clock)
    log: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.app = build_app(store=self.store, clock=self.clock, content=CONTENT,
                             timezone="Europe/Paris")
        self.people = [PersonRef("prop", f"p{i}", f"Personne {i}") for i in range(self.n_people)]
        self.last: list[list[Outgoing]] = [[] for _ in self.people]  # the last answer
        self.recent: list[list[Shown]] = [[] for _ in self.people]  # the last buttons shown
        self.history: list[list[Shown]] = [[] for _ in self.people]  # every button shown
        self.code = ""

    # --- setting up ---------------------------------------------------------------------------

    def setup(self, warm: bool = False) -> None:
        """Person 0 creates the alliance; the others join it (some with a new organisation).

        `warm`: everyone has already answered the first three levers and is back at the first
        one, so that typed changes of an existing answer (and their confirmation) are common.
        """
        self.do(0, Command("nouvelle"))
        self.do(0, Text("Alliance <Test> & co"))
        self.do(0, Text("Asso A"))
        self.press_label(0, "Association")
        self.do(0, Text("15/01/2027"))
        self.do(0, Text("15 décembre 2027"))
        self.press_label(0, "Garder cette date")
        out = self.press_label(0, "Oui, créer")
        created = next(m.text for m in out if "/rejoindre" in m.text)
        self.code = plain(created).split("/rejoindre ")[1].split(")")[0].strip()
        for i in range(1, self.n_people):
            self.do(i, Command("rejoindre", self.code))
            if i % 2:
                self.press_label(i, "Asso A")
            else:
                self.press_label(i, "Une autre organisation")
                self.do(i, Text(f"Mairie {i}"))
                self.press_label(i, "Collectivité")
        for i in range(self.n_people):
            self.do(i, Command("charte"))
            if warm:
                for k in range(3):
                    self.press_label(i, SCRIPT.levels[(i + k) % 4 + 1])
                    self.do(i, Text(f"Condition {k} de <{i}> & co"))
                    if any("Qu’attend" in m.text for m in self.last[i]):
                        self.do(i, Text("attente"))
                self.do(i, Command("levier", LEVERS[0].id))

    def press_label(self, actor: int, label: str) -> list[Outgoing]:
        button = next(b for b in self.recent[actor] if label in b.label)
        return self.do(actor, Press(button.data), under=button.message)

    # --- running abstract actions -------------------------------------------------------------

    def act(self, action: tuple[Any, ...]) -> None:
        kind = action[0]
        if kind == "clock":
            self.clock.advance(days=action[1])
            self.log.append(f"clock +{action[1]} days")
            return
        actor = action[1] % self.n_people
        if kind == "text":
            self.do(actor, Text(action[2]))
        elif kind == "command":
            arg = self.code if action[3] == CODE else action[3]
            self.do(actor, Command(action[2], arg))
        elif kind == "group":
            arg = self.code if action[4] == CODE else action[4]
            self.do(actor, GroupCommand(action[2], action[3], arg))
        elif kind == "other":
            self.do(actor, Other(action[2]))
        elif kind == "press":
            data, under = self.button(actor, action[2], action[3])
            self.do(actor, Press(data), under=under)
        else:
            raise AssertionError(action)

    def button(self, actor: int, how: str, pick: Any) -> tuple[str, str | None]:
        """(data, message it was under) of the button an abstract press action means."""
        recent, history = self.recent[actor], self.history[actor]
        if how == "confirm":  # « Oui » of any confirmation this person was ever asked
            history = [b for b in history if is_yes(b.data)]
            how = "old"
        pool = recent if how == "last" and recent else history
        if how in ("last", "old") and pool:
            chosen = pool[pick % len(pool)]
            return chosen.data, chosen.message
        if how == "other":  # a button shown to someone else
            others = [b for i, h in enumerate(self.history) if i != actor for b in h]
            return (others[pick % len(others)].data, None) if others else ("garbage", None)
        if how == "mutate":  # a button just shown, or an older one, with one field changed
            index, field_no, value = pick
            datas = [b.data for b in recent + history] or ["w:1:lancement:0:0:3:"]
            parts = datas[index % len(datas)].split(":")
            parts[field_no % len(parts)] = value
            return ":".join(parts), None
        if how == "forged":
            return pick, None
        return "garbage", None

    # --- one event and every check ------------------------------------------------------------

    def do(self, actor: int, event: object, under: str | None = None) -> list[Outgoing]:
        """Run one event for person `actor` (a Press `under` that message) and check it."""
        ref = self.people[actor]
        before = self.snapshot()
        person_id = before.people.get(ref.external_id)
        session = Session.from_dict(before.sessions.get(person_id)) if person_id else Session()
        member_id = session.member_id
        if member_id is not None and before.members[member_id].person_id != person_id:
            member_id = None
        walk = WalkState.from_dict(before.walks.get(member_id)) if member_id else None
        shown = {b.data for b in self.history[actor]}
        self.log.append(f"{ref.external_id}: {_short(event)}")
        if currently_in_test_context():
            note(self.log[-1])

        out = list(self.app.service.handle(ref, event, INVITE_LINK).outgoing)  # never raises

        after = self.snapshot()
        check_messages(out)
        check_states(after)
        new = check_answers(before, after, person_id=after.people[ref.external_id],
                            member_id=member_id, walk=walk, event=event, shown=shown)
        if new is not None and under is not None and isinstance(event, Press) \
                and is_yes(event.data):
            # « Oui » pressed under « Remplacer par X ? » stores X, whatever came since.
            named = CONFIRM_POSITION.search(under)
            if named:
                assert SCRIPT.position_label(new.position) == named.group(1), (
                    f"« Oui » under {under!r} stored {SCRIPT.position_label(new.position)!r}")
        self._remember(actor, out)
        return out

    def _remember(self, actor: int, out: list[Outgoing]) -> None:
        self.last[actor] = out
        shown = [Shown(b.data, b.label, m.text) for m in out for row in m.buttons for b in row]
        if shown:
            self.recent[actor] = shown
            self.history[actor].extend(shown)


def _short(event: object) -> str:
    text = repr(event)
    return text if len(text) <= 200 else f"{text[:120]}…({len(text)} chars)…{text[-40:]}"


# --- the properties ------------------------------------------------------------------------------


def check_messages(out: Sequence[Outgoing]) -> None:
    assert out, "every event gets an answer"
    for m in out:
        assert plain(m.text).strip(), f"empty message in {out!r}"
        problems = html_problems(m.text)
        assert not problems, f"ill-formed HTML {problems} in {m.text[:500]!r}"
        for row in m.buttons:
            assert row, "an empty row of buttons"
            for b in row:
                assert b.label.strip(), f"a button without a label: {b!r}"
                assert b.data and len(b.data.encode()) <= 64, f"button data {b.data!r}"


def as_json(state: dict[str, Any]) -> Any:
    """A state as the store gives it back (tuples become lists)."""
    return json.loads(json.dumps(state, ensure_ascii=False, allow_nan=False))


def check_walk(raw: dict[str, Any]) -> None:
    walk = WalkState.from_dict(raw)
    assert walk is not None and as_json(walk.to_dict()) == raw, f"walk does not round-trip: {raw}"
    assert walk.phase in PHASES
    assert 0 <= walk.index <= TOTAL, raw
    if walk.index == TOTAL:
        assert walk.step == 0, f"finished walk with a step: {raw}"
        assert walk.pending is None and walk.draft is None, raw
        return
    lever = LEVERS[walk.index]
    assert 0 <= walk.step < STEP_COUNT[lever.id], f"step out of {lever.id}'s sequence: {raw}"
    kind = STEP_KINDS[lever.id][walk.step]
    assert all(0 <= i <= TOTAL for i in walk.queue), raw
    if walk.draft is not None:  # typed at the scale, offered at the lever's first text step
        assert walk.step in (0, 1) and 0 < len(walk.draft) <= TEXT_MAX, raw
    if walk.pending is not None:
        assert not walk.paused, f"paused with a pending confirmation: {raw}"
        pending_kind = "position" if walk.pending.kind == "keep" else walk.pending.kind
        assert pending_kind == kind, f"pending {walk.pending.kind} at a {kind} step: {raw}"
        if walk.pending.kind == "keep":
            pass
        elif kind == "position":
            assert walk.pending.position in (DONT_KNOW, *POSITIONS), raw
        else:
            assert walk.pending.text and len(walk.pending.text) <= TEXT_MAX, raw


def check_states(snap: Snapshot) -> None:
    for person_id, raw in snap.sessions.items():
        session = Session.from_dict(raw)
        assert as_json(session.to_dict()) == raw, f"session does not round-trip: {raw}"
        if session.member_id is not None:
            member = snap.members.get(session.member_id)
            assert member is not None and member.person_id == person_id, \
                f"session of person {person_id} points at member {session.member_id}"
        if session.form is not None:
            form = session.form
            assert form.step in FORM_STEPS.get(form.kind, ()), f"form stuck in {form}"
    for member_id, raw in snap.walks.items():
        assert member_id in snap.members
        check_walk(raw)


def check_answers(before: Snapshot, after: Snapshot, *, person_id: int, member_id: int | None,
                  walk: WalkState | None, event: object, shown: set[str]) -> AnswerRow | None:
    """Check the answers an event wrote; returns the one it wrote, if any."""
    n = len(before.answers)
    assert after.answers[:n] == before.answers, "an earlier answer was changed or deleted"
    new = after.answers[n:]
    assert len(new) <= 1, f"one event wrote {len(new)} answers"
    if not new:
        return None
    (answer,) = new
    assert isinstance(event, Text | Press), f"{event!r} wrote an answer"
    # Written for the member acting, at the lever and phase their walk was at.
    assert answer.member_id == member_id, f"answer for member {answer.member_id}, not {member_id}"
    member = after.members[answer.member_id]
    assert member.person_id == person_id
    assert (answer.alliance_id, answer.organisation_id) == (member.alliance_id,
                                                            member.organisation_id)
    assert walk is not None and walk.index < TOTAL, f"answer written with no walk: {walk}"
    assert (answer.phase, answer.lever_id) == (walk.phase, LEVERS[walk.index].id), \
        f"answer {answer.phase}/{answer.lever_id} while the walk was at {walk}"
    assert not walk.paused, "an answer written while paused"
    assert answer.position is None or answer.position in POSITIONS
    assert answer.charter_version == CHARTER.version
    for name in TEXT_FIELDS:
        value = getattr(answer, name)
        assert value is None or 0 < len(value) <= TEXT_MAX, f"{name} of {len(value or '')}"
    old = before.latest(answer.member_id, answer.phase, answer.lever_id)
    if isinstance(event, Press):
        # Only a button shown to this person, for the very question their walk was at.
        assert event.data in shown, f"a forged button wrote an answer: {event.data!r}"
        button = decode(event.data)
        assert isinstance(button, WalkButton), event.data
        assert (button.member, button.phase, button.index, button.step) == (
            member_id, walk.phase, walk.index, walk.step
        ), f"stale button {event.data!r} wrote an answer; walk was {walk}"
    elif old is not None and old.position != answer.position:
        # A typed level never changes an existing position without a yes.
        pending = walk.pending
        assert pending is not None and pending.kind == "position", \
            f"typed {event!r} changed {old.position} -> {answer.position} without confirmation"
        wanted = None if pending.position == DONT_KNOW else pending.position
        assert answer.position == wanted
    return answer


# --- strategies ----------------------------------------------------------------------------------

LEVEL_WORDS = ("engagé", "Engagé !", "3", "2", "4", "1", "jsp", "je ne sais pas", "ancré",
               "à découvrir", "en réflexion", "on est engagés", "3/4", "engagéééé", "pas engagé",
               "plutôt ancré", "niveau 2", "ENGAGE", "0", "5", "🤷")
NAV_WORDS = ("passer", "suivant", "retour", "pause", "reprendre", "aide", "synthèse", "oui",
             "non", "ok", "Oui !", "non merci", "oui engagé", "continuer", "stop")
LEVER_NAMES = tuple(sorted({x for lever in LEVERS for x in (lever.id, lever.title, lever.short)}))
SENTENCES = (
    "Nous voulons avancer mais il faut d'abord que le conseil d'administration valide",
    "<script>alert('x')</script>",
    "<b>nous</b> & vous 🤝 pour un avenir commun",
    "a < b > c & d &amp; &lt;i&gt; &#60; &unknown;",
    "</b></i><pre>",
    "Un animateur à mi-temps",
    "Des décisions partagées",
    "ligne 1\nligne 2\n\nligne 4",
    "15/01/2027",
    "15 décembre 2027",
    "2027-07-01",
    "1er juillet 2027",
    "Association",
    "collectivité",
    "Mairie B",
    "Asso A",
    "{alliance} {0} %s {{}}",
    "\u202eRTL\u200b\ufeff",
    "👍",
    "?",
)
CONTROL = "".join(chr(c) for c in (*range(0, 32), 127))


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, picked in proportion to its weight.

    (st.one_of flattens nested one_of and merges repeated branches, so repeating a branch does
    not weigh it.) Hypothesis draws the ends of an integer range more often than the middle:
    the first choice sits at both ends, so rare choices stay rare. A failing example shrinks
    towards the first choice.
    """
    (first_weight, first), *rest = choices
    half = first_weight // 2
    table = [first] * half + [s for w, s in rest for _ in range(w)] + [first] * (first_weight
                                                                                - half)
    return st.integers(0, len(table) - 1).flatmap(lambda i: table[i])


def _texts() -> st.SearchStrategy[str]:
    levels = st.sampled_from(LEVEL_WORDS)
    navs = st.sampled_from(NAV_WORDS)
    fixed = st.sampled_from(SENTENCES)
    levers = st.sampled_from(LEVER_NAMES)
    noisy = st.text(alphabet=st.sampled_from(CONTROL + " <>&éà🤝\u200d\ufe0f") | st.characters(),
                    max_size=40)
    long = st.one_of(
        st.builds(lambda piece, n: (piece * n)[:5000], st.text(min_size=1, max_size=12),
                  st.integers(100, 5000)),
        st.builds(lambda n, ch: ch * n, st.sampled_from((1999, 2000, 2001, 4096, 5000)),
                  st.sampled_from(("x", "é", "🤝", "<"))),
        st.builds(lambda n: "\x00" + "y" * n + "\x07", st.sampled_from((2000, 2001))),
        st.builds(lambda n: ("a <b> & c " * 200)[:n], st.integers(1000, 2000)),
    )
    anything = st.one_of(levels, navs, fixed, levers)
    combined = st.builds(lambda a, b: f"{a} {b}", anything, anything)
    # Mostly what people type during a walk; now and then anything at all.
    return weighted((4, levels), (3, navs), (2, fixed), (1, levers), (1, combined), (1, noisy),
                    (1, long), (1, st.text()))


TEXTS = _texts()
FORGED = st.one_of(
    st.sampled_from(("garbage", "", ":", "w", "w:", "w::::::", "w:1:lancement:0:0:3:",
                     "w:999:lancement:0:0:1:", "w:3:x:0:0:3:", "w:3:lancement:-1:0:3:",
                     "w:3:lancement:99:0:3:", "w:3:lancement:0:9:3:", "w:3:lancement:0:0:yes:",
                     "w:3:lancement:0:0:yes:1", "f:new:name:cancel", "f:join:org_choice:999",
                     "f:new:mid:2099-01-01", "a:1", "a:999", "c:1", "c:999", "x:1:1",
                     "w:3:lancement:0:0:1::extra", "ｗ:3:lancement:0:0:3:", "m:1:2:remove:1",
                     "i:1:yes", "o:all", "q:1:1", "dq:open:yes", "s:1:fin:h")),
    st.text(max_size=70),
)
MUTATIONS = st.tuples(st.integers(0, 200), st.integers(0, 5),
                      st.sampled_from(("0", "1", "2", "3", "4", "5", "9", "21", "22", "-1",
                                       "l", "m", "f", "u", "yes", "no", "append", "resume",
                                       "skip", "back", "pause", "cancel", "new", "", "x")))


def actions(n_people: int) -> st.SearchStrategy[tuple[Any, ...]]:
    who = st.integers(0, n_people - 1)
    text = st.tuples(st.just("text"), who, TEXTS)
    press_last = st.tuples(st.just("press"), who, st.just("last"), st.integers(0, 30))
    press_other = st.one_of(
        st.tuples(st.just("press"), who, st.just("old"), st.integers(0, 200)),
        st.tuples(st.just("press"), who, st.just("confirm"), st.integers(0, 20)),
        st.tuples(st.just("press"), who, st.just("other"), st.integers(0, 200)),
        st.tuples(st.just("press"), who, st.just("mutate"), MUTATIONS),
        st.tuples(st.just("press"), who, st.just("forged"), FORGED),
    )
    command = st.one_of(
        st.tuples(st.just("command"), who,
                  st.sampled_from(("charte", "aide", "annuler", "alliances", "nouvelle", "start",
                                   "synthese", "mes_reponses", "reglages")),
                  st.just("")),
        st.tuples(st.just("command"), who, st.just("synthese"),
                  st.sampled_from((*PHASES, "mi parcours", "Fin", "<b>")) | st.text(max_size=20)),
        st.tuples(st.just("command"), who, st.just("levier"),
                  st.sampled_from(LEVER_NAMES) | st.sampled_from((LEVERS[0].id, LEVERS[-1].id))
                  | st.text(max_size=30)),
        st.tuples(st.just("command"), who, st.sampled_from(("rejoindre", "start")),
                  st.just(CODE) | st.sampled_from(("", "nope", "x" * 65, "bad code!"))
                  | st.text(max_size=70)),
        st.tuples(st.just("command"), who,
                  st.sampled_from(("inconnue", "help", "x" * 40, "", "<script>", "lier")),
                  st.just("")),
    )
    group = st.tuples(st.just("group"), who, st.sampled_from((-100123, -100456)),
                      st.sampled_from(("lier", "synthese", "charte", "aide")),
                      st.just(CODE) | st.sampled_from(("", "nope", "<b>x</b>")))
    other = st.tuples(st.just("other"), who, st.sampled_from(("sticker", "photo", "voice")))
    clock = st.tuples(st.just("clock"), st.sampled_from((1, 30, 170, 200, 400)))
    # /export builds a PDF (~0.3 s): rare, to keep the run short.
    export = st.tuples(st.just("command"), who, st.just("export"), st.just(""))
    return weighted((128, text), (128, press_last), (48, press_other), (48, command),
                    (16, group), (16, other), (12, clock), (1, export))


MAX_EVENTS = 40
# Lists drawn plainly are short (about 6 events on average): a drawn minimum length spreads
# them over 0..40, and still shrinks to a short sequence.
SCENARIOS = st.tuples(st.integers(1, 3), st.booleans(), st.integers(0, MAX_EVENTS)).flatmap(
    lambda nwk: st.tuples(st.just(nwk[0]), st.just(nwk[1]),
                          st.lists(actions(nwk[0]), min_size=nwk[2], max_size=MAX_EVENTS))
)


def run_scenario(world: World, warm: bool, steps: Sequence[tuple[Any, ...]]) -> World:
    world.setup(warm)
    for action in steps:
        world.act(action)
    return world


# --- the tests -----------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCENARIOS)
def test_random_event_sequences_keep_state_valid_and_answers_append_only(scenario):
    n_people, warm, steps = scenario
    store = FakeStore()
    run_scenario(World(store, lambda: fake_snapshot(store), n_people), warm, steps)


# Found by this property (fixed): a « Oui » under an older « Remplacer par … ? » confirmed
# whatever change was pending by then. Confirmation buttons now name their question.
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(scenario=(1, True, [
    ("text", 0, "ancré"),  # at lever 1, answered « À découvrir »: « Remplacer par Ancré ? »
    ("text", 0, "non"),  # keeps « À découvrir »; the question stays in the chat
    ("text", 0, "engagé"),  # « Remplacer par Engagé ? »
    ("press", 0, "confirm", 0),  # « Oui » under « Remplacer par Ancré ? »: not Engagé
]))
@given(SCENARIOS)
def test_yes_under_a_confirmation_stores_what_it_named(scenario):
    n_people, warm, steps = scenario
    store = FakeStore()
    run_scenario(World(store, lambda: fake_snapshot(store), n_people), warm, steps)


class ChatMachine(RuleBasedStateMachine):
    """The same properties, with hypothesis choosing each event after seeing the last answer."""

    def __init__(self) -> None:
        super().__init__()
        self.world: World | None = None

    @initialize(n_people=st.integers(1, 3), warm=st.booleans())
    def create_alliance(self, n_people: int, warm: bool) -> None:
        store = FakeStore()
        self.world = World(store, lambda: fake_snapshot(store), n_people)
        self.world.setup(warm)

    @rule(action=actions(3))
    def act(self, action: tuple[Any, ...]) -> None:
        assert self.world is not None
        self.world.act(action)

    @rule(actor=st.integers(0, 2), pick=st.data())
    def press_a_button_just_shown(self, actor: int, pick: st.DataObject) -> None:
        assert self.world is not None
        actor %= self.world.n_people
        shown = self.world.recent[actor]
        if shown:
            button = pick.draw(st.sampled_from(shown), label="button")
            self.world.do(actor, Press(button.data), under=button.message)

    @invariant()
    def stored_states_are_valid(self) -> None:
        if self.world is not None:
            check_states(self.world.snapshot())


ChatMachine.TestCase.settings = settings(max_examples=30, stateful_step_count=25, deadline=None,
                                         suppress_health_check=[HealthCheck.too_slow])
TestChatMachine = ChatMachine.TestCase
