"""The dialogue script (dialogues/script.yaml): every French wording, loaded and checked once."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dialogues.content.dates import DateWords
from dialogues.content.markup import Html, esc, typography_problems
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
        "help_walk": "levels",
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
        "new.ask_mid": "end mid",
        "new.confirm": "alliance start mid end",
        "new.weekday_mismatch": "date",
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
        "walk.started": "phase alliance levels",
        "walk.started_again": "phase alliance levels",
        "walk.levels": "",
        "walk.previous_text": "label text",
        "walk.note_offer": "text",
        "walk.lever_kept": "number title answer",
        "walk.gaps": "count levers",
        "walk.gaps_start": "count",
        "walk.confirm_keep": "old during new",
        "walk.cancel_nothing": "",
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
        "walk.unknown_lever": "",
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
        "export.xlsx_caption": "alliance",
        "xlsx.answer_columns": "comment contribution expectation",
        "xlsx.summary_columns": "",
        "xlsx.sheet_answers": "",
        "xlsx.sheet_summary": "phase",
        "xlsx.yes": "",
        "report.count.convergence": "count",
        "report.count.divergence": "count",
        "report.count.too_few": "count",
        "report.too_few.none": "count",
        "report.too_few.one": "count",
        "report.too_few.alone": "",
        "report.too_few.why": "",
        "report.table_title": "phase",
        "report.table_legend": "levels unknown",
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
        "deadlines.check_start": "date",
        "deadlines.check_mid": "date",
        "deadlines.check_end": "date",
        "deadlines.moves_start": "before after",
        "deadlines.moves_mid": "before after",
        "deadlines.moves_end": "before after",
        "deadlines.open_reminders": "",
        "terminal.no_reminders": "",
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
        # --- the séance (/seance) and the contrat de confiance (/accord), issue 11 ---
        "seance.leaders_only": "",
        "seance.archived": "alliance",
        "seance.unknown_lever": "ids",
        "seance.started": "leader count",
        "seance.resumed": "",
        "seance.card_title": "alliance phase",
        "seance.ended": "count",
        "seance.paused": "",
        "seance.agenda_done": "",
        "seance.agenda_done_group": "",
        "seance.agenda_empty": "",
        "seance.point_divergence": "n spread",
        "seance.point_unknown": "n organisations",
        "seance.point_chosen": "n",
        "seance.lever": "number title family",
        "seance.lever_text": "text",
        "seance.positions": "positions",
        "seance.missing": "count",
        "seance.retained_nothing": "",
        "seance.retained": "who date version text",
        "seance.votes": "agree rework silent",
        "seance.writing_group": "names",
        "seance.writing_private": "names",
        "seance.left": "count",
        "seance.last": "",
        "seance.texts_title": "",
        "seance.more": "count",
        "seance.first_point": "",
        "seance.vote_refused": "",
        "seance.not_waiting": "mine",
        "seance.archived_text": "alliance mine",
        "seance.refused": "alliance mine",
        "seance.too_long": "length max",
        "seance.meanwhile": "who title theirs mine",
        "seance.saved": "title",
        "seance.reply_partner": "",
        "seance.reply_hint": "",
        "seance.prompt": "title",
        "accord.retained_in.lancement": "text",
        "accord.retained_in.mi-parcours": "text",
        "accord.evolution_title": "",
        "accord.evolution_lever": "number title",
        "accord.former": "",
        "accord.who": "name role",
        "accord.title": "alliance phase version",
        "accord.no_seance": "",
        "accord.seances_title": "",
        "accord.seance.open": "date who",
        "accord.seance.paused": "date who",
        "accord.seance.ended": "date who",
        "accord.validations_title": "",
        "accord.status.validated": "organisation date",
        "accord.status.outdated": "organisation date",
        "accord.status.waiting": "organisation date",
        "accord.archived_note": "",
        "accord.empty": "phase",
        "accord.family": "family",
        "accord.lever": "number title text meta",
        "accord.meta": "date who",
        "accord.versions": "count",
        "accord.validate_in_private": "",
        "accord.validate_hint": "",
        "accord.pdf_hint": "",
        "accord.validate_refused": "",
        "accord.changed": "",
        "accord.already": "organisation date",
        "accord.done": "organisation phase date",
        "accord.pdf_caption": "alliance phase",
        "accord.pdf_section": "",
        "accord.pdf_heading": "alliance",
        "accord.pdf_subtitle": "charter version phase date",
        "accord.pdf_lever": "number title",
        "accord.pdf_seances": "seances",
        "accord.pdf_seance": "date who",
        "accord.pdf_validations": "",
        "accord.pdf_signatures": "",
        "accord.pdf_org.validated": "organisation date",
        "accord.pdf_org.outdated": "organisation date",
        "accord.pdf_org.waiting": "organisation date",
        "accord.pdf_sign": "",
        "accord.pdf_shortened": "",
        # --- who gets in (issue 12) and the tiers de confiance (issue 11): arrivals told to
        # the coordination, approval of newcomers, invitations that end, wrong codes ---------
        "arrivals.waiting": "alliance",
        "arrivals.title": "alliance",
        "arrivals.line": "name who state",
        "arrivals.who.organisation": "organisation",
        "arrivals.who.new_organisation": "organisation",
        "arrivals.who.tiers": "",
        "arrivals.state.pending": "",
        "arrivals.state.gone": "",
        "arrivals.hint_pending": "",
        "arrivals.hint_remove": "",
        "arrivals.gone": "",
        "arrivals.already_accepted": "name",
        "arrivals.accepted": "name",
        "arrivals.refused": "name",
        "arrivals.removed": "name",
        "arrivals.confirm_remove": "name who alliance",
        "arrivals.confirm_refuse": "name who",
        "arrivals.told_accepted": "alliance organisation",
        "arrivals.told_accepted_tiers": "alliance",
        "arrivals.told_refused": "alliance",
        "join.wait": "minutes",
        "join.pending": "alliance who",
        "join.as_organisation": "organisation",
        "join.as_tiers": "",
        "join.joined_tiers": "alliance",
        "alliances.item_pending": "alliance",
        "alliances.item_tiers": "alliance phase finished total next divergences",
        "alliances.next_mid": "date",
        "alliances.next_end": "date",
        "alliances.next_none": "",
        "alliances.switched_tiers": "alliance",
        "welcome_back_tiers": "alliance",
        "walk.tiers": "alliance",
        "members.line_pending": "name role",
        "members.line_tiers": "name role",
        "members.tiers_title": "",
        "members.manage_tiers": "name",
        "members.tiers_note": "",
        "reminder.phase_tiers": "alliance phase",
        "reminder.for_tiers": "phase done not_done",
        "invite.tiers_none": "",
        "invite.tiers": "code",
        "invite.tiers_created": "",
        "invite.confirm_tiers": "",
        "invite.approval_on": "",
        "invite.approval_off": "",
        "invite.no_limit": "",
        "invite.limited": "limits",
        "invite.until": "date",
        "invite.uses_left": "count",
        "invite.expired": "date",
        "invite.used_up": "uses",
        "invite.ask_limit": "",
        "invite.limit_saved": "",
        "invite.limit_bad_count": "max",
        "invite.limit_not_understood": "",
        "invite.limit_past": "",
        "settings.approval.on": "",
        "settings.approval.off": "",
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
    "same",
    "note",
    "gaps",
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
    "create_yes",
    "dates_again",
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
    "dates_yes",
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
    # --- the séance and the contrat de confiance (issue 11) ---
    "seance_retain",
    "seance_next",
    "seance_end",
    "vote_agree",
    "vote_rework",
    "accord_validate",
    "accord_pdf",
    # --- who gets in (issue 12) and the tiers de confiance (issue 11) ---
    "arrival_accept",
    "arrival_refuse",
    "arrival_remove",
    "invite_limit",
    "invite_no_limit",
    "invite_tiers",
    "invite_new_tiers",
    "invite_limit_tiers",
    "settings_approval_on",
    "settings_approval_off",
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
    # phase -> short name of the text stored, for recaps: it follows the question asked then
    label: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class PhaseDef:
    id: str
    label: str  # « Mi-parcours »: a title or a button
    name: str  # « mi-parcours »: inside a sentence
    during: str  # « au lancement », to show an earlier answer
    previous: str | None


class _Formatter(string.Formatter):
    """str.format, plus plurals: « {n:|levier|# leviers} » gives « 1 levier », « 3 leviers »
    (French: 0 and 1 take the singular; # stands for the number)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith("|"):
            one, _, many = format_spec[1:].partition("|")
            number = int(str(value))
            return (one if abs(number) < 2 else many).replace("#", str(number))
        return super().format_field(value, format_spec)


FORMATTER = _Formatter()


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
    dates: DateWords  # weekday and month names, to read and show dates


    def say(self, key: str, **values: object) -> str:
        """The message `key` with `values` inserted, HTML-escaped unless they are Html."""
        safe = {k: v if isinstance(v, Html) else esc(str(v)) for k, v in values.items()}
        return FORMATTER.format(self.messages[key], **safe)

    def position_label(self, position: int | None) -> str:
        return self.unknown_label if position is None else self.levels[position]

    def button(self, key: str, **values: object) -> str:
        """A button's label (plain text, not HTML), with `values` inserted."""
        return FORMATTER.format(self.buttons[key], **values) if values else self.buttons[key]


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
    """The placeholder names of a template; ValueError on a format spec other than a plural."""
    names = set()
    for _, name, spec, _ in string.Formatter().parse(template):
        if name:
            names.add(name)
        if spec and not (spec.startswith("|") and spec.count("|") == 2):
            raise ValueError(f"{{{name}:{spec}}}: the only format is a plural, {{n:|one|many}}")
    return names


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
        labels = _mapping(body.get("label"), path, f"{key}.label")
        _exact_keys(labels, set(PHASES), path, f"{key}.label")
        steps[str(step_id)] = StepDef(
            id=str(step_id),
            kind=kind,
            field=field if kind == "text" else None,
            ask={phase: _text(ask, phase, path, f"{key}.ask") for phase in PHASES},
            hint=_text(body, "hint", path, key),
            label={phase: _text(labels, phase, path, f"{key}.label") for phase in PHASES},
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
                                 _text(body, "name", path, key),
                                 _text(body, "during", path, key), previous)
    return phases


def _positive_int(data: Mapping[str, Any], name: str, path: str) -> int:
    value = data.get(name)
    if not isinstance(value, int) or value <= 0:
        raise _fail(path, f"limits.{name}", "expected a positive integer")
    return value


def _check_typography(script: Script) -> None:
    """Every text the bot shows keeps French typography (no-break spaces before « : ; ? ! »
    and inside « », one « : » a line); a ContentError names the key."""
    texts: list[tuple[str, str]] = [(f"messages.{k}", v) for k, v in script.messages.items()]
    texts += [(f"buttons.{k}", v) for k, v in script.buttons.items()]
    texts += [(f"scale.levels.{k}", v) for k, v in script.levels.items()]
    texts.append(("scale.unknown", script.unknown_label))
    for phase in script.phases.values():
        texts += [(f"phases.{phase.id}.{name}", getattr(phase, name))
                  for name in ("label", "name", "during")]
    for sequence in script.sequences.values():
        for step in sequence:
            texts.append((f"steps.{step.id}.hint", step.hint))
            texts += [(f"steps.{step.id}.ask.{p}", v) for p, v in step.ask.items()]
            texts += [(f"steps.{step.id}.label.{p}", v) for p, v in step.label.items()]
    for key, text in texts:
        problems = typography_problems(text)
        if problems:
            raise _fail(script.path, key, problems[0])


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
         "messages", "months", "weekdays"},
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
    script = Script(
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
        dates=DateWords(_load_weekdays(raw["weekdays"], path_s),
                        tuple(str(names[0]) for names in raw["months"])),
    )
    _check_typography(script)
    return script


def _load_weekdays(raw: Any, path: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or len(raw) != 7 or not all(
            isinstance(name, str) and name.strip() for name in raw):
        raise _fail(path, "weekdays", "expected the 7 weekday names, Monday first")
    return tuple(raw)


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
