"""M3's inter-provincial coordination assignment sheet (省际协调事项交办单): a liaison office
assigns a matter to another region's liaison office, which accepts, replies with the result or
returns it; the originator closes or reopens. Configuration of the request–reply pattern."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase
from rest_framework import serializers

from coordination.workflow.patterns import RequestReplyCase


class SheetCorrection(serializers.Serializer):
    """What the originator may correct when resubmitting a returned sheet."""

    title = serializers.CharField(max_length=200, required=False)
    matter = serializers.CharField(max_length=10000, required=False)
    reply_due = serializers.DateTimeField(required=False, allow_null=True)


class AssignmentSheet(RequestReplyCase):
    mechanism_code = "M3"
    reference_code = "ASG"
    transition_payloads = {"resubmit": SheetCorrection}

    matter = models.TextField(_("matter"))
    reply_due = models.DateTimeField(_("reply requested by"), null=True, blank=True)

    class Meta(RequestReplyCase.Meta):
        verbose_name = _("coordination assignment sheet")
        verbose_name_plural = _("coordination assignment sheets")

    def deadline_on_entering(self, state, now):
        # Acceptance within the catalogue's (or the sheet's own) time limit; the reply by
        # the date the originator asked for, when they asked for one.
        if state == self.S.ACCEPTED and self.reply_due:
            return self.reply_due
        return super().deadline_on_entering(state, now)


class AssignmentSheetGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct-foreign-key permission table for assignment sheets."""

    content_object = models.ForeignKey(AssignmentSheet, on_delete=models.CASCADE)
