"""The dialogue script (dialogues/script.yaml): every French wording, loaded and checked once."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dialogues.content.markup import Html, esc
from dialogues.core.domain import ORG_KINDS, PHASES, ROLES
from dialogues.core.errors import ContentError

DEFAULT_SCRIPT = Path(__file__).with_name("script.yaml")

# Every message the code uses, with the placeholders it may contain.
MESSAGES: dict[str, frozenset[str]] = {
    key: frozenset(names.split()) if names else frozenset()
    for key, names in {
        "welcome": "",
        "welcome_back": "alliance",
        "help": "",
        "help_walk": "",
        "charter_about": "title intro families usage",
        "unknown_command": "command",
        "not_understood": "",
        "no_alliance": "",
        "unsupported": "",
        "edit_ignored": "",
        "text_too_long": "length max",
        "text_empty": "",
        "cancelled": "",
        "nothing_to_cancel": "",
        "stale_button": "",
        # create an alliance
        "new.ask_name": "",
        "new.ask_org_name": "",
        "new.ask_org_kind": "",
        "new.ask_start": "",
        "new.ask_end": "start",
        "new.ask_mid": "mid",
        "new.bad_name": "max",
        "new.bad_date": "",
        "new.end_before_start": "start",
        "new.mid_out_of_range": "start end",
        "new.created": "alliance code",
        "new.created_link": "link",
        # join an alliance
        "join.ask_code": "",
        "join.bad_code": "",
        "join.already_member": "alliance",
        "join.choose_org": "alliance",
        "join.ask_org_name": "alliance",
        "join.ask_org_kind": "",
        "join.joined": "alliance organisation",
        # switch alliance
        "alliances.list": "",
        "alliances.item": "alliance organisation role",
        "alliances.none": "",
        "alliances.switched": "alliance",
        # the walk
        "walk.header": "number total family rank family_size title",
        "walk.lever_text": "text",
        "walk.current_answer": "answer",
        "walk.previous_answer": "during answer",
        "walk.draft_kept": "text",
        "walk.position_saved": "answer",
        "walk.lever_saved": "number title answer",
        "walk.skipped": "number title",
        "walk.text_saved": "",
        "walk.text_current": "text",
        "walk.confirm_position": "old new",
        "walk.confirm_text": "old",
        "walk.kept": "",
        "walk.first_lever": "",
        "walk.paused": "",
        "walk.still_paused": "",
        "walk.resumed": "",
        "walk.started": "phase alliance",
        "walk.done": "phase answered total",
        "walk.done_hint": "",
        "walk.recap_title": "phase alliance organisation",
        "walk.recap_family": "family",
        "walk.recap_line": "number title answer",
        "walk.recap_text": "label text",
        "walk.recap_change": "during answer",
        "walk.recap_empty": "",
        "walk.recap_hint": "",
        "walk.jump": "title",
        "walk.unknown_lever": "ids",
        "walk.type_or_press": "",
        "walk.ready": "",
        # the summary
        "summary.title": "phase alliance",
        "summary.progress_title": "",
        "summary.progress.finished": "organisation count total",
        "summary.progress.in_progress": "organisation count total",
        "summary.progress.not_started": "organisation count total",
        "summary.counts": "convergence divergence too_few",
        "summary.agenda_short": "levers",
        "summary.legend": "",
        "summary.family_title": "family question phase",
        "summary.marker.convergence": "",
        "summary.marker.divergence": "",
        "summary.marker.too_few": "",
        "summary.lever_line": "marker number title positions",
        "summary.position": "organisation answer",
        "summary.count": "answer count",
        "summary.no_answer": "",
        "summary.agenda_title": "phase",
        "summary.agenda_divergence": "rank title spread positions",
        "summary.agenda_unknown": "rank title organisations",
        "summary.agenda_text": "text",
        "summary.agenda_empty": "",
        "summary.evolution_first": "",
        "summary.evolution_title": "phase previous",
        "summary.evolution_line": "number title changes",
        "summary.change": "arrow organisation before after",
        "summary.change_count": "arrow count",
        "summary.more": "count",
        "summary.arrow.up": "",
        "summary.arrow.down": "",
        "summary.arrow.same": "",
        "summary.arrow.unknown": "",
        "summary.evolution_empty": "",
        "summary.texts_title": "family phase",
        "summary.texts_lever": "number title",
        "summary.text_line": "organisation label text",
        "summary.texts_empty": "",
        "summary.anonymous_name": "n",
        "summary.chart_caption": "phase alliance",
        "summary.chart_phases_caption": "alliance",
        # /export and its report
        "export.csv_caption": "alliance",
        "export.report_caption": "alliance",
        "report.title": "alliance",
        "report.subtitle": "charter phase date",
        "report.dates": "start mid end",
        "report.partners": "",
        "report.partner": "organisation kind status",
        "report.status.finished": "count total",
        "report.status.in_progress": "count total",
        "report.status.not_started": "count total",
        "report.agenda": "",
        "report.agenda_divergence": "spread",
        "report.agenda_unknown": "organisations",
        "report.marker.convergence": "",
        "report.marker.divergence": "",
        "report.marker.too_few": "",
        "report.changes": "changes",
        "report.text": "organisation label text",
        # /inviter
        "invite.show": "alliance code",
        "invite.confirm": "",
        "invite.replaced": "",
        # group chats
        "group.ask_code": "alliance",
        "group.linked": "alliance",
        "group.refused": "alliance",
        "group.not_linked": "alliance",
        "group.private_only": "",
        # /echeances
        "deadlines.show": "alliance phase start mid end",
        "deadlines.ask_start": "",
        "deadlines.ask_mid": "",
        "deadlines.ask_end": "",
        "deadlines.confirm_open_mid": "",
        "deadlines.confirm_open_fin": "",
        "deadlines.order": "start mid end",
        "deadlines.saved": "",
        # reminders
        "reminder.phase.mi-parcours": "alliance phase end",
        "reminder.phase.fin": "alliance phase end",
        "reminder.group": "alliance phase",
        "reminder.coordinator": "phase done not_done",
        "reminder.who": "person organisation",
        "reminder.nudge": "alliance phase answered total",
        "reminder.late": "",
        "reminder.unreachable": "person organisation alliance",
        "reminder.nudges_off_done": "alliance",
        # members, leaving, personal data, archiving
        "members.title": "alliance phase",
        "members.organisation": "organisation",
        "members.line": "name role answered total done",
        "members.coordinator_hint": "",
        "members.manage": "name organisation role",
        "members.confirm_remove": "name organisation",
        "members.confirm_hand": "name organisation",
        "members.removed": "name alliance",
        "members.handed": "name alliance",
        "members.added_coordinator": "name alliance",
        "members.last_coordinator": "name alliance",
        "leave.confirm": "alliance",
        "leave.done": "name alliance",
        "leave.last_coordinator": "name alliance",
        "erase.confirm": "",
        "erase.done": "name alliance",
        "erase.done_all": "name alliance",
        "data.caption": "",
        "archive.confirm": "alliance",
        "archive.done": "name alliance",
        "archive.not_yet": "",
        "archive.read_only": "alliance",
        "privacy": "",
        "retention.warning": "alliance date months",
        # /reglages
        "settings.show": "alliance mode",
        "settings.mode.anonymous": "",
        "settings.mode.named": "",
        "settings.coordinator_only": "",
        "summary.chart_min": "",
        "summary.chart_mean": "",
        "summary.chart_max": "",
        "summary.chart_title": "phase",
        "summary.chart_phases_title": "",
        # issue 13: a network of alliances (repeated reminders, observatory, suggestions)
        "reminder.repeat": "",
        "observatory.too_few": "min",
        "observatory.whole_charter": "",
        "settings.comparison.off": "min",
        "settings.comparison.on": "",
        "summary.others_title": "phase min",
        "summary.others_line": "number title here there",
        "summary.others_figures": "mean unknown divergence alliances",
        "summary.others_off": "",
        "summary.others_divergence": "share",
        "suggestion.ask": "",
        "suggestion.about_charter": "",
        "suggestion.about_lever": "number title",
        "suggestion.unknown_lever": "typed",
        "suggestion.thanks": "",
    }.items()
}

BUTTONS = (
    "skip",
    "back",
    "pause",
    "resume",
    "yes_replace",
    "no_keep",
    "append",
    "new_org",
    "start_walk",
    "use_mid",
    "cancel",
    "summary_family",
    "summary_agenda",
    "summary_evolution",
    "summary_texts",
    "summary_phase",
    "summary_back",
    "settings_anonymous",
    "settings_named",
    "reevaluate",
    "nudges_off",
    "deadline_start",
    "deadline_mid",
    "deadline_end",
    "open_mid",
    "open_fin",
    "open_confirm",
    "manage",
    "member_remove",
    "member_hand",
    "member_co",
    "confirm",
    "leave_yes",
    "erase_keep_answers",
    "erase_all",
    "archive_yes",
    "invite_new",
    "invite_yes",
    # issue 13: a network of alliances (observatory, suggestions)
    "summary_others",
    "settings_compare_on",
    "settings_compare_off",
    "suggestion_whole",
    "suggestion_lever",
)

TEXT_FIELDS = ("comment", "contribution", "expectation")


@dataclass(frozen=True, slots=True)
class StepDef:
    """One question of a lever: the position scale, or a free text stored in `field`."""

    id: str
    kind: str  # "position" | "text"
    field: str | None
    ask: Mapping[str, str]  # phase -> question
    hint: str
    label: str  # short name of the stored text, for recaps


@dataclass(frozen=True, slots=True)
class PhaseDef:
    id: str
    label: str
    during: str  # « Au lancement », to show an earlier answer
    previous: str | None


@dataclass(frozen=True)
class Script:
    path: str
    text_max: int
    name_max: int
    levels: Mapping[int, str]
    unknown_label: str
    phases: Mapping[str, PhaseDef]
    sequences: Mapping[str, tuple[StepDef, ...]]
    org_kinds: Mapping[str, str]
    roles: Mapping[str, str]
    buttons: Mapping[str, str]
    messages: Mapping[str, str]
    months: Mapping[str, int]  # normalised month name -> 1..12

    def say(self, key: str, **values: object) -> str:
        """The message `key` with `values` inserted, HTML-escaped unless they are Html."""
        safe = {k: v if isinstance(v, Html) else esc(str(v)) for k, v in values.items()}
        return self.messages[key].format(**safe)

    def position_label(self, position: int | None) -> str:
        return self.unknown_label if position is None else self.levels[position]

    def button(self, key: str) -> str:
        return self.buttons[key]


def _fail(path: str, key: str, problem: str) -> ContentError:
    return ContentError(path, key, problem)


def _mapping(data: Any, path: str, key: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise _fail(path, key, "expected a mapping")
    return data


def _text(data: Mapping[str, Any], name: str, path: str, key: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"{key}.{name}" if key else name, "missing or empty text")
    return value


def _exact_keys(data: Mapping[str, Any], expected: set[str], path: str, key: str) -> None:
    missing = expected - set(map(str, data))
    extra = set(map(str, data)) - expected
    if missing:
        raise _fail(path, f"{key}.{sorted(missing)[0]}", "missing")
    if extra:
        raise _fail(path, f"{key}.{sorted(extra)[0]}", "unknown key")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _load_messages(raw: Mapping[str, Any], path: str) -> dict[str, str]:
    _exact_keys(raw, set(MESSAGES), path, "messages")
    out = {}
    for key, allowed in MESSAGES.items():
        text = _text(raw, key, path, "messages")
        try:
            unknown = _placeholders(text) - allowed
        except ValueError as err:
            raise _fail(path, f"messages.{key}", f"bad placeholder syntax: {err}") from err
        if unknown:
            raise _fail(path, f"messages.{key}", f"unknown placeholder {{{sorted(unknown)[0]}}}")
        out[key] = text
    return out


def _load_steps(raw: Mapping[str, Any], path: str) -> dict[str, StepDef]:
    steps = {}
    for step_id, body in raw.items():
        key = f"steps.{step_id}"
        body = _mapping(body, path, key)
        kind = body.get("kind")
        if kind not in ("position", "text"):
            raise _fail(path, f"{key}.kind", "must be 'position' or 'text'")
        field = body.get("field")
        if kind == "text" and field not in TEXT_FIELDS:
            raise _fail(path, f"{key}.field", f"must be one of {', '.join(TEXT_FIELDS)}")
        ask = _mapping(body.get("ask"), path, f"{key}.ask")
        _exact_keys(ask, set(PHASES), path, f"{key}.ask")
        steps[str(step_id)] = StepDef(
            id=str(step_id),
            kind=kind,
            field=field if kind == "text" else None,
            ask={phase: _text(ask, phase, path, f"{key}.ask") for phase in PHASES},
            hint=_text(body, "hint", path, key),
            label=_text(body, "label", path, key),
        )
    return steps


def _load_sequences(
    raw: Mapping[str, Any], steps: Mapping[str, StepDef], path: str
) -> dict[str, tuple[StepDef, ...]]:
    sequences = {}
    for kind, ids in raw.items():
        key = f"sequences.{kind}"
        if not isinstance(ids, list) or not ids:
            raise _fail(path, key, "expected a non-empty list of step ids")
        for i, step_id in enumerate(ids):
            if step_id not in steps:
                raise _fail(path, f"{key}[{i}]", f"leads to unknown step {step_id!r}")
        if steps[ids[0]].kind != "position":
            raise _fail(path, f"{key}[0]", "the first step must be the position scale")
        if len(set(ids)) != len(ids):
            raise _fail(path, key, "a step is listed twice")
        sequences[str(kind)] = tuple(steps[i] for i in ids)
    unused = set(steps) - {s.id for seq in sequences.values() for s in seq}
    if unused:
        raise _fail(path, f"steps.{sorted(unused)[0]}", "no sequence leads to this step")
    return sequences


def _load_phases(raw: Mapping[str, Any], path: str) -> dict[str, PhaseDef]:
    _exact_keys(raw, set(PHASES), path, "phases")
    phases = {}
    for phase in PHASES:
        body = _mapping(raw[phase], path, f"phases.{phase}")
        previous = body.get("previous")
        if previous is not None and previous not in PHASES:
            raise _fail(path, f"phases.{phase}.previous", f"unknown phase {previous!r}")
        key = f"phases.{phase}"
        phases[phase] = PhaseDef(phase, _text(body, "label", path, key),
                                 _text(body, "during", path, key), previous)
    return phases


def _positive_int(data: Mapping[str, Any], name: str, path: str) -> int:
    value = data.get(name)
    if not isinstance(value, int) or value <= 0:
        raise _fail(path, f"limits.{name}", "expected a positive integer")
    return value


def load_script(path: str | Path = DEFAULT_SCRIPT) -> Script:
    """Load and check the script; a ContentError names the file and the key."""
    path_s = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise _fail(path_s, "", "file not found") from err
    except yaml.YAMLError as err:
        raise _fail(path_s, "", f"invalid YAML: {err}") from err
    raw = _mapping(raw, path_s, "")
    _exact_keys(
        raw,
        {"limits", "scale", "phases", "steps", "sequences", "org_kinds", "roles", "buttons",
         "messages", "months"},
        path_s,
        "",
    )
    limits = _mapping(raw["limits"], path_s, "limits")
    scale = _mapping(raw["scale"], path_s, "scale")
    levels_raw = _mapping(scale.get("levels"), path_s, "scale.levels")
    if sorted(levels_raw) != [1, 2, 3, 4]:
        raise _fail(path_s, "scale.levels", "expected the levels 1, 2, 3 and 4")
    levels = {int(k): _text(levels_raw, k, path_s, "scale.levels") for k in levels_raw}
    org_kinds = _mapping(raw["org_kinds"], path_s, "org_kinds")
    _exact_keys(org_kinds, set(ORG_KINDS), path_s, "org_kinds")
    roles = _mapping(raw["roles"], path_s, "roles")
    _exact_keys(roles, set(ROLES), path_s, "roles")
    buttons = _mapping(raw["buttons"], path_s, "buttons")
    _exact_keys(buttons, set(BUTTONS), path_s, "buttons")
    steps = _load_steps(_mapping(raw["steps"], path_s, "steps"), path_s)
    return Script(
        path=path_s,
        text_max=_positive_int(limits, "text_max", path_s),
        name_max=_positive_int(limits, "name_max", path_s),
        levels=levels,
        unknown_label=_text(scale, "unknown", path_s, "scale"),
        phases=_load_phases(_mapping(raw["phases"], path_s, "phases"), path_s),
        sequences=_load_sequences(_mapping(raw["sequences"], path_s, "sequences"), steps, path_s),
        org_kinds={k: _text(org_kinds, k, path_s, "org_kinds") for k in ORG_KINDS},
        roles={k: _text(roles, k, path_s, "roles") for k in roles},
        buttons={k: _text(buttons, k, path_s, "buttons") for k in BUTTONS},
        messages=_load_messages(_mapping(raw["messages"], path_s, "messages"), path_s),
        months=_load_months(raw["months"], path_s),
    )


def _load_months(raw: Any, path: str) -> dict[str, int]:
    from dialogues.core.normalize import normalize

    if not isinstance(raw, list) or len(raw) != 12:
        raise _fail(path, "months", "expected 12 lists of month names, January first")
    months: dict[str, int] = {}
    for number, names in enumerate(raw, start=1):
        if not isinstance(names, list) or not names:
            raise _fail(path, f"months[{number - 1}]", "expected a non-empty list of names")
        for name in names:
            months[normalize(str(name))] = number
    return months
