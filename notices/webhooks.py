"""Delivering engine events to subscribed systems and chat groups.

Each delivery is a JSON body POSTed with an HMAC-SHA256 signature over "<timestamp>.<body>"
(header `X-YRD-Signature: t=…,v1=…`, the subscription's own secret), retried with backoff
(30 s, 1, 2, 4, 8 min…) up to WEBHOOK_MAX_ATTEMPTS, every attempt logged. Targets must match
WEBHOOK_ALLOWED_HOSTS, and a host resolving to a private, loopback or link-local address is
refused unless it is also in WEBHOOK_ALLOWED_PRIVATE_HOSTS, so a subscription cannot be pointed
at the platform's own network.
"""

import fnmatch
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.workflow.audience import event_organisation_ids
from notices.models import WebhookAttempt, WebhookDelivery, WebhookFormat, WebhookSubscription

log = logging.getLogger(__name__)


class WebhookTargetRefused(ValueError):
    pass


def check_target(url: str) -> None:
    """Raise WebhookTargetRefused unless the URL may receive webhooks."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise WebhookTargetRefused(_("Only http(s) URLs can receive webhooks."))
    if parts.scheme == "http" and host not in settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS:
        raise WebhookTargetRefused(_("Webhooks are sent over https only."))
    if not any(fnmatch.fnmatch(host, pattern) for pattern in settings.WEBHOOK_ALLOWED_HOSTS):
        raise WebhookTargetRefused(_("The host %(host)s is not on the webhook allow-list.") % {"host": host})
    if host in settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)}
    except socket.gaierror as exc:
        raise WebhookTargetRefused(_("The host %(host)s cannot be resolved.") % {"host": host}) from exc
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise WebhookTargetRefused(_("The host %(host)s resolves to an internal address.") % {"host": host})


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def format_body(subscription: WebhookSubscription, kind: str, payload: dict) -> dict:
    if subscription.format == WebhookFormat.JSON:
        return {"kind": kind, "data": payload}
    title = f"{payload.get('reference', '')} {payload.get('title', '')}".strip()
    lines = [f"**{kind}** {title}"]
    if payload.get("state"):
        lines.append(f"状态：{payload['state']}")
    if payload.get("comment"):
        lines.append(f"意见：{payload['comment']}")
    text = "\n\n".join(lines)
    if subscription.format == WebhookFormat.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": text}}
    return {"msgtype": "markdown", "markdown": {"title": title or kind, "text": text}}


def webhooks_for_event(event) -> list[WebhookDelivery]:
    """After-commit subscriber: a delivery for each subscription of each organisation the
    event concerns; queued after this transaction commits."""
    organisations = event_organisation_ids(event)
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(organisation_id__in=organisations, active=True)
        if s.wants(event.kind)
    ]
    deliveries = []
    for subscription in subscriptions:
        delivery, created = WebhookDelivery.objects.get_or_create(
            subscription=subscription,
            event=event,
            defaults={"kind": event.kind, "body": format_body(subscription, event.kind, event.payload)},
        )
        if created:
            deliveries.append(delivery)
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: enqueue(pk))
    return deliveries


def webhook_test_send(subscription: WebhookSubscription) -> WebhookDelivery:
    """The test-send button: a sample event, delivered now, logged like any other."""
    body = format_body(
        subscription, "test", {"reference": "TEST-0000", "title": "长三角联防联控协同平台测试消息", "state": "test"}
    )
    delivery = WebhookDelivery.objects.create(subscription=subscription, kind="test", body=body)
    webhook_deliver(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def enqueue(delivery_id: int, countdown: float = 0) -> None:
    from notices.tasks import deliver_webhook

    try:
        deliver_webhook.apply_async((delivery_id,), countdown=countdown, retry=False)
    except Exception:  # noqa: BLE001 - the periodic retry picks it up
        log.warning("webhook delivery %s left for the periodic retry: broker unavailable", delivery_id)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def webhook_deliver(delivery_id: int) -> bool:
    """One attempt. Claims the delivery by moving its next attempt forward, so two workers
    never post it at once."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
        next_attempt_at__lte=now,
    ).update(next_attempt_at=now + timedelta(minutes=5))
    if not claimed:
        return False
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    body = json.dumps(delivery.body, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    started = time.monotonic()
    status_code, error = None, ""
    try:
        check_target(subscription.url)
        response = httpx.post(
            subscription.url,
            content=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-YRD-Event": delivery.kind,
                "X-YRD-Delivery": str(delivery.pk),
                "X-YRD-Signature": sign(subscription.secret, timestamp, body),
            },
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            follow_redirects=False,
        )
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except WebhookTargetRefused as exc:
        error = f"refused: {exc}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    duration = int((time.monotonic() - started) * 1000)
    WebhookAttempt.objects.create(delivery=delivery, status_code=status_code, error=error[:500], duration_ms=duration)
    delivery.attempts += 1
    if not error:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
    elif error.startswith("refused") or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
    else:
        delivery.status = WebhookDelivery.Status.RETRYING
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
    delivery.save(update_fields=["attempts", "status", "next_attempt_at"])
    if delivery.status == WebhookDelivery.Status.RETRYING:
        enqueue(delivery.pk, countdown=backoff(delivery.attempts).total_seconds())
    return not error


def webhooks_retry_due(limit: int = 200) -> int:
    """Beat: attempt every delivery whose time has come (lost tasks, broker outages)."""
    due = WebhookDelivery.objects.filter(
        status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
        next_attempt_at__lte=timezone.now(),
    ).values_list("pk", flat=True)[:limit]
    return sum(webhook_deliver(pk) for pk in list(due))
