"""The inbox: the database is the mailbox, the channel layer only the doorbell.

Each user's notices carry an increasing sequence number allocated under a lock on the user's
mailbox row, in the transaction of the event that caused them: a client that says "the last
I saw was 41" can always be given exactly what came after, in order, whatever was lost.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    CASE_CREATED = "case_created", _("New case addressed to you")
    CASE_TRANSITIONED = "case_transitioned", _("Your case moved on")
    RECEIPT_READ = "receipt_read", _("Notice read by an addressee")
    DEADLINE_REMINDER = "deadline_reminder", _("Deadline reminder")
    DEADLINE_ESCALATED = "deadline_escalated", _("Escalation")
    CIRCULAR_ISSUED = "circular_issued", _("Circular issued")
    PDF_READY = "pdf_ready", _("Document ready")
    SIGN_OFF = "sign_off", _("Sign-off")


class Mailbox(models.Model):
    """One row per user: the last sequence number handed out, locked while allocating."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    last_seq = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.user_id}: {self.last_seq}"


class Notice(models.Model):
    Kind = NoticeKind

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices", verbose_name=_("recipient")
    )
    seq = models.PositiveBigIntegerField(_("sequence"))
    kind = models.CharField(_("kind"), max_length=32, choices=NoticeKind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    reference = models.CharField(_("reference number"), max_length=32, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    body_zh = models.TextField(_("text (Chinese)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    # The outbox event that caused it: one notice per recipient per event, however often
    # the event is handled.
    source_event_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["recipient_id", "seq"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "seq"], name="unique_notice_seq"),
            models.UniqueConstraint(fields=["recipient", "source_event_id"], name="unique_notice_per_event"),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "read_at"], name="notice_unread", condition=models.Q(read_at__isnull=True)
            )
        ]

    def __str__(self):
        return f"{self.recipient_id}#{self.seq} {self.title_zh}"

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "zh-hans").startswith("en") else self.title_zh

    @property
    def body(self) -> str:
        return self.body_en if (get_language() or "zh-hans").startswith("en") else self.body_zh


class NotificationPreference(models.Model):
    """How a user wants each kind of notice by e-mail (in the inbox it always arrives)."""

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately")
        DIGEST = "digest", _("Daily digest")
        OFF = "off", _("Off")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences")
    kind = models.CharField(_("kind"), max_length=32, choices=NoticeKind.choices)
    email = models.CharField(_("e-mail"), max_length=16, choices=Email.choices, default=Email.OFF)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="unique_preference_kind")]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.email}"
