"""/membres, /quitter, /oubli, /mes_donnees, /archiver: messages and buttons. Pure."""

from __future__ import annotations

from dialogues.content.markup import Html, cut
from dialogues.content.script import Script
from dialogues.core.effects import LoadMembers, MemberInfo, MembersData
from dialogues.core.outgoing import Attachment, Button, Outgoing

ACTIONS = ("remove", "hand", "co")
CONFIRMED = ("remove", "hand")  # actions that ask « are you sure? » first


class MembersView:
    def __init__(self, script: Script, total_levers: int) -> None:
        self.s = script
        self.total = total_levers

    # --- /membres ---------------------------------------------------------------------------

    def parse_press(self, data: str, me: int) -> LoadMembers | tuple[int, str] | None:
        """m:<me>:<target>[:<action>[:yes]] -> what to load, or (target, action) to do."""
        parts = data.split(":")
        if len(parts) < 3 or parts[0] != "m" or parts[1] != str(me) or not parts[2].isdigit():
            return None
        target = int(parts[2])
        if target == me:
            return None
        if len(parts) == 3:
            return LoadMembers(focus=target)
        if parts[3] not in ACTIONS:
            return None
        if len(parts) == 5 and parts[4] == "yes" and parts[3] in CONFIRMED:
            return target, parts[3]
        if len(parts) == 4 and parts[3] not in CONFIRMED:
            return target, parts[3]
        if len(parts) == 4:
            return LoadMembers(focus=target, action=parts[3])
        return None

    def render(self, data: MembersData, alliance: str, phase: str, me: int, coordinator: bool
               ) -> Outgoing:
        request = data.request
        target = next((m for m in data.members if m.member_id == request.focus), None)
        if request.focus is not None and (target is None or not coordinator):
            return Outgoing(self.s.say("stale_button"))
        if target is not None and request.action is not None:
            return self._confirm(target, request.action, me)
        if target is not None:
            return self._actions(target, me)
        return self._list(data, alliance, phase, me, coordinator)

    def _list(self, data: MembersData, alliance: str, phase: str, me: int, coordinator: bool
              ) -> Outgoing:
        s = self.s
        lines = [s.say("members.title", alliance=alliance, phase=s.phases[phase].label)]
        organisations: dict[str, list[MemberInfo]] = {}
        for m in data.members:
            organisations.setdefault(m.organisation, []).append(m)
        for organisation, members in organisations.items():
            lines.append(s.say("members.organisation", organisation=organisation))
            for m in members:
                lines.append(s.say("members.line", name=m.name or "—", role=s.roles[m.role],
                                   answered=m.answered, total=self.total,
                                   done=Html("✅" if m.answered >= self.total else "")))
        rows: list[tuple[Button, ...]] = []
        if coordinator:
            lines.append(s.say("members.coordinator_hint"))
            rows = [(Button(cut(s.button("manage").format(name=m.name or "—"), 48),
                            f"m:{me}:{m.member_id}"),)
                    for m in data.members if m.member_id != me]
        return Outgoing("\n".join(lines), tuple(rows))

    def _actions(self, target: MemberInfo, me: int) -> Outgoing:
        s = self.s
        rows = [(Button(s.button("member_remove"), f"m:{me}:{target.member_id}:remove"),),
                (Button(s.button("member_hand"), f"m:{me}:{target.member_id}:hand"),)]
        if target.role != "coordinator":
            rows.append((Button(s.button("member_co"), f"m:{me}:{target.member_id}:co"),))
        text = s.say("members.manage", name=target.name, organisation=target.organisation,
                     role=s.roles[target.role])
        return Outgoing(text, tuple(rows), edit=True)

    def _confirm(self, target: MemberInfo, action: str, me: int) -> Outgoing:
        s = self.s
        yes = Button(s.button("confirm"), f"m:{me}:{target.member_id}:{action}:yes")
        no = Button(s.button("cancel"), f"m:{me}:{target.member_id}")
        return Outgoing(s.say(f"members.confirm_{action}", name=target.name,
                              organisation=target.organisation), ((yes, no),), edit=True)

    # --- the person's own choices -----------------------------------------------------------

    def ask_leave(self, alliance: str, me: int) -> Outgoing:
        s = self.s
        return Outgoing(s.say("leave.confirm", alliance=alliance),
                        ((Button(s.button("leave_yes"), f"q:{me}:yes"),
                          Button(s.button("cancel"), f"q:{me}:no")),))

    def ask_erase(self) -> Outgoing:
        s = self.s
        return Outgoing(s.say("erase.confirm"), (
            (Button(s.button("erase_keep_answers"), "o:keep"),),
            (Button(s.button("erase_all"), "o:all"),),
            (Button(s.button("cancel"), "o:no"),),
        ))

    def ask_archive(self, alliance: str, me: int) -> Outgoing:
        s = self.s
        return Outgoing(s.say("archive.confirm", alliance=alliance),
                        ((Button(s.button("archive_yes"), f"x:{me}:yes"),
                          Button(s.button("cancel"), f"x:{me}:no")),))

    def personal_data(self, json_text: str) -> Outgoing:
        return Outgoing(self.s.say("data.caption"),
                        attachment=Attachment("document", "mes-donnees-charte-bot.json",
                                              json_text.encode("utf-8")))
