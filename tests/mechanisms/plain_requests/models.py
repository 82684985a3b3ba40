from django.db import models
from guardian.models import GroupObjectPermissionBase

from coordination.workflow.patterns import RequestReplyCase


class PlainRequest(RequestReplyCase):
    question = models.TextField()


class PlainRequestGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(PlainRequest, on_delete=models.CASCADE)
