"""The unit of work: every repository over one transaction, on either database."""

from __future__ import annotations

from storage.admission import AdmissionRepository
from storage.agreements import AgreementRepository
from storage.alliances import AllianceRepository
from storage.answers import AnswerRepository
from storage.leases import LeaseRepository
from storage.members import MembershipRepository
from storage.observatory import ObservatoryRepository
from storage.people import PeopleRepository
from storage.reminders import ReminderRepository
from storage.states import StateRepository
from storage.updates import UpdateRepository


class DatabaseUnitOfWork(
    AllianceRepository,
    PeopleRepository,
    AnswerRepository,
    StateRepository,
    ReminderRepository,
    MembershipRepository,
    AgreementRepository,
    AdmissionRepository,
    UpdateRepository,
    LeaseRepository,
    ObservatoryRepository,
):
    """`with store.unit_of_work() as uow:` commits on a clean exit, rolls back on exception.

    Every method must be called inside the `with`, reads included (RuntimeError otherwise).
    Constraint breaks raise storage.errors.Duplicate / ConstraintViolation (CharteError
    subclasses); the statement is undone but the transaction stays usable.
    """
