"""The summary: known convergences and divergences, checked exactly; charts; hostile names."""

from __future__ import annotations

import io
import struct
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.render_text import plain
from dialogues.content.bundle import load_content
from dialogues.core.context import AllianceAnswers
from dialogues.core.domain import Alliance, Answer, Organisation
from dialogues.summary.compute import CONVERGENCE, DIVERGENCE, TOO_FEW, labels, summarise
from dialogues.summary.flow import Summaries
from tests.fakes import FakeStore, partner_code
from tests.helpers import Chat, Clock, create_alliance, make_app, seen

CONTENT = load_content()
CHARTER = CONTENT.charter
T0 = datetime(2027, 2, 1, tzinfo=UTC)
ORGS = (Organisation(1, 1, "Asso A", "association"),
        Organisation(2, 1, "Mairie B", "collectivite"),
        Organisation(3, 1, "Fondation C", "fondation"))
_ids = iter(range(1, 10_000))
SUMMARIES = Summaries(CHARTER, CONTENT.script)


def alliance(name: str = "Alliance Test", anonymous: bool = False) -> Alliance:
    return Alliance(1, name, T0, T0 + timedelta(days=300), T0 + timedelta(days=150),
                    "Europe/Paris", T0, anonymous=anonymous)


def answer(org: int, lever: str, position: int | None, phase: str = "lancement",
           member: int | None = None, minutes: int = 0, comment: str | None = None) -> Answer:
    return Answer(alliance_id=1, organisation_id=org, member_id=member or org * 10, phase=phase,
                  lever_id=lever, position=position, comment=comment, contribution=None,
                  expectation=None, charter_version="2021-11-30",
                  answered_at=T0 + timedelta(minutes=minutes), id=next(_ids))


FIXTURE = [
    # respect-confiance: 3, 3, 4 -> convergence
    answer(1, "respect-confiance", 3), answer(2, "respect-confiance", 3),
    answer(3, "respect-confiance", 4),
    # dialoguer: 1, 4 -> divergence of 3
    answer(1, "dialoguer", 1), answer(2, "dialoguer", 4),
    # gouvernance: 2, 4, unknown -> divergence of 2, someone does not know
    answer(1, "gouvernance", 2), answer(2, "gouvernance", 4), answer(3, "gouvernance", None),
    # territoires: one organisation only -> too few
    answer(1, "territoires", 4),
    # donnees: 2 and unknown -> too few known positions, someone does not know
    answer(1, "donnees", 2), answer(3, "donnees", None),
    # outils: two members of Asso A, the later answer counts: 1 then 3; Mairie 3 -> convergence
    answer(1, "outils", 1, member=10, minutes=0), answer(1, "outils", 3, member=11, minutes=5),
    answer(2, "outils", 3),
    # earlier phase, for the evolution
    answer(1, "dialoguer", 2, phase="lancement", minutes=-10),
]


def summary_of(answers, phase="lancement", anonymous=False):
    names = labels(ORGS, anonymous, "Partenaire {n}")
    previous = CONTENT.script.phases[phase].previous
    return summarise(CHARTER, ORGS, answers, phase, previous, names)


def test_markers_and_agenda_are_exact():
    summary = summary_of(FIXTURE)
    by_id = {x.lever.id: x for x in summary.levers}
    assert by_id["respect-confiance"].marker == CONVERGENCE
    assert by_id["dialoguer"].marker == DIVERGENCE and by_id["dialoguer"].spread == 3
    assert by_id["gouvernance"].marker == DIVERGENCE and by_id["gouvernance"].spread == 2
    assert by_id["gouvernance"].unknown == ("Fondation C",)
    assert by_id["territoires"].marker == TOO_FEW
    assert by_id["donnees"].marker == TOO_FEW and by_id["donnees"].unknown == ("Fondation C",)
    assert by_id["outils"].marker == CONVERGENCE
    assert [(p.organisation, p.position) for p in by_id["outils"].positions] == [
        ("Asso A", 3), ("Mairie B", 3)]
    assert by_id["interet-general"].positions == () and by_id["interet-general"].marker == TOO_FEW
    assert (summary.count(CONVERGENCE), summary.count(DIVERGENCE), summary.count(TOO_FEW)) == (
        2, 2, 17)
    assert [x.lever.id for x in summary.agenda] == ["dialoguer", "gouvernance", "donnees"]
    assert summary.progress == (("Asso A", "in_progress", 6), ("Mairie B", "in_progress", 4),
                                ("Fondation C", "in_progress", 3))


def test_evolution_between_phases():
    answers = [answer(1, "dialoguer", 2), answer(2, "dialoguer", 3), answer(3, "dialoguer", 3),
               answer(1, "dialoguer", 4, phase="mi-parcours"),
               answer(2, "dialoguer", 1, phase="mi-parcours"),
               answer(3, "dialoguer", 3, phase="mi-parcours")]
    summary = summary_of(answers, phase="mi-parcours")
    (item,) = [x for x in summary.levers if x.lever.id == "dialoguer"]
    assert [(c.organisation, c.direction) for c in item.changes] == [
        ("Asso A", "up"), ("Mairie B", "down"), ("Fondation C", "same")]


def test_anonymous_alliance_shows_no_names():
    messages = render("h", anonymous=True)
    text = "\n".join(m.text for m in messages)
    assert "Partenaire 1" in text and "Asso A" not in text and "Mairie" not in text


def render(section: str, answers=FIXTURE, orgs=ORGS, chart=False, phase="lancement",
           anonymous=False):
    """What /synthese shows (with its charts drawn), or one section of it."""
    data = AllianceAnswers(alliance(anonymous=anonymous), orgs, tuple(answers))
    summary = SUMMARIES.summary(data, phase)
    answered = tuple(p for p in ("lancement", "mi-parcours", "fin")
                     if any(a.phase == p for a in answers))
    shown = SUMMARIES.view.render(summary, section, data.alliance.name, 7, answered)
    if not chart:
        return shown
    charts = tuple(replace(m, attachment=m.attachment.rendered())
                   for m in SUMMARIES.charts(data, summary, answered))
    return (*charts, *shown)


def test_family_section_lists_each_position_with_its_marker():
    (message,) = render("f1")
    text = seen(plain(message.text))
    assert "🔴 8. Dialoguer\nAsso A : À découvrir · Mairie B : Ancré" in text
    assert message.buttons[0][0].data == "s:7:lancement:h"


def test_agenda_section_quotes_the_charter():
    (message,) = render("a")
    text = seen(plain(message.text))
    assert text.index("Dialoguer") < text.index("Animation et gouvernance")
    assert "dialogue constructif" in text  # the charter's own text for Dialoguer
    assert "« je ne sais pas » : Fondation C" in text


def test_headline_has_progress_counts_and_buttons():
    (message,) = render("h")
    text = seen(plain(message.text))
    assert "⏳ Asso A : en cours (6/21)" in text
    assert "🟢 Convergences : 2 · 🔴 Divergences : 2 · ⚪ Trop peu de réponses : 17" in text
    labels_ = [b.label for row in message.buttons for b in row]
    assert "🗣 À discuter" in labels_ and any("Principes" in label for label in labels_)
    assert all(len(b.data.encode()) <= 64 for row in message.buttons for b in row)


def test_hostile_names_are_escaped_and_cut():
    hostile = (Organisation(1, 1, "<b>Asso</b> & </a>", "association"),
               Organisation(2, 1, "M" * 4000, "autre"))
    answers = [answer(1, "dialoguer", 1, comment="<script>alert(1)</script> & co" * 50),
               answer(2, "dialoguer", 4)]
    for section in ("h", "f1", "a", "t1"):
        for message in render(section, answers, hostile):
            assert "<script>" not in message.text and "<b>Asso</b>" not in message.text
            assert "&lt;b&gt;Asso&lt;/b&gt; &amp; &lt;/a&gt;" in message.text
    (texts,) = render("t1", answers, hostile)
    assert "…" in texts.text  # the long comment is cut


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_chart_is_a_png_of_the_expected_size():
    messages = render("h", chart=True)
    photo = messages[0].attachment
    assert photo is not None and photo.kind == "photo"
    assert png_size(photo.data) == (1080, 1080)
    assert len(messages[0].text) <= 1024


def test_second_chart_once_a_second_phase_has_answers():
    answers = [*FIXTURE, answer(1, "dialoguer", 3, phase="mi-parcours")]
    messages = render("h", answers, chart=True, phase="mi-parcours")
    photos = [m.attachment for m in messages if m.attachment]
    assert len(photos) == 2 and all(png_size(p.data) == (1080, 1080) for p in photos)


# --- through the service --------------------------------------------------------------------


@pytest.fixture
def pair():
    store = FakeStore()
    app = make_app(store, Clock())
    alice, bob = Chat(app, "alice"), Chat(app, "bob")
    code = create_alliance(alice)
    bob.cmd("rejoindre", code)
    bob.press("Une autre organisation")
    bob.say("Mairie B")
    bob.press("Collectivité")
    return app, alice, bob


def test_synthese_through_the_service(pair):
    app, alice, bob = pair
    alice.cmd("charte")
    alice.press("Ancré")
    bob.cmd("charte")
    bob.press("À découvrir")
    bob.cmd("synthese")
    assert bob.last[0].attachment is not None
    assert "Synthèse — Lancement" in bob.text and "🔴 Divergences : 1" in bob.text
    bob.press("📊 Principes")
    assert bob.last[0].edit
    assert "Asso A : Ancré · Mairie B : À découvrir" in bob.text


def test_someone_outside_the_alliance_sees_nothing(pair):
    app, alice, bob = pair
    alice.cmd("synthese")
    button = next(b for b in alice.buttons if "Principes" in b.label)
    eve = Chat(app, "eve")
    assert "Asso A" not in eve.press_data(button.data)
    assert "aucune alliance" in eve.cmd("synthese")
    forged = Chat(app, "mallory")
    for data in (button.data, "s:1:lancement:h", "s:1:l:h"):
        text = forged.press_data(data)
        assert "plus valable" in text and "/nouvelle" in text, data
        assert "Asso A" not in text


def test_my_answers_show_what_changed(pair):
    app, alice, bob = pair
    clock: Clock = app.service.clock  # type: ignore[assignment]
    alice.cmd("charte")
    alice.press("Engagé")
    clock.advance(days=200)
    alice.cmd("charte")
    alice.press("Ancré")
    text = alice.cmd("mes_reponses")
    assert "1. Respect et confiance : Ancré (au lancement : Engagé)" in text


def read_pdf(data: bytes) -> str:
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # the lines wrap where the page ends


def test_export_sends_a_pdf_report_and_a_spreadsheet_made_for_french_offices(pair):
    from openpyxl import load_workbook

    app, alice, bob = pair
    alice.cmd("charte")
    alice.press("Ancré")
    alice.say("Des réunions <mensuelles> & ouvertes")
    bob.cmd("charte")
    bob.press("À découvrir")
    bob.cmd("export")
    pdf_doc, xlsx_doc = (m.attachment for m in bob.last)
    assert pdf_doc.filename.endswith(".pdf") and pdf_doc.data.startswith(b"%PDF-")
    assert xlsx_doc.filename == "charte-alliance-test.xlsx"
    assert not any(m.attachment.filename.endswith(".csv") for m in bob.last)
    book = load_workbook(io.BytesIO(xlsx_doc.data))
    assert book.sheetnames == ["Réponses", "Synthèse Lancement"]
    rows = list(book["Réponses"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Alliance", "Organisation", "Membre", "Rôle")
    assert "Répondu le" in rows[0] and "Inchangé" in rows[0]
    by_org = {r[1]: r for r in rows[1:]}
    assert by_org["Asso A"][9] == "Ancré" and by_org["Mairie B"][9] == "À découvrir"
    assert "Des réunions <mensuelles> & ouvertes" in by_org["Asso A"]
    answered = by_org["Asso A"][-1]
    # Local time of the alliance (the test clock is 10/01/2027 09:00 UTC: 10:00 in Paris).
    assert isinstance(answered, datetime) and (answered.hour, answered.minute) == (10, 0)
    summary = list(book["Synthèse Lancement"].iter_rows(values_only=True))
    assert summary[0][-2:] == ("Asso A", "Mairie B")
    first = summary[1]
    assert first[:4] == (1, "Principes d’action", "Respect et confiance", "Divergence")
    assert first[-2:] == ("Ancré", "À découvrir")
    cell = book["Synthèse Lancement"].cell(row=2, column=len(first))
    assert cell.fill.start_color.rgb.endswith("DEEBF7")  # coloured by level
    second = summary[2]
    assert second[3].startswith("Trop peu de réponses (aucune organisation")

    text = read_pdf(pdf_doc.data)
    assert "Convergences : 0" in text and "Divergences : 1" in text
    assert "●" in text  # the markers are drawn, not blanks
    assert "aucune organisation n’a encore choisi de niveau" in text
    assert "Les niveaux de chaque organisation, levier par levier" in text


def test_with_one_partner_the_report_says_why_nothing_is_compared(pair):
    app, alice, bob = pair
    alice.cmd("charte")
    alice.press("Ancré")
    alice.cmd("export")
    text = read_pdf(alice.last[0].attachment.data)
    assert "il en faut deux pour comparer" in text
    assert "Une seule organisation a répondu pour l’instant" in text


def test_anonymous_setting_holds_for_export_and_is_coordinator_only(pair):
    app, alice, bob = pair
    alice.cmd("charte")
    alice.press("Ancré")
    assert "Seul·e un·e coordinateur·rice" in bob.cmd("reglages")
    forged = "g:999:anon:1"
    assert "plus valable" in bob.press_data(forged)
    alice.cmd("reglages")
    alice.press("Rendre anonyme")
    assert "anonyme" in alice.text
    assert app.store.data.alliances[next(iter(app.store.data.alliances))].anonymous
    bob.cmd("export")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(bob.last[1].attachment.data))
    cells = [str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row]
    assert "Asso A" not in cells and "Partenaire 1" in cells and "alice" not in cells
    report = read_pdf(bob.last[0].attachment.data)
    assert "Asso A" not in report and "Partenaire 1" in report
    bob.cmd("synthese")
    assert "Asso A" not in bob.text and "Partenaire 1" in bob.text


def test_group_link_and_group_summary(pair):
    app, alice, bob = pair
    code = partner_code(app.store)
    assert "seul·e un·e coordinateur·rice" in bob.in_group(-100, "lier", code)
    assert "Ce groupe est lié à l’alliance « Alliance Test »" in alice.in_group(-100, "lier", code)
    text = bob.in_group(-100, "synthese")
    assert "Synthèse — Lancement" in text and "À discuter en priorité" in text
    assert not any(m.buttons for m in bob.last)
    eve = Chat(app, "eve")
    text = eve.in_group(-100, "synthese")
    assert "Asso A" not in text and "aucune alliance" in text


def test_a_lever_without_a_level_is_a_gap_in_the_radar_never_the_centre():
    import math

    from dialogues.summary.charts import outline

    angles, values = outline([0.0, 1.0, 2.0], [3, None, 1])
    assert angles == [0.0, 1.0, 2.0, 0.0]
    assert values[0] == 3 and math.isnan(values[1]) and values[2] == 1 and values[3] == 3
    assert 0 not in values
