"""M3's inter-provincial coordination assignment sheet (省际协调事项交办单): a liaison office
assigns a matter to another region's liaison office, which accepts, replies with the result or
returns it; the originator closes or reopens. Configuration of the request–reply pattern."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from coordination.workflow.patterns import RequestReplyCase


class AssignmentSheet(RequestReplyCase):
    matter = models.TextField(_("matter"))
    reply_due = models.DateTimeField(_("reply requested by"), null=True, blank=True)

    class Meta(RequestReplyCase.Meta):
        verbose_name = _("coordination assignment sheet")
        verbose_name_plural = _("coordination assignment sheets")

    def deadline_on_entering(self, state, now, *, working_day=None):
        # Acceptance within the catalogue's (or the sheet's own) time limit; the reply by
        # the date the originator asked for, when they asked for one.
        if state == self.S.ACCEPTED and self.reply_due:
            return self.reply_due
        return super().deadline_on_entering(state, now, working_day=working_day)


class AssignmentSheetGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct-foreign-key permission table for assignment sheets."""

    content_object = models.ForeignKey(AssignmentSheet, on_delete=models.CASCADE)
