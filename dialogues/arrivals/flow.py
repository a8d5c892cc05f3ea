"""Who joined: the message each coordinator gets about arrivals (several close together in one
message), its « Accepter », « Refuser » and « Retirer » buttons, and what the newcomer is told
of the decision. Pure: the decisions are effects, the messages go out through the
notifications job (dialogues/app/notification_jobs.py)."""

from __future__ import annotations

from dataclasses import replace

from dialogues.arrivals.buttons import ArrivalButton
from dialogues.content.markup import Html, cut
from dialogues.content.script import Script
from dialogues.core import rules
from dialogues.core.context import Arrival, ArrivalBatch, ArrivalLookup
from dialogues.core.domain import Alliance, Member
from dialogues.core.effects import DecideArrival
from dialogues.core.outgoing import Button, Outgoing
from dialogues.core.routes import ButtonRoute
from dialogues.core.step import Step, Turn
from dialogues.walk.buttons import StartWalk

LABEL_MAX = 40  # characters of a name on a button


class Arrivals:
    def __init__(self, script: Script) -> None:
        self.s = script
        self.commands: dict = {}
        self.buttons = {ArrivalButton: ButtonRoute(
            self._on_button, lambda data: (ArrivalLookup(data.batch),))}
        self.forms: dict = {}
        self.group_commands: dict = {}

    # --- what is sent -----------------------------------------------------------------------

    def message(self, batch: ArrivalBatch, done: str | None = None,
                edit: bool = False) -> Outgoing:
        """The arrivals of one batch as they stand, with what the coordination can do."""
        s = self.s
        lines = [done] if done else []
        if done and not batch.arrivals:
            return Outgoing(done, edit=edit)  # nobody left in the message
        lines.append(s.say("arrivals.title", alliance=batch.alliance.name))
        rows: list[tuple[Button, ...]] = []
        pending = False
        for arrival in batch.arrivals:
            gone = arrival.member.left_at is not None
            waiting = not gone and rules.is_pending(arrival.member)
            pending = pending or waiting
            state = s.say("arrivals.state.gone") if gone \
                else s.say("arrivals.state.pending") if waiting else ""
            lines.append(s.say("arrivals.line", name=arrival.name or "—",
                               who=Html(self.who(arrival)), state=Html(state)))
            if gone:
                continue
            name = cut(arrival.name or "—", LABEL_MAX)
            target = arrival.member.id
            if waiting:
                rows.append((
                    ArrivalButton(batch.batch, target, "accept").button(
                        s.button("arrival_accept").format(name=name)),
                    ArrivalButton(batch.batch, target, "refuse").button(
                        s.button("arrival_refuse").format(name=name))))
            else:
                rows.append((ArrivalButton(batch.batch, target, "remove").button(
                    s.button("arrival_remove").format(name=name)),))
        if pending:
            lines.append(s.say("arrivals.hint_pending"))
        elif rows:
            lines.append(s.say("arrivals.hint_remove"))
        return Outgoing("\n".join(lines), tuple(rows), edit=edit)

    def who(self, arrival: Arrival) -> str:
        """« au titre de X » / « tiers de confiance », as HTML."""
        s = self.s
        if arrival.organisation is None:
            return s.say("arrivals.who.tiers")
        key = "arrivals.who.new_organisation" if arrival.new_organisation \
            else "arrivals.who.organisation"
        return s.say(key, organisation=arrival.organisation)

    def accepted(self, alliance: Alliance, member: Member, organisation: str) -> Outgoing:
        """Told to the newcomer once the coordination accepted them."""
        s = self.s
        if rules.is_tiers(member):
            return Outgoing(s.say("arrivals.told_accepted_tiers", alliance=alliance.name))
        text = s.say("arrivals.told_accepted", alliance=alliance.name, organisation=organisation)
        return Outgoing(text, ((StartWalk(member.id).button(s.button("start_walk")),),))

    def refused(self, alliance: Alliance) -> Outgoing:
        """Told to the newcomer the coordination refused: no organisation named."""
        return Outgoing(self.s.say("arrivals.told_refused", alliance=alliance.name))

    # --- the buttons ------------------------------------------------------------------------

    def _on_button(self, turn: Turn, data: ArrivalButton) -> Step | None:
        batch = turn.ctx.loaded.arrivals
        if batch is None or not rules.is_coordinator(batch.actor):
            return None  # forged, somebody else's message, or no longer coordinating
        if data.action == "show":  # « Annuler » under a confirmation
            return turn.reply(self.message(batch, edit=True))
        s = self.s
        arrival = next((a for a in batch.arrivals if a.member.id == data.target), None)
        if arrival is None or arrival.member.left_at is not None:
            # Refused, removed, left, or erased their data since the message was sent.
            return turn.reply(self.message(batch, s.say("arrivals.gone"), edit=True))
        if not rules.may_decide(batch.actor, arrival.member):
            return None
        name = arrival.name or "—"
        waiting = rules.is_pending(arrival.member)
        if data.action == "accept" or (data.action == "refuse" and not waiting):
            if not waiting:
                done = s.say("arrivals.already_accepted", name=name)
                return turn.reply(self.message(batch, done, edit=True))
            if data.confirmed:
                return None
            accepted = replace(arrival, member=replace(arrival.member, pending_since=None))
            return self._decided(turn, batch, arrival, accepted,
                                 s.say("arrivals.accepted", name=name), "accept")
        if data.action == "remove" and waiting:
            return None  # a newcomer still waiting is refused, not removed
        if not data.confirmed:
            return turn.reply(self._confirm(batch, arrival, data.action))
        if data.action == "remove" and not rules.may_remove(arrival.member, batch.members):
            text = s.say("members.last_coordinator", name=name, alliance=batch.alliance.name)
            return turn.reply(self.message(batch, text, edit=True))
        key = "arrivals.refused" if data.action == "refuse" else "arrivals.removed"
        return self._decided(turn, batch, arrival, None, s.say(key, name=name), data.action)

    def _decided(self, turn: Turn, batch: ArrivalBatch, before: Arrival, after: Arrival | None,
                 done: str, action: str) -> Step:
        """The decision's effect, and the message as it will stand once it is written."""
        arrivals = []
        for arrival in batch.arrivals:
            if arrival is not before:
                arrivals.append(arrival)
            elif after is not None:  # accepted; a refused or removed newcomer leaves the list
                arrivals.append(after)
        shown = replace(batch, arrivals=tuple(arrivals))
        return turn.reply(self.message(shown, done, edit=True),
                          effects=(DecideArrival(batch.alliance.id, before.member.id, action),))

    def _confirm(self, batch: ArrivalBatch, arrival: Arrival, action: str) -> Outgoing:
        s = self.s
        target = arrival.member.id
        yes = ArrivalButton(batch.batch, target, action, True).button(s.button("confirm"))  # type: ignore[arg-type]
        no = ArrivalButton(batch.batch, target, "show").button(s.button("cancel"))
        text = s.say(f"arrivals.confirm_{action}", name=arrival.name or "—",
                     who=Html(self.who(arrival)), alliance=batch.alliance.name)
        return Outgoing(text, ((yes, no),), edit=True)
