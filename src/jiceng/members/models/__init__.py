"""Members and member affairs: the member record, the application pipeline, transfers, dues and assigned work."""

from .application import Application, ApplicationDocument, ApplicationStep, Stage
from .dues import DuesBase, DuesCategory, DuesPayment, DuesRate, DuesRelief, PaymentMethod, ReliefKind
from .member import Education, Gender, Member, MemberStatus, Occupation
from .pioneer import PIONEER_UNITS, PioneerComponent, PioneerWeight
from .transfer import LetterScope, LetterValidity, Transfer, TransferDirection, TransferState
from .work import AssignedWork

__all__ = [
    "Application", "ApplicationDocument", "ApplicationStep", "AssignedWork", "Stage",
    "DuesBase", "DuesCategory", "DuesPayment", "DuesRate", "DuesRelief", "PaymentMethod", "ReliefKind",
    "Education", "Gender", "Member", "MemberStatus", "Occupation",
    "PIONEER_UNITS", "PioneerComponent", "PioneerWeight",
    "LetterScope", "LetterValidity", "Transfer", "TransferDirection", "TransferState",
]
