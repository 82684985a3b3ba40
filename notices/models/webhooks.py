"""Outbound webhooks: a province's own systems and duty chat groups subscribe to the events of
the cases that concern their organisation."""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.models import Organisation, OutboxEvent


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookFormat(models.TextChoices):
    JSON = "json", _("JSON (signed)")
    WECOM = "wecom", _("WeCom group robot (markdown)")
    DINGTALK = "dingtalk", _("DingTalk group robot (markdown)")


class WebhookSubscription(models.Model):
    Format = WebhookFormat

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret, editable=False)
    format = models.CharField(_("format"), max_length=16, choices=WebhookFormat.choices, default=WebhookFormat.JSON)
    # Event kinds (coordination.events); empty: every kind.
    event_kinds = models.JSONField(_("event kinds"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self):
        return f"{self.organisation} → {self.name}"

    def wants(self, kind: str) -> bool:
        return self.active and (not self.event_kinds or kind in self.event_kinds)


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(OutboxEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=64)
    body = models.JSONField(_("body"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="unique_webhook_delivery_per_event")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self):
        return f"{self.subscription_id}:{self.kind}:{self.status}"


class WebhookAttempt(models.Model):
    """The log: one row per HTTP attempt."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(_("time"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["at"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")

    def __str__(self):
        return f"{self.delivery_id} {self.status_code or self.error}"
