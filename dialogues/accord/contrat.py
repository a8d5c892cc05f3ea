"""The contrat de confiance of one phase: what the alliance retained per lever, by family, with
who led its séances and which organisations validated it. Shown by /accord, printed in the
meeting report and on the one-page sheet to sign. Pure."""

from __future__ import annotations

from datetime import datetime

from dialogues.accord.document import Contrat, ContratLever, ContratSheet
from dialogues.accord.naming import author, organisation_names
from dialogues.accord.recall import recalled
from dialogues.content.charter import Charter
from dialogues.content.dates import show_date
from dialogues.content.markup import Html, plain_text
from dialogues.content.script import Script
from dialogues.core.agreements import Accord, Agreement, latest_by_phase
from dialogues.core.normalize import normalize
from dialogues.core.outgoing import Attachment, Outgoing

VALIDATED, OUTDATED, WAITING = "validated", "outdated", "waiting"


class Contrats:
    def __init__(self, charter: Charter, script: Script) -> None:
        self.charter = charter
        self.s = script

    # --- reading the data -------------------------------------------------------------------

    def names(self, accord: Accord) -> dict[int, str]:
        return organisation_names(self.s, accord)

    def who(self, accord: Accord, member_id: int) -> Html:
        return author(self.s, accord, member_id)

    @staticmethod
    def status(accord: Accord, phase: str, organisation_id: int) -> tuple[str, datetime | None]:
        """Whether the organisation validated the phase's contrat as it stands now."""
        newest = accord.newest_id(phase)
        mine = [v for v in accord.validations
                if v.phase == phase and v.organisation_id == organisation_id]
        if not mine:
            return WAITING, None
        last = mine[-1]
        return (VALIDATED if last.covers == newest else OUTDATED), last.validated_at

    def levers(self, accord: Accord, phase: str) -> list[tuple[str, list[Agreement]]]:
        """(family title, the latest retained text of each of its levers that has one)."""
        latest = accord.latest(phase)
        found = []
        for family in self.charter.families:
            mine = [latest[lever.id] for lever in family.levers if lever.id in latest]
            if mine:
                found.append((family.title, mine))
        return found

    # --- /accord ----------------------------------------------------------------------------

    def show(self, accord: Accord, phase: str) -> list[Outgoing]:
        """The contrat as messages: the header (séances, validations), then one per family."""
        s = self.s
        tz = accord.alliance.timezone
        head = [s.say("accord.title", alliance=accord.alliance.name, phase=s.phases[phase].label,
                      version=self.charter.version)]
        head.append(self._seances_html(accord, phase))
        head.append(s.say("accord.validations_title"))
        names = self.names(accord)
        for org in accord.organisations:
            state, when = self.status(accord, phase, org.id)
            date = show_date(when, tz) if when else ""
            head.append(s.say(f"accord.status.{state}", organisation=names[org.id], date=date))
        if accord.alliance.archived_at is not None:
            head.append(s.say("accord.archived_note"))
        out = [Outgoing("\n".join(head))]
        families = self.levers(accord, phase)
        if not families:
            out.append(Outgoing(s.say("accord.empty", phase=s.phases[phase].label)))
        retained = latest_by_phase(accord.agreements)
        for family, agreements in families:
            lines = [s.say("accord.family", family=family)]
            for agreement in agreements:
                lever = self.charter.lever(agreement.lever_id)
                versions = len(accord.versions(phase, lever.id))
                lines.append(s.say(
                    "accord.lever", number=lever.number, title=lever.title, text=agreement.text,
                    meta=self._meta(accord, agreement, versions)))
                lines.extend(recalled(s, retained, phase, lever.id))
            out.append(Outgoing("\n\n".join(lines)))
        return out

    def _seances_html(self, accord: Accord, phase: str) -> str:
        s = self.s
        mine = [x for x in accord.seances if x.phase == phase]
        if not mine:
            return s.say("accord.no_seance")
        tz = accord.alliance.timezone
        lines = [s.say("accord.seances_title")]
        for seance in mine:
            state = "open" if seance.open and not seance.paused else \
                "paused" if seance.open else "ended"
            lines.append(s.say(f"accord.seance.{state}", date=show_date(seance.started_at, tz),
                               who=self.who(accord, seance.led_by)))
        return "\n".join(lines)

    def _meta(self, accord: Accord, agreement: Agreement, versions: int) -> Html:
        s = self.s
        text = s.say("accord.meta", date=show_date(agreement.retained_at, accord.alliance.timezone),
                     who=self.who(accord, agreement.member_id))
        if versions > 1:
            text += s.say("accord.versions", count=versions)
        return Html(text)

    # --- on paper ---------------------------------------------------------------------------

    def printable(self, accord: Accord, phase: str, now: datetime) -> Contrat:
        s = self.s
        tz = accord.alliance.timezone

        def t(key: str, **values: object) -> str:
            return plain_text(s.say(key, **values))

        retained = latest_by_phase(accord.agreements)
        families = []
        for family, agreements in self.levers(accord, phase):
            levers = []
            for agreement in agreements:
                lever = self.charter.lever(agreement.lever_id)
                versions = len(accord.versions(phase, lever.id))
                levers.append(ContratLever(
                    title=t("accord.pdf_lever", number=lever.number, title=lever.title),
                    text=agreement.text,
                    meta=plain_text(self._meta(accord, agreement, versions)),
                    earlier=tuple(plain_text(line) for line in recalled(
                        s, retained, phase, lever.id, limit=10_000))))
            families.append((family, tuple(levers)))
        names = self.names(accord)
        validations, signatures = [], []
        for org in accord.organisations:
            state, when = self.status(accord, phase, org.id)
            date = show_date(when, tz) if when else ""
            validations.append(t(f"accord.pdf_org.{state}", organisation=names[org.id],
                                 date=date))
            signatures.append((names[org.id], t("accord.pdf_sign")))
        mine = [x for x in accord.seances if x.phase == phase]
        seances = t("accord.pdf_seances", seances=Html(", ".join(
            s.say("accord.pdf_seance", date=show_date(x.started_at, tz),
                  who=self.who(accord, x.led_by)) for x in mine))) if mine else ""
        return Contrat(
            section=t("accord.pdf_section"),
            heading=t("accord.pdf_heading", alliance=accord.alliance.name),
            subtitle=t("accord.pdf_subtitle", charter=self.charter.title,
                       version=self.charter.version, phase=s.phases[phase].label,
                       date=show_date(now, tz)),
            seances=seances,
            families=tuple(families),
            empty=t("accord.empty", phase=s.phases[phase].label),
            validations_title=t("accord.pdf_validations"),
            validations=tuple(validations),
            signatures_title=t("accord.pdf_signatures"),
            signatures=tuple(signatures),
            shortened=t("accord.pdf_shortened"),
        )

    def sheet(self, accord: Accord, phase: str, now: datetime) -> Outgoing | None:
        """The one-page PDF to sign, once something was retained in the phase."""
        contrat = self.printable(accord, phase, now)
        if not contrat.families:
            return None
        slug = "-".join(normalize(accord.alliance.name).split())[:40] or "alliance"
        caption = self.s.say("accord.pdf_caption", alliance=accord.alliance.name,
                             phase=self.s.phases[phase].label)
        return Outgoing(caption, attachment=Attachment(
            "document", f"contrat-{slug}-{phase}.pdf", later=ContratSheet(contrat)))
