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
from dialogues.accord.buttons import AccordButton
from dialogues.app.engine import Engine
from dialogues.arrivals.buttons import ArrivalButton
from dialogues.content.bundle import load_content
from dialogues.core.agreements import Accord, Agreement, Named, Seance, Validation, Writing
from dialogues.core.callbacks import decode
from dialogues.core.context import (
    AccordLookup,
    AllianceAnswers,
    Arrival,
    ArrivalBatch,
    ArrivalLookup,
    CodeLookup,
    Context,
    GroupLookup,
    Invitation,
    Loaded,
    MemberInfo,
    Membership,
    Need,
)
from dialogues.core.domain import Alliance, Answer, Invite, Member, Organisation
from dialogues.core.effects import (
    CastVote,
    ChangeMember,
    CreateAlliance,
    DecideArrival,
    JoinAlliance,
    Joined,
    LinkGroup,
    NudgesOff,
    OpenSeance,
    ReplaceCode,
    RetainText,
    SaveAnswer,
    SaveSeance,
    ValidateAccord,
    WrongCode,
)
from dialogues.core.events import Command, GroupCommand, GroupText, Other, Press, Text
from dialogues.core.session import Form, Session, WalkState
from dialogues.core.step import Step
from dialogues.deadlines.buttons import DeadlineButton
from dialogues.members.buttons import MemberButton
from dialogues.onboarding.buttons import FormButton
from dialogues.reminders.buttons import NudgesOffButton
from dialogues.seance.buttons import SeanceButton, VoteButton
from dialogues.settings.buttons import AnonymityButton, ArchiveButton, InviteButton
from dialogues.summary.buttons import SummaryButton
from dialogues.walk.buttons import StartWalk, WalkButton
from tests.helpers import seen

CONTENT = load_content()
ENGINE = Engine(CONTENT, "Europe/Paris")
NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
ALLIANCE = Alliance(1, "Alliance du Port", NOW - timedelta(days=20), NOW + timedelta(days=300),
                    NOW + timedelta(days=140), "Europe/Paris", NOW - timedelta(days=30))
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
PARTNER_CODE = Invite(1, 1, "partner", "CODE-PORT", NOW - timedelta(days=30))
WAITING_BOB = replace(BOB, pending_since=NOW - timedelta(hours=1))
TESS = Member(12, 1, None, 102, "tiers", NOW - timedelta(days=5))
BATCH = ArrivalBatch(7, ALLIANCE, ALICE, (ALICE, WAITING_BOB),
                     (Arrival(WAITING_BOB, "Bob", MAIRIE.name, True),))
INVITE_FORM = Form("invite", "confirm", (("kind", "partner"),))

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
    Case("an unknown code says nothing about any alliance, and counts as a wrong try",
         Command("rejoindre", "NOPE"),
         context=ctx(member=None), session=Session(), shows=("pas valable",),
         hides=("Port",), effects=(WrongCode(),)),
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
    Case("« Inchangé » under an older question is stale: nothing is written",
         Press(WalkButton(ALICE.id, "lancement", 0, 0, "same").encode()),
         walk=walking(index=2), shows=("plus valable",), check=lambda s: s.effects == ()),
    Case("« Inchangé » where there is no earlier phase is refused",
         Press(WalkButton(ALICE.id, "lancement", 0, 0, "same").encode()),
         walk=walking(), shows=("plus valable",), check=lambda s: s.effects == ()),
    Case("« Répondre aux leviers restants » with none left is stale",
         Press(WalkButton(ALICE.id, "lancement", 21, 0, "gaps").encode()),
         walk=walking(index=21),
         context=ctx(answers={"lancement": {lv.id: answer(lv.id, 3)
                                            for lv in CONTENT.charter.levers}}),
         shows=("plus valable",), check=lambda s: s.effects == ()),
    Case("« Garder ma note » without a note is stale",
         Press(WalkButton(ALICE.id, "lancement", 0, 1, "note").encode()),
         walk=walking(step=1), shows=("plus valable",), check=lambda s: s.effects == ()),
    Case("« Inchangé » at mid-course stores the earlier answer, marked unchanged",
         Press(WalkButton(ALICE.id, "mi-parcours", 0, 0, "same").encode()),
         walk=replace(walking(), phase="mi-parcours"),
         context=ctx(phase="mi-parcours",
                     answers={"lancement": {"respect-confiance": answer(
                         "respect-confiance", 2, "si le CA suit")}}),
         shows=("✓ 1. Respect et confiance : En réflexion (inchangé)", "Levier 2/21"),
         check=lambda s: s.effects == (SaveAnswer("mi-parcours", "respect-confiance", 2,
                                                  "si le CA suit", None, None, unchanged=True),)
         and s.walk is not None and s.walk.index == 1),
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
         context=ctx(loaded=Loaded(fresh_code="NEWCODE", invites=(PARTNER_CODE,))),
         session=Session(member_id=ALICE.id, form=INVITE_FORM),
         shows=("NEWCODE",), hides=("CODE-PORT",), effects=(ReplaceCode("NEWCODE"),)),
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
    # --- who gets in (issue 12) and the tiers de confiance ---
    Case("a newcomer the coordination has not accepted sees nothing of the alliance",
         Command("synthese"), context=ctx(member=WAITING_BOB), session=Session(member_id=11),
         shows=("attend la confirmation",), hides=("Asso du Port", "Mairie du Port")),
    Case("…nor its members", Command("membres"), context=ctx(member=WAITING_BOB),
         session=Session(member_id=11), shows=("attend la confirmation",), hides=("Alice",)),
    Case("…and cannot start the walk from a button", Press(StartWalk(11).encode()),
         context=ctx(member=WAITING_BOB), session=Session(member_id=11),
         shows=("attend la confirmation",)),
    Case("a waiting newcomer may still withdraw", Command("quitter"),
         context=ctx(member=WAITING_BOB), session=Session(member_id=11),
         shows=("Quitter l’alliance",)),
    Case("a tiers de confiance walks no charter", Command("charte"), context=ctx(member=TESS),
         session=Session(member_id=12), shows=("vous ne parcourez donc pas la charte",)),
    Case("a tiers de confiance reads the summary", Command("synthese"),
         context=ctx(member=TESS, loaded=Loaded(answers=ANSWERS)),
         session=Session(member_id=12), shows=("Synthèse — Lancement",)),
    Case("« Accepter » on an arrival the presser was not sent is stale",
         Press(ArrivalButton(7, 11, "accept").encode()),
         context=ctx(loaded=Loaded(arrivals=None)), shows=("plus valable",)),
    Case("« Accepter » by the coordinator the arrival was told to accepts",
         Press(ArrivalButton(7, 11, "accept").encode()),
         context=ctx(loaded=Loaded(arrivals=BATCH)), shows=("Bob est accepté·e",),
         labels=("Retirer Bob",), effects=(DecideArrival(1, 11, "accept"),)),
    Case("« Accepter » by a partner is stale",
         Press(ArrivalButton(7, 11, "accept").encode()),
         context=ctx(member=BOB, loaded=Loaded(arrivals=replace(BATCH, actor=BOB))),
         session=Session(member_id=BOB.id), shows=("plus valable",)),
    Case("« Refuser » first asks", Press(ArrivalButton(7, 11, "refuse").encode()),
         context=ctx(loaded=Loaded(arrivals=BATCH)), shows=("Refuser l’arrivée de Bob",),
         labels=("Oui, confirmer", "Annuler")),
    Case("« Accepter » someone gone since says so and changes nothing",
         Press(ArrivalButton(7, 11, "accept").encode()),
         context=ctx(loaded=Loaded(arrivals=replace(BATCH, arrivals=(replace(
             BATCH.arrivals[0], member=replace(WAITING_BOB, left_at=NOW)),)))),
         shows=("n’est plus là",)),
    Case("the eleventh wrong code within the hour waits, whatever the code",
         Command("rejoindre", "CODE-PORT"),
         context=ctx(member=None, loaded=Loaded(invitation=INVITED, code_failures=tuple(
             NOW - timedelta(minutes=m) for m in range(10)))), session=Session(),
         shows=("attendez 51 min",), hides=("Port",)),
    Case("a tiers de confiance code joins without choosing an organisation",
         Command("start", "CODE-TIERS"),
         context=ctx(member=None, loaded=Loaded(invitation=replace(INVITED, invite=Invite(
             2, 1, "tiers", "CODE-TIERS", NOW))), ), session=Session(),
         effects=(JoinAlliance(1, None),)),
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

# --- the séance and the contrat de confiance (issue 11) --------------------------------------

# A tiers de confiance: role "tiers". Until tiers join without an organisation, this one is
# given one; what it may do is decided by its role alone.
TINA = Member(12, 1, 1, 102, "tiers", NOW - timedelta(days=5))
GROUP = -500
CARD = 77
SEANCE = Seance(5, 1, "lancement", TINA.id, GROUP, CARD, NOW - timedelta(minutes=30), None,
                False, 3, "dialoguer", ("dialoguer",))
PEOPLE = (Named(TINA.id, "Tina", "tiers"), Named(ALICE.id, "Alice", "coordinator"),
          Named(BOB.id, "Bob", "partner"))


def said(organisation: Organisation, lever: str, position: int | None) -> Answer:
    member = ALICE if organisation is ASSO else BOB
    return Answer(1, organisation.id, member.id, "lancement", lever, position, None, None, None,
                  "2021-11-30", NOW - timedelta(days=1), id=100 + position if position else 99)


def retained(version: int, by: Member = TINA, lever: str = "dialoguer") -> Agreement:
    return Agreement(40 + version, 1, "lancement", lever, f"Version {version} retenue", by.id,
                     SEANCE.id, "2021-11-30", NOW - timedelta(minutes=10 - version))


def accord(member: Member | None = TINA, seance: Seance | None = SEANCE,
           agreements: tuple[Agreement, ...] = (), alliance: Alliance = ALLIANCE,
           validations: tuple[Validation, ...] = ()) -> Loaded:
    # « Dialoguer »: the Asso says 1, the Mairie 4 (a divergence of 3 levels).
    answers = (said(ASSO, "dialoguer", 1), said(MAIRIE, "dialoguer", 4))
    return Loaded(accord=Accord(alliance, member, (ASSO, MAIRIE), agreements, validations, (),
                                (seance,) if seance else (), PEOPLE, answers))


def writing(*writers: Writing, **changes: object) -> Seance:
    return replace(SEANCE, writing=writers, **changes)


def seance_button(action: str, turn: int = SEANCE.turn, alliance: int = 1) -> Press:
    return Press(SeanceButton(alliance, turn, action).encode(), GROUP, CARD)  # type: ignore[arg-type]


def vote_button(version: int = 1, vote: str = "agree") -> Press:
    return Press(VoteButton(1, "lancement", CONTENT.charter.index_of("dialoguer"), version,
                            vote).encode(), GROUP, CARD)  # type: ignore[arg-type]


ARCHIVED = replace(ALLIANCE, archived_at=NOW)
LONG = "x" * 2001
TINA_WRITES = Writing(TINA.id, "dialoguer", 0)
ALICE_WRITES = Writing(ALICE.id, "dialoguer", 0)

CASES += [
    # --- starting ---
    Case("a tiers starts a séance in the linked group: the largest divergence comes first",
         GroupCommand(GROUP, "seance"), context=ctx(member=None, loaded=accord(seance=None)),
         session=Session(), shows=("Séance ouverte par Tina", "Point 1", "8. Dialoguer",
                                   "Asso du Port : À découvrir", "Mairie du Port : Ancré"),
         labels=("Retenir", "Passer", "Retour", "Pause", "Terminer la séance"),
         effects=(OpenSeance(1, "lancement", GROUP, "dialoguer", 1),)),
    Case("a partner cannot start a séance", GroupCommand(GROUP, "seance"),
         context=ctx(member=None, loaded=accord(member=BOB, seance=None)), session=Session(),
         shows=("Seuls les coordinateur·rices et le tiers de confiance",)),
    Case("a group linked to no alliance of the person has no séance",
         GroupCommand(GROUP, "seance"), context=ctx(member=None), session=Session(),
         shows=("n’est lié à aucune alliance",)),
    Case("/seance in an archived alliance points to its contrat", Command("seance"),
         context=ctx(loaded=accord(member=ALICE, seance=None, alliance=ARCHIVED)),
         shows=("archivée", "/accord")),
    Case("/seance with a name goes to that lever", Command("seance", "gouvernance"),
         context=ctx(loaded=accord(member=ALICE, seance=None)),
         shows=("levier choisi", "Animation et gouvernance"),
         effects=(OpenSeance(1, "lancement", None, "gouvernance", 1),)),
    # --- the leader's buttons ---
    Case("« Retenir » asks the leader for the text, in reply to the card",
         seance_button("retain"), context=ctx(member=None, loaded=accord()), session=Session(),
         shows=("Tina, tiers de confiance : répondez à ce message",),
         effects=(SaveSeance(3, writing(TINA_WRITES)),),
         check=lambda s: s.outgoing[0].edit and s.session.form is None),
    Case("in a private chat, « Retenir » makes the next message the text",
         Press(SeanceButton(1, 3, "retain").encode(), 100, 31),
         context=ctx(loaded=accord(member=ALICE, seance=replace(SEANCE, chat_id=None))),
         shows=("Écrivez maintenant, dans votre prochain message",),
         effects=(SaveSeance(3, replace(SEANCE, chat_id=None, card_message_id=31,
                                        writing=(ALICE_WRITES,))),),
         check=lambda s: s.session.form is not None and s.session.form.kind == "seance"),
    Case("a partner pressing « Retenir » is told, and nothing is written",
         seance_button("retain"), context=ctx(member=None, loaded=accord(member=BOB)),
         session=Session(), shows=("Seuls les coordinateur·rices et le tiers de confiance",),
         effects=()),
    Case("a leader's button of an earlier card is stale", seance_button("next", turn=2),
         context=ctx(member=None, loaded=accord()), session=Session(),
         shows=("plus valable",), effects=()),
    Case("a button forged for an alliance the person is not in is stale",
         seance_button("retain", alliance=99), context=ctx(member=None), session=Session(),
         shows=("plus valable",), effects=()),
    Case("a removed tiers (no longer a member) cannot press anything",
         seance_button("end"), context=ctx(member=None, loaded=Loaded(accord=None)),
         session=Session(), shows=("plus valable",), effects=()),
    Case("« Retenir » in an archived alliance is refused",
         seance_button("retain"), context=ctx(member=None, loaded=accord(alliance=ARCHIVED)),
         session=Session(), shows=("archivée",), effects=()),
    Case("« Passer » moves the card in place to the next point and makes old buttons stale",
         seance_button("next"), context=ctx(member=None, loaded=accord()), session=Session(),
         check=lambda s: s.outgoing[0].edit and isinstance(s.effects[0], SaveSeance)
         and s.effects[0].seance.turn == 4 and s.effects[0].seance.lever_id is None),
    # --- the retained text ---
    Case("the leader's reply is retained, and the card updates in place",
         GroupText(GROUP, "Un comité mensuel", CARD),
         context=ctx(member=None, loaded=accord(seance=writing(TINA_WRITES))),
         session=Session(), shows=("Un comité mensuel", "Retenu pour « Dialoguer »"),
         effects=(RetainText(5, "dialoguer", "Un comité mensuel", 0),),
         check=lambda s: s.outgoing[0].edit_message == CARD),
    Case("two leaders pressed « Retenir »: the later text is refused and given back",
         GroupText(GROUP, "Mon texte à moi", CARD),
         context=ctx(member=None, loaded=accord(member=ALICE, seance=writing(ALICE_WRITES),
                                                agreements=(retained(1),))),
         session=Session(), shows=("Tina, tiers de confiance a retenu entre-temps",
                                   "Version 1 retenue", "Mon texte à moi"),
         effects=(SaveSeance(3, writing()),)),
    Case("a retained text over 2,000 characters is refused, and nothing changes",
         GroupText(GROUP, LONG, CARD),
         context=ctx(member=None, loaded=accord(seance=writing(TINA_WRITES))),
         session=Session(), shows=("2001 caractères", "Rien n’a été enregistré"), effects=()),
    Case("in a private chat too, a text over 2,000 characters is refused and the wait goes on",
         Text(LONG), context=ctx(loaded=accord(member=ALICE, seance=replace(
             SEANCE, chat_id=None, writing=(ALICE_WRITES,)))),
         session=Session(member_id=ALICE.id, form=Form("seance", "text", (
             ("alliance", "1"), ("lever", "dialoguer")))),
         shows=("trop long",),
         check=lambda s: s.session.form is not None and not s.effects),
    Case("a text typed once the alliance is archived is given back, not recorded",
         GroupText(GROUP, "Trop tard", CARD),
         context=ctx(member=None, loaded=accord(seance=writing(TINA_WRITES),
                                                alliance=ARCHIVED)),
         session=Session(), shows=("archivée", "Trop tard"), effects=()),
    Case("a partner's reply to the card records nothing",
         GroupText(GROUP, "Je propose autre chose", CARD),
         context=ctx(member=None, loaded=accord(member=BOB)), session=Session(),
         shows=("réagissez avec les boutons",), effects=()),
    Case("a reply to another message of the bot is not for the séance",
         GroupText(GROUP, "merci", 12), context=ctx(member=None, loaded=accord(member=BOB)),
         session=Session(), check=lambda s: s.outgoing == () and not s.effects),
    # --- votes ---
    Case("a partner's « D'accord » counts for their organisation",
         vote_button(), context=ctx(member=None, loaded=accord(member=BOB,
                                                                 agreements=(retained(1),))),
         session=Session(), shows=("D’accord : 1",), effects=(CastVote(1, 41, "agree"),)),
    Case("a tiers does not vote", vote_button(),
         context=ctx(member=None, loaded=accord(agreements=(retained(1),))),
         session=Session(), shows=("un tiers de confiance ne vote pas",), effects=()),
    Case("a vote on a text replaced since is stale", vote_button(version=1),
         context=ctx(member=None, loaded=accord(member=BOB, agreements=(retained(1),
                                                                        retained(2)))),
         session=Session(), shows=("plus valable",), effects=()),
    # --- the contrat ---
    Case("/accord shows the contrat, who led, and offers « Nous validons »", Command("accord"),
         context=ctx(member=BOB, loaded=accord(member=BOB, agreements=(retained(1),))),
         shows=("Notre contrat de confiance", "Version 1 retenue", "menée par Tina",
                "Mairie du Port : pas encore validé"),
         labels=("Nous validons", "Le contrat à signer")),
    Case("« Nous validons » validates the contrat as it was shown",
         Press(AccordButton(1, "lancement", 41, "validate").encode()),
         context=ctx(member=BOB, loaded=accord(member=BOB, agreements=(retained(1),))),
         shows=("Mairie du Port valide le contrat",),
         effects=(ValidateAccord(1, "lancement", 41),)),
    Case("« Nous validons » under a contrat that changed since shows it again",
         Press(AccordButton(1, "lancement", 41, "validate").encode()),
         context=ctx(member=BOB, loaded=accord(member=BOB, agreements=(retained(1),
                                                                       retained(2)))),
         shows=("a changé", "Version 2 retenue"), effects=()),
    Case("a tiers does not validate",
         Press(AccordButton(1, "lancement", 41, "validate").encode()),
         context=ctx(member=TINA, loaded=accord(agreements=(retained(1),))),
         shows=("un tiers de confiance ne valide pas",), effects=()),
    Case("an archived alliance shows its contrat, without « Nous validons »",
         Command("accord"), context=ctx(member=BOB, alliance=ARCHIVED, loaded=accord(
             member=BOB, agreements=(retained(1),), alliance=ARCHIVED)),
         shows=("Version 1 retenue", "archivée"),
         check=lambda s: all("Nous validons" not in b.label
                             for m in s.outgoing for row in m.buttons for b in row)),
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
    (Session(), Command("synthese"), (Need.ANSWERS, Need.RETAINED)),
    (Session(), Command("export"), (Need.EXPORT, AccordLookup())),
    (Session(), Command("membres"), (Need.MEMBERS,)),
    (Session(), Command("alliances"), (Need.MEMBERSHIPS,)),
    (Session(), Command("charte"), (Need.RETAINED,)),
    (Session(), Press(StartWalk(3).encode()), (Need.MEMBERSHIPS, Need.RETAINED)),
    (Session(), Command("start", "CODE-PORT"), (Need.CODE_TRIES, CodeLookup("CODE-PORT"))),
    (Session(), Command("rejoindre", "bad code!"), (Need.CODE_TRIES,)),
    (Session(), Command("rejoindre"), ()),
    (Session(), Command("inviter"), (Need.INVITATIONS,)),
    (Session(), Press(InviteButton(3, "new").encode()), (Need.INVITATIONS,)),
    (Session(), Press(InviteButton(3, "yes").encode()), (Need.INVITATIONS, Need.FRESH_CODE)),
    (Session(), Press(InviteButton(3, "create", "tiers").encode()),
     (Need.INVITATIONS, Need.FRESH_CODE)),
    (Session(form=Form("join", "code")), Text("ABCD"), (Need.CODE_TRIES, CodeLookup("ABCD"))),
    (Session(), Press("garbage"), ()),
    (Session(), Press(ArrivalButton(7, 11, "accept").encode()), (ArrivalLookup(7),)),
    (Session(), GroupCommand(-5, "synthese"), (GroupLookup(-5),)),
    (Session(form=JOIN_FORM), Text("Mairie"), (CodeLookup("CODE-PORT"),)),
    (Session(form=NEW_FORM), Text("01/06/2027"), ()),
    (Session(form=replace(NEW_FORM, step="confirm")), Text("oui"), (Need.FRESH_CODE,)),
    (Session(), Text("7k3m q9tx ab12 cdef ghjk"),
     (Need.RETAINED, Need.CODE_TRIES, CodeLookup("7k3m q9tx ab12 cdef ghjk"))),
    (Session(), Text("engagé"), (Need.RETAINED,)),
    (Session(), Command("seance"), (AccordLookup(answers=True),)),
    (Session(), Command("accord"), (AccordLookup(),)),
    (Session(), GroupCommand(-5, "seance"), (AccordLookup(chat_id=-5, answers=True),)),
    (Session(), GroupText(-5, "un texte", 9), (AccordLookup(chat_id=-5, answers=True),)),
    (Session(), Press(SeanceButton(1, 3, "retain").encode(), -5, 9),
     (AccordLookup(alliance_id=1, answers=True),)),
    (Session(form=Form("seance", "text", (("alliance", "1"), ("lever", "dialoguer")))),
     Text("un texte"), (AccordLookup(alliance_id=1, answers=True),)),
])
def test_what_an_event_reads_is_declared_before_the_step(session, event, wanted):
    assert ENGINE.needs(session, event) == wanted
