"""The personal-data access log: every opening of a case that carries personal data, every
unmasking (with its stated reason), every download of a document holding it. Append-only."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.models.organisations import Organisation


class PersonalDataAccess(models.Model):
    class Action(models.TextChoices):
        OPEN = "open", _("Opened")
        UNMASK = "unmask", _("Unmasked personal numbers")
        RECEIPT = "receipt", _("Downloaded the receipt")
        ATTACHMENT = "attachment", _("Downloaded an attachment")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    case = GenericForeignKey("content_type", "object_id")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", null=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data access log")
        indexes = [models.Index(fields=["content_type", "object_id"], name="pii_access_case")]

    def __str__(self):
        return f"{self.at} {self.user_id} {self.action} {self.content_type_id}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("the personal-data access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("the personal-data access log is append-only")
