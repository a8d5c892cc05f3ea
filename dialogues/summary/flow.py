"""/synthese (in private and in a linked group) and /export: from the alliance's answers to
messages, charts and documents. Pure: charts and the PDF are described here, drawn later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dialogues.accord.contrat import Contrats
from dialogues.content.charter import Charter
from dialogues.content.script import Script
from dialogues.core import rules
from dialogues.core.agreements import latest_by_phase
from dialogues.core.context import AccordLookup, AllianceAnswers, GroupLookup, Need
from dialogues.core.domain import PHASES, Answer
from dialogues.core.events import Command, GroupCommand
from dialogues.core.outgoing import Attachment, Outgoing
from dialogues.core.phases import current_phase
from dialogues.core.routes import Access, ButtonRoute, CommandRoute, GroupRoute, needs
from dialogues.core.step import Step, Turn
from dialogues.observatory.report import ObservatoryReport
from dialogues.summary.buttons import Section, SummaryButton
from dialogues.summary.charts import Positions, RadarChart
from dialogues.summary.compute import Summary, by_organisation, labels, summarise
from dialogues.summary.documents import Documents
from dialogues.summary.view import SummaryView


class Summaries:
    def __init__(self, charter: Charter, script: Script) -> None:
        self.charter = charter
        self.s = script
        self.view = SummaryView(charter, script)
        self.documents = Documents(charter, script, self)
        self.contrats = Contrats(charter, script)  # the contrat de confiance, on paper
        self.commands = {
            "synthese": CommandRoute(self._cmd_summary, Access.MEMBER,
                                     needs(Need.ANSWERS, Need.RETAINED)),
            "export": CommandRoute(self._cmd_export, Access.MEMBER,
                                   needs(Need.EXPORT, AccordLookup())),
        }
        self.buttons = {SummaryButton: ButtonRoute(self._on_button, lambda data: (
            (Need.ANSWERS, Need.NETWORK) if data.section == "o"
            else (Need.ANSWERS, Need.RETAINED)))}
        self.observatory = ObservatoryReport(charter, script)
        self.forms: dict = {}
        self.group_commands = {
            "synthese": GroupRoute(self._group_summary,
                                   needs=lambda cmd: (GroupLookup(cmd.chat_id),)),
        }

    # --- routes -----------------------------------------------------------------------------

    def _cmd_summary(self, turn: Turn, cmd: Command) -> Step:
        ctx = turn.ctx
        assert ctx.member is not None and ctx.phase is not None
        data = ctx.loaded.answers
        assert data is not None
        phase = self.parse_phase(cmd.arg, ctx.phase)
        summary = self.summary(data, phase)
        answered = _phases_with_answers(data.answers)
        shown = self.view.render(summary, "h", data.alliance.name, ctx.member.id, answered,
                                 latest_by_phase(ctx.loaded.retained), data.alliance.comparison)
        return turn.reply(*self.charts(data, summary, answered), *shown)

    def _on_button(self, turn: Turn, data: SummaryButton) -> Step | None:
        ctx = turn.ctx
        loaded = ctx.loaded.answers
        if ctx.member is None or data.member != ctx.member.id or loaded is None \
                or not rules.may_read_alliance(ctx.member):
            return None
        summary = self.summary(loaded, data.phase)
        if data.section == "o":
            return turn.reply(self._others(loaded, summary, ctx.member.id, ctx.loaded.network))
        answered = _phases_with_answers(loaded.answers)
        shown = self.view.render(summary, data.section, loaded.alliance.name, ctx.member.id,
                                 answered, latest_by_phase(ctx.loaded.retained),
                                 loaded.alliance.comparison)
        # Every section, the headline included, replaces the pressed message: the charts
        # come once, with /synthese.
        return turn.reply(*(Outgoing(m.text, m.buttons, edit=True) for m in shown))

    def _group_summary(self, turn: Turn, cmd: GroupCommand) -> Step:
        """In a group, anyone could press a button: the headline and agenda, without buttons."""
        data = turn.ctx.loaded.group
        if data is None:
            return turn.reply(Outgoing(self.s.say("group.not_linked")))
        summary = self.summary(data, current_phase(data.alliance, turn.ctx.now))
        answered = _phases_with_answers(data.answers)
        sections: tuple[Section, ...] = ("h", "a")
        messages = tuple(Outgoing(m.text) for section in sections
                         for m in self.view.render(summary, section, data.alliance.name, 0,
                                                   answered))
        return turn.reply(*self.charts(data, summary, answered), *messages)

    def _cmd_export(self, turn: Turn, cmd: Command) -> Step:
        ctx = turn.ctx
        data = ctx.loaded.answers
        assert data is not None and ctx.phase is not None
        accord = ctx.loaded.accord
        contrat = self.contrats.printable(accord, ctx.phase, ctx.now) if accord else None
        sheet = self.contrats.sheet(accord, ctx.phase, ctx.now) if accord else None
        return turn.reply(*self.documents.render(data, ctx.loaded.export_rows, ctx.phase,
                                                 ctx.now, contrat),
                          *((sheet,) if sheet is not None else ()))

    def _others(self, data: AllianceAnswers, summary: Summary, member_id: int,
                network: tuple[Answer, ...]) -> Outgoing:
        """How the other alliances that agreed stand on each lever (the observatory), in
        place of the pressed message; only with the coordination's consent (/reglages)."""
        if not data.alliance.comparison:
            return Outgoing(self.s.say("summary.others_off"), edit=True)
        others = [a for a in network if a.alliance_id != data.alliance.id]
        lines = self.observatory.comparison(summary.phase, data.answers, others)
        shown = self.view.others(summary, member_id, lines)
        return Outgoing(shown.text, shown.buttons, edit=True)

    # --- the summary and its charts ---------------------------------------------------------

    def parse_phase(self, typed: str, current: str) -> str:
        """/synthese [phase]: a phase named by id or label, else the current one."""
        wanted = typed.strip().casefold()
        for phase, definition in self.s.phases.items():
            if wanted in (phase, definition.label.casefold()):
                return phase
        return current

    def summary(self, data: AllianceAnswers, phase: str) -> Summary:
        names = self.names(data)
        return summarise(self.charter, data.organisations, data.answers, phase,
                         self.s.phases[phase].previous, names)

    def names(self, data: AllianceAnswers) -> dict[int, str]:
        template = self.s.messages["summary.anonymous_name"]
        return labels(data.organisations, data.alliance.anonymous, template)

    def chart_jobs(self, data: AllianceAnswers, summary: Summary, answered: tuple[str, ...]
                   ) -> tuple[RadarChart, ...]:
        """The radar of the phase (one line per organisation), and of the phases' averages."""
        s = self.s
        phase = summary.phase
        grouped = by_organisation(data.answers)
        names = dict(zip((o.id for o in data.organisations), summary.organisations, strict=True))
        levers = tuple((lever.id, lever.short) for lever in self.charter.levers)
        levels = (s.levels[1], s.levels[2], s.levels[3], s.levels[4])
        spread = (s.say("summary.chart_min"), s.say("summary.chart_mean"),
                  s.say("summary.chart_max"))
        series = tuple((names[o.id], self._line({lever: a.position for lever, a in
                                                 grouped[o.id][phase].items()}))
                       for o in data.organisations if grouped.get(o.id, {}).get(phase))
        charts = [RadarChart(levers, series, s.say("summary.chart_title",
                                                   phase=s.phases[phase].label), levels, spread)]
        if len(answered) >= 2:
            by_phase = tuple((s.phases[p].label, self._line(_mean_positions(data.answers, p)))
                             for p in answered)
            charts.append(RadarChart(levers, by_phase, s.say("summary.chart_phases_title"),
                                     levels, spread))
        return tuple(charts)

    def charts(self, data: AllianceAnswers, summary: Summary, answered: tuple[str, ...]
               ) -> tuple[Outgoing, ...]:
        s = self.s
        phase = summary.phase
        jobs = self.chart_jobs(data, summary, answered)
        captions = [s.say("summary.chart_caption", phase=s.phases[phase].label,
                          alliance=data.alliance.name),
                    s.say("summary.chart_phases_caption", alliance=data.alliance.name)]
        files = [f"synthese-{phase}.png", "synthese-phases.png"]
        return tuple(Outgoing(caption, attachment=Attachment("photo", name, later=job))
                     for job, caption, name in zip(jobs, captions, files, strict=False))

    def _line(self, positions: Mapping[str, float | None]) -> Positions:
        return tuple((lever.id, positions.get(lever.id)) for lever in self.charter.levers)


def _phases_with_answers(answers: Iterable[Answer]) -> tuple[str, ...]:
    present = {a.phase for a in answers}
    return tuple(p for p in PHASES if p in present)


def _mean_positions(answers: Iterable[Answer], phase: str) -> dict[str, float | None]:
    """Average position per lever over the organisations (their latest answers) in a phase."""
    grouped = by_organisation(answers)
    values: dict[str, list[int]] = {}
    for phases in grouped.values():
        for lever, answer in phases.get(phase, {}).items():
            if answer.position is not None:
                values.setdefault(lever, []).append(answer.position)
    return {lever: sum(v) / len(v) for lever, v in values.items()}
