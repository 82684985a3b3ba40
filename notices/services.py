"""Writing notices: the fan-out of an engine event to every member it concerns, and marking
notices read."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from coordination.workflow.audience import event_audiences
from coordination.workflow.bulk import instances_insert
from notices.doorbell import ring_after_commit
from notices.models import Mailbox, Notice, NoticeKind
from notices.texts import KIND_OF_EVENT, notice_texts_many


@dataclass
class Delivery:
    """The notices one event (or one message) gives: the same kind and texts for each recipient."""

    recipient_ids: list[int]
    kind: str
    texts: dict
    content_type_id: int | None = None
    object_id: int | None = None
    source_event_id: int | None = None


@transaction.atomic  # joins the transaction of the event that causes the notices, if any
def notices_deliver(
    *, recipient_ids: list[int], kind: str, texts: dict, content_type_id=None, object_id=None, source_event_id=None
) -> list[Notice]:
    """Write one notice per recipient with the next number of their mailbox, in the current
    transaction; the doorbell rings after commit. Mailboxes are locked in user order, so
    concurrent fan-outs cannot deadlock."""
    return notices_deliver_many(
        [Delivery(list(recipient_ids), kind, texts, content_type_id, object_id, source_event_id)]
    )


@transaction.atomic
def notices_deliver_many(deliveries: list[Delivery]) -> list[Notice]:
    """`notices_deliver` for many deliveries at once (the events of a batch): every mailbox
    concerned is locked once, in user order; each user's notices get consecutive numbers in
    the order of the deliveries; one insert, one ring after commit. A recipient who already
    has the notice of a delivery's source event is skipped (handling an event twice is harmless)."""
    wanted = [(delivery, sorted(set(delivery.recipient_ids))) for delivery in deliveries]
    users = sorted({pk for _delivery, recipients in wanted for pk in recipients})
    if not users:
        return []
    source_ids = {delivery.source_event_id for delivery in deliveries if delivery.source_event_id is not None}
    done = (
        set(
            Notice.objects.filter(source_event_id__in=source_ids, recipient_id__in=users).values_list(
                "source_event_id", "recipient_id"
            )
        )
        if source_ids
        else set()
    )
    wanted = [
        (delivery, [pk for pk in recipients if (delivery.source_event_id, pk) not in done])
        for delivery, recipients in wanted
    ]
    users = sorted({pk for _delivery, recipients in wanted for pk in recipients})
    if not users:
        return []
    mailboxes = _mailboxes_locked(users)
    first_seq = {pk: mailbox.last_seq for pk, mailbox in mailboxes.items()}
    now = timezone.now()
    notices = []
    for delivery, recipients in wanted:
        for pk in recipients:
            mailbox = mailboxes[pk]
            mailbox.last_seq += 1
            notices.append(
                Notice(
                    recipient_id=pk,
                    seq=mailbox.last_seq,
                    kind=delivery.kind,
                    created_at=now,
                    content_type_id=delivery.content_type_id,
                    object_id=delivery.object_id,
                    source_event_id=delivery.source_event_id,
                    **delivery.texts,
                )
            )
    # One UPDATE per distinct number of new notices (usually one), not bulk_update's CASE over
    # every mailbox, which costs ~1 ms of Python per recipient.
    by_count: dict[int, list[int]] = {}
    for pk, mailbox in mailboxes.items():
        by_count.setdefault(mailbox.last_seq - first_seq[pk], []).append(pk)
    for count, user_ids in by_count.items():
        Mailbox.objects.filter(user_id__in=user_ids).update(last_seq=F("last_seq") + count)
    instances_insert(notices)
    ring_after_commit(notices)
    return notices


def _mailboxes_locked(user_ids: list[int]) -> dict[int, Mailbox]:
    """The users' mailboxes, created when missing, locked in user order (so concurrent
    fan-outs cannot deadlock)."""

    existing = set(Mailbox.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
    missing = [pk for pk in user_ids if pk not in existing]
    if missing:  # first notices of these users: create their mailboxes before locking any
        Mailbox.objects.bulk_create([Mailbox(user_id=pk) for pk in missing], ignore_conflicts=True)
    return {m.user_id: m for m in Mailbox.objects.select_for_update().filter(user_id__in=user_ids).order_by("user_id")}


def notices_for_event(event) -> list[Notice]:
    """In-transaction subscriber of the engine's events (see notices/apps.py)."""
    return notices_for_events([event])


def notices_for_events(recorded) -> list[Notice]:
    """`notices_for_event` of many events together (`many=` of the subscription): the
    audiences in two queries, the notices in one `notices_deliver_many`."""
    recorded = [event for event in recorded if KIND_OF_EVENT.get(event.kind) and "model" in event.payload]
    if not recorded:
        return []
    audiences = event_audiences(recorded)
    return notices_deliver_many(
        [
            Delivery(
                recipient_ids=audiences[event.pk],
                kind=KIND_OF_EVENT[event.kind],
                texts=texts,
                content_type_id=event.content_type_id,
                object_id=event.object_id,
                source_event_id=event.pk,
            )
            for event, texts in zip(recorded, notice_texts_many(recorded), strict=True)
        ]
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
