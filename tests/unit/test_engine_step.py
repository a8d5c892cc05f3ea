"""`Engine.step` called directly: an event and a context in, messages and effects out.

No service and no store: each case builds the context the service would have loaded, so what
is checked is the engine's decision alone (what the person sees, what would be written).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.render_text import plain
from dialogues.app.engine import Engine
from dialogues.content.bundle import load_content
from dialogues.core.callbacks import decode
from dialogues.core.context import (
    AllianceAnswers,
    CodeLookup,
    Context,
    GroupLookup,
    Invitation,
    Loaded,
    MemberInfo,
    Membership,
    Need,
)
from dialogues.core.domain import Alliance, Answer, Member, Organisation
from dialogues.core.effects import (
    ChangeMember,
    CreateAlliance,
    JoinAlliance,
    Joined,
    LinkGroup,
    NudgesOff,
    ReplaceCode,
    SaveAnswer,
)
from dialogues.core.events import Command, GroupCommand, Other, Press, Text
from dialogues.core.session import Form, Session, WalkState
from dialogues.core.step import Step
from dialogues.deadlines.buttons import DeadlineButton
from dialogues.members.buttons import MemberButton
from dialogues.onboarding.buttons import FormButton
from dialogues.reminders.buttons import NudgesOffButton
from dialogues.settings.buttons import AnonymityButton, ArchiveButton, InviteButton
from dialogues.summary.buttons import SummaryButton
from dialogues.walk.buttons import StartWalk, WalkButton
from tests.helpers import seen

CONTENT = load_content()
ENGINE = Engine(CONTENT, "Europe/Paris")
NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
ALLIANCE = Alliance(1, "Alliance du Port", NOW - timedelta(days=20), NOW + timedelta(days=300),
                    NOW + timedelta(days=140), "CODE-PORT", "Europe/Paris",
                    NOW - timedelta(days=30))
ASSO = Organisation(1, 1, "Asso du Port", "association")
MAIRIE = Organisation(2, 1, "Mairie du Port", "collectivite")
ALICE = Member(10, 1, 1, 100, "coordinator", NOW - timedelta(days=30))
BOB = Member(11, 1, 2, 101, "partner", NOW - timedelta(days=10))


def ctx(member: Member | None = ALICE, alliance: Alliance | None = ALLIANCE,
        phase: str | None = "lancement", loaded: Loaded | None = None,
        answers: dict | None = None) -> Context:
    org = None if member is None else (ASSO if member.organisation_id == 1 else MAIRIE)
    return Context(now=NOW, timezone="Europe/Paris", member=member,
                   alliance=alliance if member else None, organisation=org,
                   phase=phase if member else None, answers=answers or {},
                   loaded=loaded or Loaded())


def walking(index: int = 0, step: int = 0, **changes: object) -> WalkState:
    return replace(WalkState(phase="lancement", index=index, step=step), **changes)


def answer(lever: str, position: int | None, comment: str | None = None) -> Answer:
    return Answer(1, 1, ALICE.id, "lancement", lever, position, comment, None, None,
                  "2021-11-30", NOW - timedelta(days=1), id=1)


@dataclass(frozen=True)
class Case:
    name: str
    event: object
    context: Context = field(default_factory=ctx)
    session: Session = field(default_factory=lambda: Session(member_id=ALICE.id))
    walk: WalkState | None = None
    shows: tuple[str, ...] = ()  # each fragment is in what the person sees
    hides: tuple[str, ...] = ()  # none of these is
    labels: tuple[str, ...] = ()  # each is on one of the buttons
    effects: tuple[object, ...] = ()  # exactly these writes
    check: Callable[[Step], object] | None = None  # anything else about the step


def stale_walk_button(**changes: object) -> str:
    return replace(WalkButton(ALICE.id, "lancement", 0, 0, "3"), **changes).encode()


ANSWERS = AllianceAnswers(ALLIANCE, (ASSO, MAIRIE), (answer("dialoguer", 1),))
INVITED = Invitation(ALLIANCE, (ASSO, MAIRIE), None)
JOIN_FORM = Form("join", "org_choice", (("alliance_id", "1"), ("alliance_name", ALLIANCE.name),
                                        ("code", "CODE-PORT")),
                 (("1", ASSO.name), ("2", MAIRIE.name)))
NEW_FORM = Form("new", "mid", (("end", (NOW + timedelta(days=300)).isoformat()),
                               ("name", "Alliance Neuve"), ("org_kind", "association"),
                               ("org_name", "Asso Neuve"), ("start", NOW.isoformat())))
MEMBERS = (MemberInfo(ALICE, "Alice", ASSO.name, 0), MemberInfo(BOB, "Bob", MAIRIE.name, 3))

CASES = [
    # --- the walk ---
    Case("a pressed level is stored and the lever's message turns to the conditions",
         Press(WalkButton(ALICE.id, "lancement", 0, 0, "3").encode()), walk=walking(),
         shows=("✓ Engagé", "À quelles conditions"),
         effects=(SaveAnswer("lancement", "respect-confiance", 3, None, None, None),),
         check=lambda s: (len(s.outgoing) == 1 and s.outgoing[0].edit
                          and s.walk == walking(0, 1))),
    Case("a typed level is read and stored", Text("on est engagés"), walk=walking(),
         shows=("✓ Engagé",),
         effects=(SaveAnswer("lancement", "respect-confiance", 3, None, None, None),),
         check=lambda s: not s.outgoing[0].edit),
    Case("a typed level replacing an answer asks first, and writes nothing", Text("ancré"),
         context=ctx(answers={"lancement": {"respect-confiance": answer("respect-confiance", 3)}}),
         walk=walking(), shows=("Remplacer par Ancré",),
         check=lambda s: s.walk is not None and s.walk.pending is not None),
    Case("an empty message gets « je n'ai pas compris » and the question again", Text("  "),
         walk=walking(), shows=("Je n’ai pas compris", "Levier 1/21")),
    Case("control characters alone are nothing to read", Text("\x00\x07"), walk=walking(),
         shows=("Je n’ai pas compris",)),
    Case("« Passer » on the last question of a lever sends the next lever as a new message",
         Press(WalkButton(ALICE.id, "lancement", 0, 1, "skip").encode()), walk=walking(0, 1),
         shows=("passé", "Levier 2/21"),
         check=lambda s: len(s.outgoing) == 1 and not s.outgoing[0].edit),
    Case("a button of another lever is stale", Press(stale_walk_button(index=5)),
         walk=walking(), shows=("plus valable", "Levier 1/21")),
    Case("a button of another member is stale", Press(stale_walk_button(member=BOB.id)),
         walk=walking(), shows=("plus valable",)),
    Case("a button of another phase is stale", Press(stale_walk_button(phase="fin")),
         walk=walking(), shows=("plus valable",)),
    Case("« Oui » with no question pending is stale",
         Press(WalkButton(ALICE.id, "lancement", 0, 0, "yes", 1).encode()), walk=walking(),
         shows=("plus valable",)),
    Case("garbage is a stale button", Press("w:1:2"), walk=walking(), shows=("plus valable",)),
    Case("an archived alliance takes no answer",
         Press(WalkButton(ALICE.id, "lancement", 0, 0, "3").encode()),
         context=ctx(alliance=replace(ALLIANCE, archived_at=NOW)), walk=walking(),
         shows=("plus valable",)),
    Case("/charte in an archived alliance says it is read-only", Command("charte"),
         context=ctx(alliance=replace(ALLIANCE, archived_at=NOW)), shows=("archivée",)),
    Case("/charte with no alliance says how to get one", Command("charte"),
         context=ctx(member=None), session=Session(), shows=("aucune alliance",)),
    Case("a sticker gets a short answer and the question", Other("sticker"), walk=walking(),
         shows=("texte et les boutons", "Levier 1/21")),
    Case("the start button of another alliance switches there, then walks",
         Press(StartWalk(99).encode()),
         context=ctx(loaded=Loaded(memberships=(Membership(99, 2, "Autre", "Asso", "partner"),))),
         check=lambda s: s.session.member_id == 99 and s.then == Command("charte")),
    # --- joining and creating ---
    Case("an unknown code says nothing about any alliance", Command("rejoindre", "NOPE"),
         context=ctx(member=None), session=Session(), shows=("pas valable",),
         hides=("Port",)),
    Case("a known code offers its organisations", Command("start", "CODE-PORT"),
         context=ctx(member=None, loaded=Loaded(invitation=INVITED)), session=Session(),
         shows=("Alliance du Port",), labels=("Asso du Port", "Une autre organisation")),
    Case("choosing an organisation joins it", Press(FormButton("join", "org_choice", "2").encode()),
         context=ctx(member=None, loaded=Loaded(invitation=INVITED)),
         session=Session(form=JOIN_FORM), effects=(JoinAlliance(1, 2, None, None),)),
    Case("a code replaced meanwhile cannot be joined",
         Press(FormButton("join", "org_choice", "2").encode()),
         context=ctx(member=None, loaded=Loaded(invitation=None)),
         session=Session(form=JOIN_FORM), shows=("pas valable",)),
    Case("joined: welcome, and the walk one press away", Joined(12, ALLIANCE.name, MAIRIE.name),
         context=ctx(member=None), session=Session(form=replace(JOIN_FORM, step="joining")),
         shows=("Bienvenue", "Mairie du Port"),
         check=lambda s: s.session == Session(member_id=12) and isinstance(
             decode(s.outgoing[-1].buttons[0][0].data), StartWalk)),
    Case("the proposed mid-point is the middle day at the reminders' time, confirmed in full",
         Press(FormButton("new", "mid", "middle").encode()),
         context=ctx(member=None), session=Session(form=NEW_FORM),
         shows=("point d’étape : le jeudi 1er juillet 2027 à 9 h", "Je la crée"),
         check=lambda s: s.effects == () and s.session.form is not None
         and s.session.form.step == "confirm"),
    Case("« Oui, créer » creates the alliance with a fresh code",
         Press(FormButton("new", "confirm", "yes").encode()),
         context=ctx(member=None, loaded=Loaded(fresh_code="FRESH")),
         session=Session(form=replace(NEW_FORM, step="confirm", values=(
             *NEW_FORM.values, ("mid", datetime(2027, 7, 1, 7, tzinfo=UTC).isoformat())))),
         check=lambda s: [type(e) for e in s.effects] == [CreateAlliance]
         and s.effects[0].code == "FRESH" and s.effects[0].name == "Alliance Neuve"
         and s.effects[0].mid_at == datetime(2027, 7, 1, 7, tzinfo=UTC)),
    # --- the coordination ---
    Case("a coordinator removes a partner after « Oui »",
         Press(MemberButton(ALICE.id, BOB.id, "remove", True).encode()),
         context=ctx(loaded=Loaded(members=MEMBERS)), shows=("Bob ne fait plus partie",),
         effects=(ChangeMember(BOB.id, "remove"),)),
    Case("a partner's forged removal is stale",
         Press(MemberButton(BOB.id, ALICE.id, "remove", True).encode()),
         context=ctx(member=BOB, loaded=Loaded(members=MEMBERS)), shows=("plus valable",)),
    Case("a removal not yet confirmed only asks",
         Press(MemberButton(ALICE.id, BOB.id, "remove").encode()),
         context=ctx(loaded=Loaded(members=MEMBERS)), shows=("Retirer", "Bob")),
    Case("the confirmed new code replaces the old one",
         Press(InviteButton(ALICE.id, "yes").encode()),
         context=ctx(loaded=Loaded(fresh_code="NEWCODE")),
         session=Session(member_id=ALICE.id, form=Form("invite", "confirm")),
         shows=("NEWCODE",), effects=(ReplaceCode("NEWCODE"),)),
    Case("a partner cannot make the summary anonymous",
         Press(AnonymityButton(BOB.id, True).encode()), context=ctx(member=BOB),
         shows=("plus valable",)),
    Case("archiving before the end phase is refused", Command("archiver"),
         shows=("phase de fin",)),
    Case("a partner's « archive » is stale", Press(ArchiveButton(BOB.id, True).encode()),
         context=ctx(member=BOB), session=Session(member_id=BOB.id,
                                                  form=Form("archive", "confirm")),
         shows=("plus valable",)),
    Case("a partner cannot move the dates", Press(DeadlineButton(BOB.id, "mid").encode()),
         context=ctx(member=BOB), shows=("plus valable",)),
    Case("« Ne plus me rappeler » for one's own membership",
         Press(NudgesOffButton(ALICE.id).encode()),
         context=ctx(loaded=Loaded(memberships=(
             Membership(ALICE.id, 1, ALLIANCE.name, ASSO.name, "coordinator"),))),
         shows=("plus de rappels",), effects=(NudgesOff(ALICE.id),)),
    # --- the summary ---
    Case("/synthese shows the headline after its chart, drawn later",
         Command("synthese"), context=ctx(loaded=Loaded(answers=ANSWERS)),
         shows=("Synthèse — Lancement", "Qui a répondu"),
         check=lambda s: s.outgoing[0].attachment is not None
         and s.outgoing[0].attachment.later is not None and not s.outgoing[0].attachment.data),
    Case("a summary button of someone else is stale",
         Press(SummaryButton(BOB.id, "lancement", "a").encode()),
         context=ctx(loaded=Loaded(answers=ANSWERS)), shows=("plus valable",)),
    Case("⬅ Synthèse edits the message in place and sends no chart again",
         Press(SummaryButton(ALICE.id, "lancement", "h").encode()),
         context=ctx(loaded=Loaded(answers=ANSWERS)), shows=("Synthèse — Lancement",),
         check=lambda s: len(s.outgoing) == 1 and s.outgoing[0].edit
         and s.outgoing[0].attachment is None),
    # --- groups ---
    Case("a coordinator links a group", GroupCommand(-5, "lier", "CODE-PORT"),
         context=ctx(member=None, loaded=Loaded(invitation=replace(INVITED, member=ALICE))),
         session=Session(), shows=("Ce groupe est lié",), effects=(LinkGroup(1, -5),)),
    Case("a partner cannot link a group", GroupCommand(-5, "lier", "CODE-PORT"),
         context=ctx(member=None, loaded=Loaded(invitation=replace(INVITED, member=BOB))),
         session=Session(), shows=("seul·e un·e coordinateur·rice",)),
    Case("other commands in a group point to a private chat", GroupCommand(-5, "charte"),
         session=Session(), shows=("message privé",)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_engine_step(case: Case) -> None:
    step = ENGINE.step(case.session, case.walk, case.event, case.context)
    shown = seen("\n".join(plain(m.text) for m in step.outgoing))
    for fragment in case.shows:
        assert fragment in shown, f"{fragment!r} not in {shown!r}"
    for fragment in case.hides:
        assert fragment not in shown, f"{fragment!r} shown in {shown!r}"
    labels = [b.label for m in step.outgoing for row in m.buttons for b in row]
    for label in case.labels:
        assert any(label in shown_label for shown_label in labels), f"{label!r} not in {labels}"
    if case.effects or case.check is None:
        assert step.effects == case.effects
    for message in step.outgoing:
        for row in message.buttons:
            for button in row:
                assert decode(button.data) is not None, f"undecodable {button.data!r}"
    if case.check is not None:
        assert case.check(step), step


@pytest.mark.parametrize("session, event, wanted", [
    (Session(), Command("synthese"), (Need.ANSWERS,)),
    (Session(), Command("export"), (Need.EXPORT,)),
    (Session(), Command("membres"), (Need.MEMBERS,)),
    (Session(), Command("alliances"), (Need.MEMBERSHIPS,)),
    (Session(), Command("start", "CODE-PORT"), (CodeLookup("CODE-PORT"),)),
    (Session(), Command("rejoindre", "bad code!"), ()),
    (Session(), Command("charte"), ()),
    (Session(), Press(StartWalk(3).encode()), (Need.MEMBERSHIPS,)),
    (Session(), Press(InviteButton(3, "new").encode()), ()),
    (Session(), Press(InviteButton(3, "yes").encode()), (Need.FRESH_CODE,)),
    (Session(), Press("garbage"), ()),
    (Session(), GroupCommand(-5, "synthese"), (GroupLookup(-5),)),
    (Session(form=JOIN_FORM), Text("Mairie"), (CodeLookup("CODE-PORT"),)),
    (Session(form=NEW_FORM), Text("01/06/2027"), ()),
    (Session(form=replace(NEW_FORM, step="confirm")), Text("oui"), (Need.FRESH_CODE,)),
    (Session(), Text("7k3m q9tx ab12 cdef ghjk"), (CodeLookup("7k3m q9tx ab12 cdef ghjk"),)),
    (Session(member_id=ALICE.id), Text("engagé"), ()),
])
def test_what_an_event_reads_is_declared_before_the_step(session, event, wanted):
    assert ENGINE.needs(session, event) == wanted
