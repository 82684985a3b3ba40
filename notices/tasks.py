"""Celery tasks of the notices app: thin wrappers around services."""

from celery import shared_task

from notices.circulars.tasks import render_circular, requeue_circular_renders  # noqa: F401 - found by Celery here
from notices.email import digests_send


@shared_task(ignore_result=True)
def send_daily_digests() -> int:
    return digests_send()


@shared_task(ignore_result=True)
def deliver_webhook(delivery_id: int) -> bool:
    from notices.webhooks import webhook_deliver

    return webhook_deliver(delivery_id)


@shared_task(ignore_result=True)
def retry_webhooks() -> int:
    from notices.webhooks import webhooks_retry_due

    return webhooks_retry_due()
