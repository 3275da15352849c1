"""Members and member affairs: the member record, the application pipeline, transfers, dues and assigned work."""

from .application import Application, ApplicationDocument, ApplicationStep, Stage
from .dues import DuesBase, DuesCategory, DuesPayment, DuesRate, PaymentMethod
from .member import Education, Gender, Member, MemberStatus
from .pioneer import PIONEER_UNITS, PioneerComponent, PioneerWeight
from .transfer import Transfer, TransferDirection, TransferState
from .work import AssignedWork

__all__ = [
    "Application", "ApplicationDocument", "ApplicationStep", "AssignedWork", "Stage",
    "DuesBase", "DuesCategory", "DuesPayment", "DuesRate", "PaymentMethod",
    "Education", "Gender", "Member", "MemberStatus",
    "PIONEER_UNITS", "PioneerComponent", "PioneerWeight",
    "Transfer", "TransferDirection", "TransferState",
]
