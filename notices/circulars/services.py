"""Writing circulars: draft, issue (number + queued render), render, fail, retry, re-queue.

Issuing allocates the document number and stores the circular as "rendering" in one
transaction; the PDF is rendered after commit by a Celery worker (notices/circulars/tasks.py,
a thin wrapper of `circular_render`), which stores it with its SHA-256, marks the circular
issued and emits CIRCULAR_ISSUED through the outbox. A broker outage only delays the render:
`circulars_requeue_stuck` (Celery beat) queues again what is still waiting, and marks failed
what has spent its attempts — a circular is never left "rendering" for ever.
"""

import hashlib
import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import events
from coordination.errors import Conflict, DomainError
from coordination.models import Membership, Organisation
from coordination.workflow.access import case_for_user, membership_of
from coordination.workflow.engine import outbox_emit
from notices.circulars.document import CircularDocument
from notices.circulars.glyphs import MissingGlyphs, check_glyphs
from notices.circulars.numbering import allocate_document_number, issuing_body_for
from notices.circulars.selectors import circular_for_user
from notices.models.circulars import Circular

log = logging.getLogger("notices.circulars")

# Who may issue a circular for their organisation.
ISSUER_ROLES = {Membership.Role.LIAISON_OFFICER, Membership.Role.COORDINATOR, Membership.Role.LEADER}


def can_issue(user) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.role in ISSUER_ROLES


def verify_url(digest: str) -> str:
    return settings.CIRCULAR_PUBLIC_BASE_URL + reverse("circular-verify", args=[digest])


def download_path(circular: Circular) -> str:
    return reverse("circular-pdf", args=[circular.pk])


def _missing_glyphs_error(exc: MissingGlyphs) -> DomainError:
    return DomainError(
        "missing_glyphs",
        _("Some characters cannot be printed with the installed fonts: %(characters)s")
        % {"characters": " ".join(exc.characters)},
        400,
        details={"missing": exc.missing},
    )


def _issuer_of(by) -> Organisation:
    if not can_issue(by):
        raise PermissionDenied
    return membership_of(by).organisation


def circular_draft_create(
    *,
    by,
    title: str,
    body: str,
    addressees: list[Organisation] = (),
    addressee_line: str = "",
    case=None,
    attachments: list[str] = (),
    signature: str = "",
    signed_on: date | None = None,
    note: str = "",
    copy_to: str = "",
    printed_by: str = "",
    printed_on: date | None = None,
) -> Circular:
    """A draft circular of the user's organisation (no number yet)."""
    issuer = _issuer_of(by)
    if case is not None:
        case = case_for_user(by, type(case), case.pk)  # 404 for a case the user cannot see
    addressees = list(addressees)
    addressee_line = addressee_line.strip() or "、".join(org.name_zh for org in addressees)
    if not title.strip() or not body.strip() or not addressee_line:
        raise DomainError("invalid", _("A circular needs a title, addressees and a body."))
    today = timezone.localdate()
    with transaction.atomic():
        mark = issuing_body_for(issuer).mark
        circular = Circular.objects.create(
            issuer=issuer,
            issuer_mark=mark,
            title=title.strip(),
            addressee_line=addressee_line,
            body=body.strip(),
            attachments=[str(name).strip() for name in attachments if str(name).strip()],
            signature=signature.strip() or issuer.name_zh,
            signed_on=signed_on or today,
            note=note.strip(),
            copy_to=copy_to.strip(),
            printed_by=printed_by.strip() or issuer.name_zh,
            printed_on=printed_on or signed_on or today,
            content_type=_content_type(case),
            object_id=case.pk if case is not None else None,
            created_by=by,
        )
        circular.addressees.set(addressees)
    return circular


def _content_type(case):
    if case is None:
        return None
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(case)


def circular_issue(*, by, draft: Circular | None = None, **fields) -> Circular:
    """Issue a circular: a new one from `fields` (those of circular_draft_create), or a draft.
    The number is allocated and the render queued after commit; the circular is "rendering"
    until the worker has stored its PDF."""
    with transaction.atomic():
        if draft is None:
            circular = circular_draft_create(by=by, **fields)
        else:
            circular = circular_for_user(by, draft.pk, lock=True)
            if circular.issuer_id != _issuer_of(by).pk:
                raise PermissionDenied
        if circular.status != Circular.Status.DRAFT:
            raise Conflict(_("Only a draft can be issued."), code="not_a_draft", details={"status": circular.status})
        circular.issuer_mark = issuing_body_for(circular.issuer).mark
        document = CircularDocument.from_circular(circular)
        try:
            check_glyphs(document.texts_by_role())
        except MissingGlyphs as exc:
            raise _missing_glyphs_error(exc) from None
        year = circular.signed_on.year
        circular.issuer_code, circular.sequence, circular.document_number = allocate_document_number(
            circular.issuer, year
        )
        circular.year = year
        circular.content_sha256 = CircularDocument.from_circular(circular).content_digest()
        circular.status = Circular.Status.RENDERING
        circular.render_queued_at = timezone.now()
        circular.render_attempts = 0
        circular.failure_reason = ""
        circular.save()
        transaction.on_commit(lambda: enqueue_render(circular.pk))
    return circular


def enqueue_render(circular_id: int) -> None:
    """Hand the render to Celery; a broker that is down only delays it (circulars_requeue_stuck)."""
    from notices.circulars.tasks import render_circular

    try:
        render_circular.apply_async((circular_id,), retry=False)
    except Exception:
        log.warning("circular %s left for the re-queue: broker unavailable", circular_id, exc_info=True)


def circular_render(circular_id: int) -> Circular | None:
    """Render the circular's PDF now (the Celery task calls this; tests call it directly).
    Returns the issued circular, or None when it was not waiting for a render. A document that
    cannot be rendered as it stands (a missing glyph, an impossible layout) is marked failed;
    other errors propagate, for the task to retry."""
    from notices.circulars.rendering import LayoutError, SubsetterMissing, render_circular

    updated = Circular.objects.filter(pk=circular_id, status=Circular.Status.RENDERING).update(
        render_attempts=F("render_attempts") + 1
    )
    if not updated:
        return None
    circular = Circular.objects.get(pk=circular_id)
    document = CircularDocument.from_circular(circular, verify_url=verify_url(circular.content_sha256))
    try:
        rendered = render_circular(document)
    except SubsetterMissing:
        raise
    except (MissingGlyphs, LayoutError) as exc:
        circular_render_failed(circular_id, reason=str(exc))
        return None
    digest = hashlib.sha256(rendered.pdf).hexdigest()
    with transaction.atomic():
        circular = Circular.objects.select_for_update().get(pk=circular_id)
        if circular.status != Circular.Status.RENDERING:
            return None
        circular.sha256 = digest
        circular.pdf.save("circular.pdf", ContentFile(rendered.pdf), save=False)
        circular.pdf_size = len(rendered.pdf)
        circular.page_count = rendered.pages
        circular.status = Circular.Status.ISSUED
        circular.issued_at = timezone.now()
        circular.failure_reason = ""
        circular.save()
        outbox_emit(events.CIRCULAR_ISSUED, case=circular, payload=circular_event_payload(circular))
    log.info(
        "circular %s issued: %s pages, %s bytes, tightening level %s",
        circular.document_number,
        rendered.pages,
        len(rendered.pdf),
        rendered.level,
    )
    return circular


def circular_event_payload(circular: Circular) -> dict:
    return {
        "model": circular._meta.label_lower,
        "id": circular.pk,
        "document_number": circular.document_number,
        "title": circular.title,
        "issuer": circular.issuer_id,
        "addressees": sorted(circular.addressees.values_list("pk", flat=True)),
        "case": (
            {"model": circular.content_type.model_class()._meta.label_lower, "id": circular.object_id}
            if circular.content_type_id
            else None
        ),
        "sha256": circular.sha256,
        "pdf": download_path(circular),
        "actor": circular.created_by_id,
    }


def circular_render_failed(circular_id: int, *, reason: str) -> None:
    """Mark a render failed, with the reason; its issuer may retry it."""
    Circular.objects.filter(pk=circular_id, status=Circular.Status.RENDERING).update(
        status=Circular.Status.FAILED, failure_reason=reason[:2000]
    )
    log.warning("circular %s failed to render: %s", circular_id, reason)


def circular_retry(*, by, circular_id: int) -> Circular:
    """Queue a failed circular's render again (same number)."""
    with transaction.atomic():
        circular = circular_for_user(by, circular_id, lock=True)
        if circular.issuer_id != _issuer_of(by).pk:
            raise PermissionDenied
        if circular.status != Circular.Status.FAILED:
            raise Conflict(
                _("Only a failed render can be retried."), code="not_failed", details={"status": circular.status}
            )
        circular.status = Circular.Status.RENDERING
        circular.render_attempts = 0
        circular.render_queued_at = timezone.now()
        circular.failure_reason = ""
        circular.save(update_fields=["status", "render_attempts", "render_queued_at", "failure_reason"])
        transaction.on_commit(lambda: enqueue_render(circular.pk))
    return circular


def circulars_requeue_stuck(*, now=None) -> dict:
    """Queue again the renders still waiting after CIRCULAR_RENDER_STUCK_SECONDS (broker
    outage, a worker that died); mark failed those that spent their attempts."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.CIRCULAR_RENDER_STUCK_SECONDS)
    stuck = Circular.objects.filter(status=Circular.Status.RENDERING, render_queued_at__lte=cutoff)
    spent = list(stuck.filter(render_attempts__gte=settings.CIRCULAR_RENDER_MAX_ATTEMPTS).values_list("pk", flat=True))
    for pk in spent:
        circular_render_failed(
            pk, reason=f"the render did not complete after {settings.CIRCULAR_RENDER_MAX_ATTEMPTS} attempts"
        )
    requeue = list(stuck.exclude(pk__in=spent).values_list("pk", flat=True)[:200])
    Circular.objects.filter(pk__in=requeue).update(render_queued_at=now)
    for pk in requeue:
        enqueue_render(pk)
    return {"requeued": len(requeue), "failed": len(spent)}
