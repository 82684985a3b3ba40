"""Notices by e-mail, as each user prefers per kind: immediately, in a daily digest, or not.

Immediate e-mails go out after commit (the outbox delivers the engine's event in a worker);
the digest goes out every morning (Celery beat, 08:00 Asia/Shanghai). The inbox always has
every notice: e-mail is a copy, so a failed send loses nothing.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notices.models import Notice, NoticeKind, NotificationPreference

log = logging.getLogger(__name__)
Email = NotificationPreference.Email

# Without a preference of their own, people get what they must act on at once, the rest daily.
DEFAULT_EMAIL = {
    NoticeKind.DEADLINE_REMINDER: Email.IMMEDIATE,
    NoticeKind.DEADLINE_ESCALATED: Email.IMMEDIATE,
    NoticeKind.CASE_CREATED: Email.IMMEDIATE,
}


def email_choice(user_id: int, kind: str, preferences: dict) -> str:
    return preferences.get((user_id, kind), DEFAULT_EMAIL.get(kind, Email.DIGEST))


def preferences_of(user_ids) -> dict:
    rows = NotificationPreference.objects.filter(user_id__in=user_ids).values_list("user_id", "kind", "email")
    return {(user_id, kind): email for user_id, kind, email in rows}


def _language_of(user) -> str:
    return "zh-hans"  # officials' mail is Chinese; the English text follows it in each message


def _notice_lines(notice) -> str:
    link = f"{settings.SITE_URL}{notice.link}" if notice.link else ""
    return f"{notice.title_zh}\n{notice.title_en}\n{notice.body_zh}\n{link}\n"


def emails_for_event(event) -> int:
    """After-commit subscriber: e-mail the event's notices to those who want them at once."""
    notices = list(
        Notice.objects.filter(source_event_id=event.pk, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient")
    )
    preferences = preferences_of({n.recipient_id for n in notices})
    due = [n for n in notices if email_choice(n.recipient_id, n.kind, preferences) == Email.IMMEDIATE]
    messages = []
    for notice in due:
        with translation.override(_language_of(notice.recipient)):
            subject = f"[{_('Yangtze River Delta Joint Prevention Coordination Platform')}] {notice.title_zh}"
        # A fixed Message-ID: a delivery redone after its worker was killed sends the same
        # message again, which mail servers and clients recognise as one.
        messages.append(
            EmailMessage(
                subject[:200],
                _notice_lines(notice),
                to=[notice.recipient.email],
                headers={"Message-ID": f"<notice-{notice.pk}@{_mail_domain()}>"},
            )
        )
    if messages:
        get_connection().send_messages(messages)
        Notice.objects.filter(pk__in=[n.pk for n in due]).update(emailed_at=timezone.now())
    return len(messages)


def digests_send(now=None) -> int:
    """One e-mail per user with the notices of the last day they take as a digest."""
    now = now or timezone.now()
    since = now - timedelta(days=1)
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    pending = (
        Notice.objects.filter(recipient__in=users, created_at__gte=since, emailed_at__isnull=True, read_at__isnull=True)
        .select_related("recipient")
        .order_by("recipient_id", "seq")
    )
    by_user: dict[int, list[Notice]] = {}
    for notice in pending:
        by_user.setdefault(notice.recipient_id, []).append(notice)
    preferences = preferences_of(by_user)
    messages, sent_ids = [], []
    for user_notices in by_user.values():
        chosen = [n for n in user_notices if email_choice(n.recipient_id, n.kind, preferences) == Email.DIGEST]
        if not chosen:
            continue
        user = chosen[0].recipient
        with translation.override(_language_of(user)):
            subject = _("Daily digest: %(count)d notices") % {"count": len(chosen)}
        body = "\n".join(_notice_lines(n) for n in chosen)
        messages.append(EmailMessage(subject, body, to=[user.email]))
        sent_ids += [n.pk for n in chosen]
    if messages:
        get_connection().send_messages(messages)
        Notice.objects.filter(pk__in=sent_ids).update(emailed_at=now)
    return len(messages)


def preference_set(*, user, kind: str, email: str) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"email": email}
    )
    return preference


__all__ = ["digests_send", "email_choice", "emails_for_event", "preference_set"]


def _mail_domain() -> str:
    from urllib.parse import urlsplit

    from django.conf import settings

    return urlsplit(settings.SITE_URL).hostname or "localhost"
