"""Writing notices: the fan-out of an engine event to every member it concerns, and marking
notices read."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from coordination.workflow.audience import event_audience
from notices.doorbell import ring_after_commit
from notices.models import Mailbox, Notice, NoticeKind
from notices.texts import KIND_OF_EVENT, notice_texts


@transaction.atomic  # joins the transaction of the event that causes the notices, if any
def notices_deliver(
    *, recipient_ids: list[int], kind: str, texts: dict, content_type_id=None, object_id=None, source_event_id=None
) -> list[Notice]:
    """Write one notice per recipient with the next number of their mailbox, in the current
    transaction; the doorbell rings after commit. Mailboxes are locked in user order, so
    concurrent fan-outs cannot deadlock."""
    recipient_ids = sorted(set(recipient_ids))
    if not recipient_ids:
        return []
    if source_event_id is not None:
        done = set(
            Notice.objects.filter(source_event_id=source_event_id, recipient_id__in=recipient_ids).values_list(
                "recipient_id", flat=True
            )
        )
        recipient_ids = [pk for pk in recipient_ids if pk not in done]
    Mailbox.objects.bulk_create([Mailbox(user_id=pk) for pk in recipient_ids], ignore_conflicts=True)
    mailboxes = list(Mailbox.objects.select_for_update().filter(user_id__in=recipient_ids).order_by("user_id"))
    now = timezone.now()
    notices = []
    for mailbox in mailboxes:
        mailbox.last_seq += 1
        notices.append(
            Notice(
                recipient_id=mailbox.user_id,
                seq=mailbox.last_seq,
                kind=kind,
                created_at=now,
                content_type_id=content_type_id,
                object_id=object_id,
                source_event_id=source_event_id,
                **texts,
            )
        )
    Mailbox.objects.bulk_update(mailboxes, ["last_seq"], batch_size=1000)
    Notice.objects.bulk_create(notices, batch_size=1000)
    ring_after_commit(notices)
    return notices


def notices_for_event(event) -> list[Notice]:
    """In-transaction subscriber of the engine's events (see notices/apps.py)."""
    kind = KIND_OF_EVENT.get(event.kind)
    if kind is None or "model" not in event.payload:
        return []
    return notices_deliver(
        recipient_ids=list(event_audience(event).values_list("pk", flat=True)),
        kind=kind,
        texts=notice_texts(event),
        content_type_id=event.content_type_id,
        object_id=event.object_id,
        source_event_id=event.pk,
    )


def notice_mark_read(*, user, seq: int) -> Notice:
    """Idempotent: marking a read notice read again changes nothing."""
    notice = Notice.objects.get(recipient=user, seq=seq)
    if notice.read_at is None:
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
        notice.refresh_from_db(fields=["read_at"])
    return notice


def notices_mark_all_read(*, user, up_to_seq: int | None = None) -> int:
    unread = Notice.objects.filter(recipient=user, read_at__isnull=True)
    if up_to_seq is not None:
        unread = unread.filter(seq__lte=up_to_seq)
    return unread.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()


def notices_for_circular(event) -> list[Notice]:
    """In-transaction subscriber of CIRCULAR_ISSUED: the addressees learn a circular was
    issued to them; the issuer's members, that its PDF is ready."""
    from django.contrib.auth import get_user_model
    from django.utils import translation
    from django.utils.translation import gettext as _

    p = event.payload
    users = get_user_model().objects.filter(is_active=True)
    addressees = set(users.filter(membership__organisation_id__in=p["addressees"]).values_list("pk", flat=True))
    issuers = set(users.filter(membership__organisation_id=p["issuer"]).values_list("pk", flat=True)) - addressees
    common = {"content_type_id": event.content_type_id, "object_id": event.object_id, "source_event_id": event.pk}
    written = []
    for kind, recipients, message in (
        (NoticeKind.CIRCULAR_ISSUED, addressees, gettext_noop("Circular issued to you: %(number)s %(title)s")),
        (NoticeKind.PDF_READY, issuers, gettext_noop("Circular ready: %(number)s %(title)s")),
    ):
        texts = {"link": p["pdf"], "reference": (p["document_number"] or "")[:32]}
        for language, suffix in (("zh-hans", "zh"), ("en", "en")):
            with translation.override(language):
                texts[f"title_{suffix}"] = _(message) % {"number": p["document_number"], "title": p["title"]}
                texts[f"body_{suffix}"] = ""
        written += notices_deliver(recipient_ids=list(recipients), kind=kind, texts=texts, **common)
    return written
