"""The two forms: create an alliance, join one. Pure: effects do the writing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from rapidfuzz import fuzz, process

from dialogues.content.dates import midpoint, parse_date, show_date
from dialogues.content.markup import cut
from dialogues.content.normalize import normalize
from dialogues.content.script import Script
from dialogues.core.domain import ORG_KINDS
from dialogues.core.effects import (
    CodeFound,
    CodeNotFound,
    CreateAlliance,
    Created,
    JoinAlliance,
    Joined,
    LookupCode,
)
from dialogues.core.outgoing import Button, Outgoing
from dialogues.core.session import Form

CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass(frozen=True, slots=True)
class FormResult:
    form: Form | None  # None: the form is over
    outgoing: tuple[Outgoing, ...] = ()
    effects: tuple[object, ...] = ()
    member_id: int | None = None  # set when the person just created or joined an alliance


def valid_code(code: str) -> bool:
    return 0 < len(code) <= 64 and set(code) <= CODE_CHARS


class Forms:
    def __init__(self, script: Script, timezone: str) -> None:
        self.s = script
        self.tz = timezone
        kinds = {normalize(label): kind for kind, label in script.org_kinds.items()}
        kinds.update({normalize(kind): kind for kind in ORG_KINDS})
        self._kind_names = kinds

    # --- starting ---------------------------------------------------------------------------

    def start_new(self) -> FormResult:
        return FormResult(Form("new", "name"), (Outgoing(self.s.say("new.ask_name"),
                                                         self._cancel_row("new", "name")),))

    def start_join(self, code: str) -> FormResult:
        code = code.strip()
        if not code:
            return FormResult(Form("join", "code"), (Outgoing(self.s.say("join.ask_code")),))
        if not valid_code(code):
            return FormResult(None, (Outgoing(self.s.say("join.bad_code")),))
        return FormResult(Form("join", "lookup", (("code", code),)), (), (LookupCode(code),))

    def prompt(self, form: Form) -> tuple[Outgoing, ...]:
        """The form's current question again."""
        s = self.s
        step = form.step
        if step == "org_kind":
            return (Outgoing(s.say(f"{form.kind}.ask_org_kind"), self._kind_buttons(form)),)
        if step == "org_choice":
            alliance = form.get("alliance_name") or ""
            return (Outgoing(s.say("join.choose_org", alliance=alliance),
                             self._org_buttons(form)),)
        if form.kind == "join" and step == "org_name":
            return (Outgoing(s.say("join.ask_org_name", alliance=form.get("alliance_name") or ""),
                             self._cancel_row(form.kind, step)),)
        if step == "end":
            return (Outgoing(s.say("new.ask_end", start=self._shown(form, "start")),
                             self._cancel_row(form.kind, step)),)
        if step == "mid":
            mid = midpoint(self._when(form, "start"), self._when(form, "end"))
            buttons = ((Button(s.button("use_mid"), f"f:new:mid:{mid.date().isoformat()}"),),
                       *self._cancel_row(form.kind, step))
            return (Outgoing(s.say("new.ask_mid", mid=show_date(mid)), buttons),)
        key = {"name": "new.ask_name", "org_name": "new.ask_org_name", "start": "new.ask_start",
               "code": "join.ask_code"}.get(step)
        if key is None:  # "lookup" or "joining": waiting for the service; nothing to ask
            return ()
        return (Outgoing(s.say(key), self._cancel_row(form.kind, step)),)

    # --- input ------------------------------------------------------------------------------

    def on_text(self, form: Form, text: str) -> FormResult:
        step = form.step
        if form.kind == "join" and step == "code":
            return self.start_join(text)
        if step in ("name", "org_name"):
            name = " ".join(text.split())
            if len(name) < 2 or len(name) > self.s.name_max:
                return self._again(form, "new.bad_name", max=self.s.name_max)
            if form.kind == "join" and step == "org_name":
                existing = self._existing_org(form, name)
                if existing is not None:
                    return self._join(form, organisation_id=existing)
            return self._next(form.with_value(step, name, _after(form.kind, step)))
        if step == "org_kind":
            kind = self._kind(text)
            if kind is None:
                return FormResult(form, self.prompt(form))
            return self._chose_kind(form, kind)
        if step == "org_choice":
            return FormResult(form, self.prompt(form))
        if step in ("start", "end", "mid"):
            return self._on_date(form, step, text)
        return FormResult(form, self.prompt(form))

    def on_press(self, form: Form | None, data: str) -> FormResult | None:
        """A form button; None when stale or forged."""
        parts = data.split(":", 3)
        if form is None or len(parts) != 4 or parts[0] != "f":
            return None
        _, kind, step, value = parts
        if kind != form.kind or step != form.step:
            return None
        if value == "cancel":
            return FormResult(None, (Outgoing(self.s.say("cancelled"), edit=True),))
        if step == "org_kind" and value in ORG_KINDS:
            return self._chose_kind(form, value)
        if step == "org_choice":
            if value == "new":
                return self._next(replace(form, step="org_name"))
            if value in {org_id for org_id, _ in form.choices}:
                return self._join(form, organisation_id=int(value))
            return None
        if step == "mid":
            return self._on_date(form, "mid", value)  # an ISO date is a typed format too
        return None

    def on_result(self, form: Form | None, result: object) -> FormResult:
        s = self.s
        if isinstance(result, CodeNotFound):
            return FormResult(None, (Outgoing(s.say("join.bad_code")),))
        if isinstance(result, CodeFound):
            if result.member_id is not None:
                text = s.say("join.already_member", alliance=result.alliance_name)
                return FormResult(None, (Outgoing(text),), member_id=result.member_id)
            code = form.get("code") if form else ""
            values = (("alliance_id", str(result.alliance_id)),
                      ("alliance_name", result.alliance_name), ("code", code or ""))
            choices = tuple((str(i), name) for i, name in result.organisations)
            step = "org_choice" if choices else "org_name"
            return self._next(Form("join", step, values, choices))
        if isinstance(result, Created):
            out = [Outgoing(s.say("new.created", alliance=result.alliance_name, code=result.code))]
            return FormResult(None, tuple(out), member_id=result.member_id)
        if isinstance(result, Joined):
            text = s.say("join.joined", alliance=result.alliance_name,
                         organisation=result.organisation_name)
            return FormResult(None, (Outgoing(text),), member_id=result.member_id)
        return FormResult(form)

    # --- steps ------------------------------------------------------------------------------

    def _chose_kind(self, form: Form, kind: str) -> FormResult:
        if form.kind == "join":
            return self._join(form, organisation_id=None, kind=kind)
        return self._next(form.with_value("org_kind", kind, "start"))

    def _on_date(self, form: Form, step: str, text: str) -> FormResult:
        moment = parse_date(text, self.tz, self.s.months)
        if moment is None:
            return self._again(form, "new.bad_date")
        if step == "end" and moment <= self._when(form, "start"):
            return self._again(form, "new.end_before_start", start=self._shown(form, "start"))
        if step == "mid":
            start, end = self._when(form, "start"), self._when(form, "end")
            if not start < moment < end:
                return self._again(form, "new.mid_out_of_range", start=show_date(start),
                                   end=show_date(end))
        form = form.with_value(step, moment.isoformat(), _after("new", step))
        if step != "mid":
            return self._next(form)
        effect = CreateAlliance(
            name=form.get("name") or "",
            organisation_name=form.get("org_name") or "",
            organisation_kind=form.get("org_kind") or "autre",
            start_at=self._when(form, "start"),
            end_at=self._when(form, "end"),
            mid_at=moment,
        )
        return FormResult(replace(form, step="creating"), (), (effect,))

    def _join(self, form: Form, organisation_id: int | None, kind: str | None = None) -> FormResult:
        effect = JoinAlliance(
            alliance_id=int(form.get("alliance_id") or 0),
            code=form.get("code") or "",
            organisation_id=organisation_id,
            organisation_name=None if organisation_id else form.get("org_name"),
            organisation_kind=None if organisation_id else kind,
        )
        return FormResult(replace(form, step="joining"), (), (effect,))

    def _next(self, form: Form) -> FormResult:
        return FormResult(form, self.prompt(form))

    def _again(self, form: Form, key: str, **values: object) -> FormResult:
        return FormResult(form, (Outgoing(self.s.say(key, **values)), *self.prompt(form)))

    # --- helpers ----------------------------------------------------------------------------

    def _kind(self, text: str) -> str | None:
        typed = normalize(text)
        if not typed:
            return None
        for name, kind in self._kind_names.items():
            if name.startswith(typed) and len(typed) >= 4:
                return kind
        found = process.extractOne(typed, list(self._kind_names), scorer=fuzz.ratio,
                                   score_cutoff=80)
        return self._kind_names[found[0]] if found else None

    def _existing_org(self, form: Form, name: str) -> int | None:
        wanted = normalize(name)
        for org_id, org_name in form.choices:
            if normalize(org_name) == wanted:
                return int(org_id)
        return None

    def _when(self, form: Form, key: str) -> datetime:
        return datetime.fromisoformat(form.get(key) or "")

    def _shown(self, form: Form, key: str) -> str:
        return show_date(self._when(form, key))

    def _kind_buttons(self, form: Form) -> tuple[tuple[Button, ...], ...]:
        buttons = [Button(self.s.org_kinds[k], f"f:{form.kind}:org_kind:{k}") for k in ORG_KINDS]
        return (tuple(buttons[:2]), tuple(buttons[2:4]), tuple(buttons[4:]),
                *self._cancel_row(form.kind, form.step))

    def _org_buttons(self, form: Form) -> tuple[tuple[Button, ...], ...]:
        rows = [(Button(cut(name, 40), f"f:join:org_choice:{org_id}"),)
                for org_id, name in form.choices]
        rows.append((Button(self.s.button("new_org"), "f:join:org_choice:new"),))
        return (*rows, *self._cancel_row("join", "org_choice"))

    def _cancel_row(self, kind: str, step: str) -> tuple[tuple[Button, ...], ...]:
        return ((Button(self.s.button("cancel"), f"f:{kind}:{step}:cancel"),),)


_ORDER = {"new": ("name", "org_name", "org_kind", "start", "end", "mid"),
          "join": ("org_name", "org_kind")}


def _after(kind: str, step: str) -> str:
    order = _ORDER[kind]
    i = order.index(step)
    return order[i + 1] if i + 1 < len(order) else "done"
