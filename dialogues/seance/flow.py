"""The séance (/seance): the alliance discusses the levers where it differs, and its leader
records what the alliance retains. Pure: what changes is written by effects.

The coordination or the tiers de confiance starts it, in the alliance's linked group or in a
private chat (a meeting where one person shares their screen). It walks the largest
divergences first, then the levers where someone does not know, then any lever chosen by name
(`/seance gouvernance`). One card shows the lever; it is updated in place for everyone. The
leader presses « Retenir », then types the text: in a private chat as the next message, in a
group as a reply to the card (bots in groups only see commands and replies). Organisations
react on the card with « D'accord » or « À retravailler ».

Every button carries the séance's turn, which grows at each move: a button of an older card
is stale. A text is recorded only over the version the leader saw when they pressed
« Retenir »: when two leaders write at once, the first text stands and the other is told,
their text given back to them.
"""

from __future__ import annotations

from dataclasses import replace

from dialogues.content.charter import Charter
from dialogues.content.markup import cut
from dialogues.content.reading import Interpreter
from dialogues.content.script import Script
from dialogues.core import rules
from dialogues.core.agreements import RETAINED_MAX, Accord, Agreement, Seance, Vote, Writing
from dialogues.core.context import AccordLookup
from dialogues.core.effects import CastVote, OpenSeance, RetainText, SaveSeance
from dialogues.core.events import Command, GroupCommand, GroupText, Press
from dialogues.core.outgoing import Outgoing
from dialogues.core.phases import current_phase
from dialogues.core.routes import (
    Access,
    ButtonRoute,
    CommandRoute,
    FormRoute,
    GroupRoute,
    ReplyRoute,
)
from dialogues.core.session import Form, Session
from dialogues.core.step import Step, Turn
from dialogues.seance.buttons import SeanceButton, VoteButton
from dialogues.seance.card import Board, Card

FORM = "seance"  # in a private chat, the leader's next message is the retained text


def _lookup(alliance_id: int | None = None, chat_id: int | None = None) -> AccordLookup:
    return AccordLookup(alliance_id=alliance_id, chat_id=chat_id, answers=True)


def _form_alliance(form: Form) -> int | None:
    value = form.get("alliance") or ""
    return int(value) if value.isdigit() else None


class Seances:
    def __init__(self, charter: Charter, script: Script, reader: Interpreter) -> None:
        self.charter = charter
        self.s = script
        self.read = reader
        self.card = Card(charter, script)
        self.commands = {
            "seance": CommandRoute(self._cmd_seance, Access.MEMBER, lambda cmd: (_lookup(),)),
        }
        self.buttons = {
            SeanceButton: ButtonRoute(self._on_button, lambda d: (_lookup(d.alliance),),
                                      groups=True, pressed=True),
            VoteButton: ButtonRoute(self._on_vote, lambda d: (_lookup(d.alliance),),
                                    groups=True, pressed=True),
        }
        self.forms = {
            FORM: FormRoute(self._on_text, self._prompt,
                            needs=lambda form: (_lookup(_form_alliance(form)),)),
        }
        self.group_commands = {
            "seance": GroupRoute(self._group_seance, lambda cmd: (_lookup(chat_id=cmd.chat_id),)),
        }
        self.group_replies = {
            "seance": ReplyRoute(self._on_reply, lambda event: (_lookup(chat_id=event.chat_id),)),
        }

    # --- starting or resuming ---------------------------------------------------------------

    def _cmd_seance(self, turn: Turn, cmd: Command) -> Step:
        return self._start(turn, turn.ctx.loaded.accord, None, cmd.arg)

    def _group_seance(self, turn: Turn, cmd: GroupCommand) -> Step:
        accord = turn.ctx.loaded.accord
        if accord is None:
            return turn.reply(Outgoing(self.s.say("group.not_linked")))
        return self._start(turn, accord, cmd.chat_id, cmd.arg)

    def _start(self, turn: Turn, accord: Accord | None, chat_id: int | None, typed: str) -> Step:
        s = self.s
        if accord is None:
            return turn.reply(Outgoing(s.say("no_alliance")))
        alliance = accord.alliance
        if rules.read_only(alliance):
            return turn.reply(Outgoing(s.say("seance.archived", alliance=alliance.name)))
        if not rules.may_retain(accord.member, alliance):
            return turn.reply(Outgoing(s.say("seance.leaders_only")))
        chosen = None
        if typed.strip():
            chosen = self._find(typed)
            if chosen is None:
                ids = ", ".join(lever.id for lever in self.charter.levers)
                return turn.reply(Outgoing(s.say("seance.unknown_lever", ids=ids)))
        phase = current_phase(alliance, turn.ctx.now)
        board = self.card.board(accord, phase)
        running = accord.open_seance()
        group = chat_id is not None
        if running is not None and running.phase == phase:
            seance = replace(running, chat_id=chat_id, card_message_id=None, paused=False,
                             turn=running.turn + 1, writing=())
            if chosen is not None:
                seance = _goto(seance, chosen)
            elif seance.lever_id is None:
                seance = _advance(seance, board)
            card = self.card.render(accord, seance, board, group,
                                    before=(s.say("seance.resumed"),))
            return turn.reply(card, effects=(SaveSeance(running.turn, seance),))
        assert accord.member is not None
        first = chosen or board.next_after(())
        number = max((x.turn for x in accord.seances), default=0) + 1
        seance = Seance(0, alliance.id, phase, accord.member.id, chat_id, None, turn.ctx.now,
                        None, False, number, first, (first,) if first else ())
        intro = s.say("seance.started", leader=self.card.who(accord, accord.member.id),
                      count=len(board.agenda))
        card = self.card.render(accord, seance, board, group, before=(intro,))
        return turn.reply(card, effects=(OpenSeance(alliance.id, phase, chat_id, first, number),))

    def _find(self, typed: str) -> str | None:
        wanted = typed.strip().lower()
        if any(lever.id == wanted for lever in self.charter.levers):
            return wanted
        return self.read.find_lever(typed)

    # --- the leader's buttons ---------------------------------------------------------------

    def _on_button(self, turn: Turn, data: SeanceButton, press: Press) -> Step | None:
        s = self.s
        accord = turn.ctx.loaded.accord
        if accord is None:
            return None  # not a member of that alliance, or a forged one
        seance = accord.open_seance()
        if seance is None or seance.turn != data.turn:
            return None
        group = press.chat_id is not None and press.chat_id < 0
        if group != (seance.chat_id is not None) or (group and press.chat_id != seance.chat_id):
            return None  # a card of the séance from before it moved elsewhere
        if not rules.may_lead_seance(accord.member, accord.alliance):
            return turn.reply(Outgoing(s.say("seance.leaders_only")))
        assert accord.member is not None
        board = self.card.board(accord, seance.phase)
        card_id = press.message_id if press.message_id is not None else seance.card_message_id
        if data.action == "retain":
            return self._retain_pressed(turn, accord, seance, board, group, card_id)
        if data.action == "back":
            moved = _back(seance)
            if moved is None:
                card = self.card.render(accord, seance, board, group,
                                        before=(s.say("seance.first_point"),), edit=True)
                return turn.reply(card)
        elif data.action == "next":
            if seance.paused or seance.lever_id is None:
                return None
            moved = _advance(seance, board)
        elif data.action == "pause":
            if seance.paused:
                return None
            moved = replace(seance, paused=True)
        elif data.action == "resume":
            if not seance.paused:
                return None
            moved = replace(seance, paused=False)
        else:  # end
            moved = replace(seance, ended_at=turn.ctx.now)
        moved = replace(moved, turn=seance.turn + 1, writing=(), card_message_id=card_id)
        card = self.card.render(accord, moved, board, group, edit=True)
        return turn.reply(card, effects=(SaveSeance(seance.turn, moved),),
                          session=self._drop_form(turn))

    def _retain_pressed(self, turn: Turn, accord: Accord, seance: Seance, board: Board,
                        group: bool, card_id: int | None) -> Step | None:
        s = self.s
        if rules.read_only(accord.alliance):
            return turn.reply(Outgoing(s.say("seance.archived", alliance=accord.alliance.name)))
        if seance.paused or seance.lever_id is None:
            return None
        assert accord.member is not None
        me = accord.member.id
        latest = accord.latest(seance.phase).get(seance.lever_id)
        mine = Writing(me, seance.lever_id, latest.id if latest is not None else 0)
        writing = (*(w for w in seance.writing if w.member_id != me), mine)
        moved = replace(seance, writing=writing, card_message_id=card_id)
        card = self.card.render(accord, moved, board, group, edit=True)
        session = turn.session
        if not group:
            form = Form(FORM, "text", (("alliance", str(accord.alliance.id)),
                                       ("lever", seance.lever_id)))
            session = turn.with_session(form=form)
        return turn.reply(card, effects=(SaveSeance(seance.turn, moved),), session=session)

    # --- votes ------------------------------------------------------------------------------

    def _on_vote(self, turn: Turn, data: VoteButton, press: Press) -> Step | None:
        s = self.s
        accord = turn.ctx.loaded.accord
        if accord is None or not 0 <= data.lever < len(self.charter.levers):
            return None
        lever = self.charter.levers[data.lever]
        versions = accord.versions(data.phase, lever.id)
        if not 1 <= data.version == len(versions):
            return None  # a newer version was retained since: the card shows its buttons
        seance = accord.open_seance()
        if seance is None:
            return None
        if rules.read_only(accord.alliance):
            return turn.reply(Outgoing(s.say("seance.archived", alliance=accord.alliance.name)))
        if not rules.may_vote(accord.member, accord.alliance):
            return turn.reply(Outgoing(s.say("seance.vote_refused")))
        assert accord.member is not None
        agreement = versions[-1]
        organisation = accord.member.organisation_id
        others = tuple(v for v in accord.votes if not (
            v.agreement_id == agreement.id and v.organisation_id == organisation))
        cast = Vote(agreement.id, organisation, accord.member.id, data.vote, turn.ctx.now)
        shown = replace(accord, votes=(*others, cast))
        board = self.card.board(shown, seance.phase)
        group = press.chat_id is not None and press.chat_id < 0
        card = self.card.render(shown, seance, board, group, edit=True)
        return turn.reply(card, effects=(CastVote(accord.alliance.id, agreement.id, data.vote),))

    # --- the retained text ------------------------------------------------------------------

    def _on_text(self, turn: Turn, text: str) -> Step:
        """In a private chat: the message after « Retenir »."""
        accord = turn.ctx.loaded.accord
        done = turn.with_session(form=None)
        seance = accord.open_seance() if accord is not None else None
        if accord is None or seance is None or seance.chat_id is not None:
            return turn.reply(Outgoing(self.s.say("seance.not_waiting", mine=text)), session=done)
        return self._retain(turn, accord, seance, text, None, done)

    def _on_reply(self, turn: Turn, event: GroupText) -> Step | None:
        """In a group: a reply to the bot's message, from the leader who pressed « Retenir »,
        or a lever's name from a leader; anything else is not for the séance."""
        s = self.s
        accord = turn.ctx.loaded.accord
        seance = accord.open_seance() if accord is not None else None
        if accord is None or seance is None or seance.chat_id != event.chat_id:
            return None
        me = accord.member.id if accord.member is not None else None
        if any(w.member_id == me for w in seance.writing):
            return self._retain(turn, accord, seance, event.text, event.reply_to, turn.session)
        if seance.card_message_id is not None and event.reply_to != seance.card_message_id:
            return None
        if rules.read_only(accord.alliance):
            return turn.reply(Outgoing(s.say("seance.archived", alliance=accord.alliance.name)))
        if not rules.may_retain(accord.member, accord.alliance):
            if seance.card_message_id is None:
                return None  # not known to be a reply to the card: not for the séance
            return turn.reply(Outgoing(s.say("seance.reply_partner")))
        chosen = self._find(event.text)
        if chosen is None or seance.paused:
            return turn.reply(Outgoing(s.say("seance.reply_hint")))
        board = self.card.board(accord, seance.phase)
        moved = replace(_goto(seance, chosen), turn=seance.turn + 1, writing=(),
                        card_message_id=seance.card_message_id or event.reply_to)
        card = self.card.render(accord, moved, board, True, edit_message=moved.card_message_id)
        return turn.reply(card, effects=(SaveSeance(seance.turn, moved),))

    def _retain(self, turn: Turn, accord: Accord, seance: Seance, text: str,
                reply_to: int | None, done: Session) -> Step:
        """The text a leader typed after « Retenir »: recorded, refused (and given back), or
        too long (nothing changes: they send a shorter one)."""
        s = self.s
        member = accord.member
        mine = next((w for w in seance.writing
                     if member is not None and w.member_id == member.id), None)
        if mine is None:
            return turn.reply(Outgoing(s.say("seance.not_waiting", mine=text)), session=done)
        if not rules.may_retain(member, accord.alliance):
            key = "seance.archived_text" if rules.read_only(accord.alliance) else "seance.refused"
            return turn.reply(Outgoing(s.say(key, alliance=accord.alliance.name, mine=text)),
                              session=done)
        if len(text) > RETAINED_MAX:
            return turn.reply(Outgoing(s.say("seance.too_long", length=len(text),
                                             max=RETAINED_MAX)))
        assert member is not None
        group = seance.chat_id is not None
        card_id = seance.card_message_id or reply_to
        lever = self.charter.lever(mine.lever_id)
        rest = replace(seance, writing=tuple(w for w in seance.writing
                                             if w.member_id != member.id))
        board = self.card.board(accord, seance.phase)
        latest = accord.latest(seance.phase).get(mine.lever_id)
        if (latest.id if latest is not None else 0) != mine.base:
            assert latest is not None
            card = self.card.render(accord, rest, board, group, edit_message=card_id)
            told = s.say("seance.meanwhile", who=self.card.who(accord, latest.member_id),
                         title=lever.title, theirs=cut(latest.text, 600), mine=text)
            return turn.reply(card, Outgoing(told), effects=(SaveSeance(seance.turn, rest),),
                              session=done)
        made = Agreement(max((a.id for a in accord.agreements), default=0) + 1,
                         accord.alliance.id, seance.phase, mine.lever_id, text, member.id,
                         seance.id, self.charter.version, turn.ctx.now)
        shown = replace(accord, agreements=(*accord.agreements, made))
        card = self.card.render(shown, rest, board, group, edit_message=card_id)
        saved = Outgoing(s.say("seance.saved", title=lever.title))
        return turn.reply(card, saved, effects=(RetainText(seance.id, mine.lever_id, text,
                                                           mine.base),), session=done)

    def _prompt(self, turn: Turn) -> tuple[Outgoing, ...]:
        form = turn.session.form
        lever = form.get("lever") if form is not None else None
        title = self.charter.lever(lever).title if lever in self._ids() else ""
        return (Outgoing(self.s.say("seance.prompt", title=title)),)

    def _ids(self) -> set[str]:
        return {lever.id for lever in self.charter.levers}

    @staticmethod
    def _drop_form(turn: Turn) -> Session:
        """A move of the séance ends the leader's own wait for a text (in a private chat)."""
        form = turn.session.form
        return turn.with_session(form=None) if form is not None and form.kind == FORM \
            else turn.session


# --- moving through the levers -------------------------------------------------------------


def _advance(seance: Seance, board: Board) -> Seance:
    following = board.next_after(seance.seen)
    if following is None:
        return replace(seance, lever_id=None)
    return replace(seance, lever_id=following, seen=(*seance.seen, following))


def _back(seance: Seance) -> Seance | None:
    if seance.lever_id is None:
        return replace(seance, lever_id=seance.seen[-1]) if seance.seen else None
    if len(seance.seen) <= 1:
        return None
    seen = seance.seen[:-1]
    return replace(seance, seen=seen, lever_id=seen[-1])


def _goto(seance: Seance, lever_id: str) -> Seance:
    seen = (*(x for x in seance.seen if x != lever_id), lever_id)
    return replace(seance, lever_id=lever_id, seen=seen, paused=False)

