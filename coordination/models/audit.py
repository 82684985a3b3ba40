"""The audit trail: one row per transition, chained per case by SHA-256, never changed."""

import hashlib
import json

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.models.organisations import Organisation

GENESIS = "0" * 64


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or delete audit rows through the ORM."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries are append-only")

    def delete(self):
        raise AppendOnlyError("audit entries are append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("audit entries are append-only")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are append-only")


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AuditEntry(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    case = GenericForeignKey("content_type", "object_id")
    seq = models.PositiveIntegerField(_("sequence"))
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    transition = models.CharField(_("transition"), max_length=64)
    from_state = models.CharField(_("from"), max_length=32)
    to_state = models.CharField(_("to"), max_length=32)
    comment = models.TextField(_("comment"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    payload_hash = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["content_type_id", "object_id", "seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id", "seq"], name="unique_audit_seq")]

    def __str__(self):
        return f"#{self.seq} {self.transition}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are append-only")

    def computed_hash(self) -> str:
        """The hash this row must carry: over its own fields and its predecessor's hash."""
        return sha256(
            canonical_json(
                {
                    "case": f"{self.content_type_id}:{self.object_id}",
                    "seq": self.seq,
                    "at": self.at.isoformat(),
                    "actor": self.actor_id,
                    "organisation": self.organisation_id,
                    "transition": self.transition,
                    "from": self.from_state,
                    "to": self.to_state,
                    "comment": self.comment,
                    "payload_hash": self.payload_hash,
                    "prev_hash": self.prev_hash,
                }
            )
        )
