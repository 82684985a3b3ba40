"""Models of the notices app: the inbox (notices, mailboxes, preferences); circulars and
webhooks live in their own modules here."""

from notices.models.circulars import Circular, CircularNumberSequence, IssuingBody
from notices.models.inbox import Mailbox, Notice, NoticeKind, NotificationPreference

__all__ = ["Mailbox", "Notice", "NoticeKind", "NotificationPreference"]
__all__ += ["Circular", "CircularNumberSequence", "IssuingBody"]

from notices.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookFormat, WebhookSubscription  # noqa: E402

__all__ += ["WebhookAttempt", "WebhookDelivery", "WebhookFormat", "WebhookSubscription"]
