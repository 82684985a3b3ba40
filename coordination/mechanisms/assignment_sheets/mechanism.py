"""M3's coordination assignment sheets (省际协调事项交办单), declared to the engine."""

from django.utils.translation import gettext_lazy as _

from coordination.mechanisms.assignment_sheets import demo, scale
from coordination.mechanisms.assignment_sheets.api import (
    AssignmentSheetCreateSerializer,
    AssignmentSheetDetailSerializer,
    AssignmentSheetSerializer,
    SheetCorrection,
)
from coordination.mechanisms.assignment_sheets.models import AssignmentSheet
from coordination.mechanisms.assignment_sheets.services import assignment_sheet_create
from coordination.models import Membership, Organisation
from coordination.registers import local_time, responder_annotations, responder_name
from coordination.workflow import mechanisms
from coordination.workflow.mechanisms import Column, member

K, R = Organisation.Kind, Membership.Role


@mechanisms.register
class AssignmentSheets(mechanisms.Mechanism):
    code = "M3"
    model = AssignmentSheet
    reference_code = "ASG"
    resource = "assignment-sheets"
    serializers = mechanisms.Serializers(
        row=AssignmentSheetSerializer, detail=AssignmentSheetDetailSerializer, create=AssignmentSheetCreateSerializer
    )
    create = assignment_sheet_create
    may_create = member(kind=K.LIAISON_OFFICE, role=R.LIAISON_OFFICER) | member(
        kind=K.COOPERATION_OFFICE, role=R.COORDINATOR
    )
    payloads = {"resubmit": SheetCorrection}
    columns = (
        Column("responder", _("Responsible organisation"), responder_name),
        Column("reply_due", _("Reply requested by"), lambda c: local_time(c.reply_due)),
        Column("replied_at", _("Replied"), lambda c: local_time(c.replied_at)),
    )
    annotate_register = staticmethod(responder_annotations)
    demo = staticmethod(demo.seed)
    scale = staticmethod(scale.generate)
