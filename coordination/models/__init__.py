"""Models of the coordination app: reference data, organisations and people, and the
workflow engine's cases, participants, audit trail, outbox and idempotency records."""

from coordination.models.audit import AppendOnlyError, AuditEntry
from coordination.models.briefing import BriefingSnapshot
from coordination.models.cases import Case, ReferenceSequence
from coordination.models.catalogue import Mechanism
from coordination.models.idempotency import IdempotencyRecord
from coordination.models.organisations import Membership, Organisation
from coordination.models.outbox import OutboxEvent
from coordination.models.participants import Participant
from coordination.models.regions import Region

__all__ = [
    "AppendOnlyError",
    "AuditEntry",
    "BriefingSnapshot",
    "Case",
    "IdempotencyRecord",
    "Mechanism",
    "Membership",
    "Organisation",
    "OutboxEvent",
    "Participant",
    "ReferenceSequence",
    "Region",
]

# Mechanisms (after the engine's models, on which they build).
from coordination.models.assignment_sheets import AssignmentSheet, AssignmentSheetGroupObjectPermission
from coordination.models.insurance import (
    CalendarDay,
    Diagnosis,
    FilingAccess,
    FilingAttachment,
    InsuranceFiling,
    InsuranceFilingGroupObjectPermission,
)
from coordination.models.measure_notices import MeasureNotice, MeasureNoticeGroupObjectPermission

__all__ += [
    "AssignmentSheet",
    "AssignmentSheetGroupObjectPermission",
    "MeasureNotice",
    "MeasureNoticeGroupObjectPermission",
]

__all__ += [
    "CalendarDay",
    "Diagnosis",
    "FilingAccess",
    "FilingAttachment",
    "InsuranceFiling",
    "InsuranceFilingGroupObjectPermission",
]
