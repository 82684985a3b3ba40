"""Models of the coordination app: reference data, organisations and people, and the
workflow engine's cases, participants, audit trail, outbox and idempotency records."""

from coordination.models.audit import AppendOnlyError, AuditEntry
from coordination.models.briefing import BriefingSnapshot
from coordination.models.cases import Case, ReferenceSequence
from coordination.models.catalogue import Mechanism
from coordination.models.idempotency import IdempotencyRecord
from coordination.models.items import CaseItem, Receipt
from coordination.models.organisations import Membership, Organisation
from coordination.models.outbox import OutboxEvent
from coordination.models.participants import Participant
from coordination.models.regions import Region

__all__ = [
    "AppendOnlyError",
    "AuditEntry",
    "BriefingSnapshot",
    "Case",
    "CaseItem",
    "IdempotencyRecord",
    "Mechanism",
    "Membership",
    "Organisation",
    "OutboxEvent",
    "Participant",
    "Receipt",
    "ReferenceSequence",
    "Region",
]

# Platform services' models (they live beside their code).
from coordination.calendar.models import CalendarDay
from coordination.pii.models import PersonalDataAccess

__all__ += ["CalendarDay", "PersonalDataAccess"]
