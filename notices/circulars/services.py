"""Writing circulars: draft, sign-off (签发), issue (印发: number + queued render), render and
sign, fail, retry, re-queue, revoke.

A circular is drafted by an officer of its issuing organisation, who previews it (the same
renderer, watermarked 草稿/DRAFT) and submits it; the organisation's office head (a member with
the signing role, or a leader) signs it off, and signing off issues it: the number is
allocated and the circular stored as "rendering" in one transaction. An emergency whose
mechanism declares `SignOff(after_issue=True)` is issued at once by the officer and signed off
afterwards (补签) within the declared time; lateness is escalated (`circulars_sign_off_overdue`).
Addressees never see a circular before it is numbered (selectors.py). Each step is audited in
the circular's own hash chain (coordination's AuditEntry).

The PDF is rendered after commit by a Celery worker (notices/circulars/tasks.py, a thin
wrapper of `circular_render`), signed with the issuer's key (PAdES, coordination/trust) with
its electronic seal over the date, stored with its SHA-256, marked issued, and CIRCULAR_ISSUED
emitted through the outbox. A broker outage only delays the render: `circulars_requeue_stuck`
(Celery beat) queues again what is still waiting, and marks failed what has spent its
attempts — a circular is never left "rendering" for ever.
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
from coordination.verification import new_code
from coordination.workflow.access import case_for_user, membership_of
from coordination.workflow.engine import TransitionContext, audit_append, outbox_emit
from coordination.workflow.mechanisms import SIGN_OFF_BEFORE_ISSUE, SignOff
from notices.circulars.document import CircularDocument
from notices.circulars.glyphs import MissingGlyphs, check_glyphs
from notices.circulars.numbering import allocate_document_number, issuing_body_for
from notices.circulars.selectors import circular_for_user
from notices.models.circulars import PUBLISHED_STATUSES, Circular

log = logging.getLogger("notices.circulars")

# Who may draft a circular for their organisation, and who signs it off (签发).
ISSUER_ROLES = {
    Membership.Role.LIAISON_OFFICER,
    Membership.Role.COORDINATOR,
    Membership.Role.LEADER,
    Membership.Role.SIGNER,
}
SIGNER_ROLES = {Membership.Role.SIGNER, Membership.Role.LEADER}
# The verification code printed beside the QR code: Crockford's base32, no 0/O or 1/I/L mix-ups.
EDITABLE_FIELDS = (
    "title",
    "body",
    "addressee_line",
    "attachments",
    "signature",
    "signed_on",
    "note",
    "copy_to",
    "printed_by",
    "printed_on",
)


def can_issue(user) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.role in ISSUER_ROLES


def can_sign_off(user, circular: Circular | None = None) -> bool:
    """An office head or leader of the issuing organisation (of the user's own, without one)."""
    membership = membership_of(user)
    if membership is None or membership.role not in SIGNER_ROLES:
        return False
    return circular is None or membership.organisation_id == circular.issuer_id


def circular_actions(user, circular: Circular) -> list[str]:
    """What the user may do with the circular now, for pages and API clients (the services
    decide again when it is done)."""
    membership = membership_of(user)
    if membership is None or membership.organisation_id != circular.issuer_id or not can_issue(user):
        return []
    signer = can_sign_off(user, circular)
    status = circular.status
    actions = []
    if status in (Circular.Status.DRAFT, Circular.Status.AWAITING_SIGN_OFF):
        actions += ["edit", "preview"]
        if status == Circular.Status.DRAFT:
            actions.append("submit")
        if signer and (status == Circular.Status.AWAITING_SIGN_OFF or circular.created_by_id == user.pk):
            actions.append("sign_off")
        if signer and status == Circular.Status.AWAITING_SIGN_OFF:
            actions.append("return")
    elif signer and circular.signed_off_at is None:
        actions.append("sign_off")
    if status == Circular.Status.ISSUED and signer and circular.revoked_at is None:
        actions.append("revoke")
    if status == Circular.Status.FAILED:
        actions.append("retry")
    return actions


def display_code(code: str) -> str:
    """7K3Q9XWD2M4P → 7K3Q-9XWD-2M4P, as printed."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def verify_url(code: str) -> str:
    """The public verification page of a document, from the documented SITE_URL setting."""
    return settings.SITE_URL + reverse("document-verify", args=[code])


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


def _audit(circular: Circular, by, step: str, from_status: str, **payload) -> None:
    membership = membership_of(by) if by is not None else None
    organisation = membership.organisation if membership is not None else None
    audit_append(
        circular,
        ctx=TransitionContext(by=by, organisation=organisation, comment=payload.pop("comment", "")),
        transition=step,
        from_state=from_status,
        to_state=circular.status,
        payload=payload,
    )


def _sign_off_event(circular: Circular, step: str, *, actor=None) -> None:
    """Tell the people the step concerns (notices/sign_off.py): the signers of a submitted
    draft, the drafter of a returned one, the signers and leaders of a late sign-off."""
    outbox_emit(
        events.CIRCULAR_SIGN_OFF,
        case=circular,
        payload={
            "step": step,
            "id": circular.pk,
            "title": circular.title,
            "document_number": circular.document_number or "",
            "issuer": circular.issuer_id,
            "drafter": circular.created_by_id,
            "actor": actor.pk if actor is not None else None,
            "link": reverse("circular-page", args=[circular.pk]),
        },
    )


def _locked_own(by, circular_id) -> Circular:
    """The circular, locked, when it is the user's organisation's; 404 when they cannot see it,
    403 when they see it but it is another organisation's."""
    circular = circular_for_user(by, circular_id, lock=True)
    membership = membership_of(by)
    if membership is None or circular.issuer_id != membership.organisation_id:
        raise PermissionDenied
    return circular


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
    supersedes: Circular | None = None,
) -> Circular:
    """A draft circular of the user's organisation (no number yet; only its organisation sees it)."""
    issuer = _issuer_of(by)
    if case is not None:
        case = case_for_user(by, type(case), case.pk)  # 404 for a case the user cannot see
    addressees = list(addressees)
    addressee_line = addressee_line.strip() or "、".join(org.name_zh for org in addressees)
    if not title.strip() or not body.strip() or not addressee_line:
        raise DomainError("invalid", _("A circular needs a title, addressees and a body."))
    if supersedes is not None and (supersedes.issuer_id != issuer.pk or supersedes.status != Circular.Status.ISSUED):
        raise DomainError("invalid", _("A circular can only replace an issued circular of its own organisation."))
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
            supersedes=supersedes,
            created_by=by,
        )
        circular.addressees.set(addressees)
        _audit(circular, by, "draft", "", title=circular.title)
    return circular


def _content_type(case):
    if case is None:
        return None
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(case)


def circular_update(*, by, circular_id: int, addressees: list[Organisation] | None = None, **fields) -> Circular:
    """Change a draft (a submitted one goes back to being a draft: it is signed off as it stands)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError("invalid", _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(unknown)})
    with transaction.atomic():
        circular = _locked_own(by, circular_id)
        if circular.status not in (Circular.Status.DRAFT, Circular.Status.AWAITING_SIGN_OFF):
            raise Conflict(_("Only a draft can be changed."), code="not_a_draft", details={"status": circular.status})
        for name, value in fields.items():
            if isinstance(value, str):
                value = value.strip()
            if name == "attachments":
                value = [str(item).strip() for item in value if str(item).strip()]
            setattr(circular, name, value)
        if addressees is not None:
            circular.addressees.set(addressees)
            if "addressee_line" not in fields or not circular.addressee_line:
                circular.addressee_line = "、".join(org.name_zh for org in addressees)
        if not circular.title or not circular.body or not circular.addressee_line:
            raise DomainError("invalid", _("A circular needs a title, addressees and a body."))
        previous = circular.status
        circular.status = Circular.Status.DRAFT
        circular.save()
        _audit(circular, by, "edit", previous, fields=sorted([*fields, *(["addressees"] if addressees else [])]))
    return circular


def circular_submit(*, by, circular_id: int) -> Circular:
    """The drafter submits a draft for sign-off; the organisation's signers are told."""
    with transaction.atomic():
        circular = _locked_own(by, circular_id)
        if circular.status != Circular.Status.DRAFT:
            raise Conflict(
                _("Only a draft can be submitted for sign-off."),
                code="not_a_draft",
                details={"status": circular.status},
            )
        _submit(circular, by)
    return circular


def _submit(circular: Circular, by) -> None:
    """A draft goes to its signers (what the fonts cannot print is refused first)."""
    _check_glyphs(circular)
    circular.status = Circular.Status.AWAITING_SIGN_OFF
    circular.save(update_fields=["status"])
    _audit(circular, by, "submit", Circular.Status.DRAFT)
    _sign_off_event(circular, "awaiting", actor=by)


def circular_return(*, by, circular_id: int, comment: str = "") -> Circular:
    """A signer sends a submitted draft back to its drafter (退回修改) with a comment."""
    with transaction.atomic():
        circular = _locked_own(by, circular_id)
        if not can_sign_off(by, circular):
            raise PermissionDenied
        if circular.status != Circular.Status.AWAITING_SIGN_OFF:
            raise Conflict(
                _("Only a draft awaiting sign-off can be returned."),
                code="not_awaiting_sign_off",
                details={"status": circular.status},
            )
        circular.status = Circular.Status.DRAFT
        circular.sign_off_comment = comment.strip()[:500]
        circular.save(update_fields=["status", "sign_off_comment"])
        _audit(circular, by, "return", Circular.Status.AWAITING_SIGN_OFF, comment=circular.sign_off_comment)
        _sign_off_event(circular, "returned", actor=by)
    return circular


def circular_sign_off(*, by, circular_id: int, comment: str = "") -> Circular:
    """签发: a signer of the issuing organisation signs a draft off, which issues it; or signs
    off afterwards (补签) a circular its mechanism let an officer issue first."""
    with transaction.atomic():
        circular = _locked_own(by, circular_id)
        if not can_sign_off(by, circular):
            raise PermissionDenied
        if circular.signed_off_at is not None:
            raise Conflict(_("This circular is already signed off."), code="already_signed_off")
        if circular.status == Circular.Status.DRAFT and circular.created_by_id != by.pk:
            # A draft still being written is not the signer's to sign unless they drafted it.
            raise Conflict(
                _("The draft has not been submitted for sign-off."), code="not_submitted", details={"status": "draft"}
            )
        _record_sign_off(circular, by, comment)
        if circular.status in (Circular.Status.DRAFT, Circular.Status.AWAITING_SIGN_OFF):
            _issue(circular, by)
        else:
            circular.save(update_fields=["signed_off_by", "signed_off_at", "sign_off_comment"])
            _audit(circular, by, "sign_off_after_issue", circular.status, comment=circular.sign_off_comment)
    return circular


def _record_sign_off(circular: Circular, by, comment: str) -> None:
    circular.signed_off_by = by
    circular.signed_off_at = timezone.now()
    circular.sign_off_comment = comment.strip()[:500]


def circular_issue(
    *, by, draft: Circular | None = None, sign_off: SignOff = SIGN_OFF_BEFORE_ISSUE, **fields
) -> Circular:
    """Issue a circular: a new one from `fields` (those of circular_draft_create), or a draft.

    A signer of the issuing organisation signs it off and issues it in one step. Anyone else
    issues it only when `sign_off` allows it afterwards (the sign-off then falls due); else a
    new circular is submitted for sign-off, and issuing an existing draft is refused (403)."""
    with transaction.atomic():
        circular = circular_draft_create(by=by, **fields) if draft is None else _locked_own(by, draft.pk)
        if circular.status not in (Circular.Status.DRAFT, Circular.Status.AWAITING_SIGN_OFF):
            raise Conflict(_("Only a draft can be issued."), code="not_a_draft", details={"status": circular.status})
        if can_sign_off(by, circular):
            _record_sign_off(circular, by, "")
        elif sign_off.after_issue:
            circular.sign_off_due = timezone.now() + sign_off.within
        elif draft is None:
            _submit(circular, by)
            return circular
        else:
            raise DomainError(
                "sign_off_required",
                _("The circular must be signed off by the office head before it is issued."),
                403,
            )
        _issue(circular, by)
    return circular


def _check_glyphs(circular: Circular) -> None:
    """Refuse what the installed fonts cannot print, before anybody signs it off."""
    try:
        check_glyphs(CircularDocument.from_circular(circular).texts_by_role())
    except MissingGlyphs as exc:
        raise _missing_glyphs_error(exc) from None


def _joint_parts(circular: Circular) -> tuple[list[str], list[str]]:
    """联合行文: the marks and signatures of the organisations the issuer issues jointly for."""
    body = issuing_body_for(circular.issuer)
    joint = list(body.joint_issuers.order_by("region_id", "code"))
    if not joint:
        return [], []
    marks = [issuing_body_for(org).mark for org in joint]
    return marks, [org.name_zh for org in joint]


def _issue(circular: Circular, by) -> None:
    """Number it and queue its render (inside the caller's transaction, the row locked)."""
    previous = circular.status
    circular.issuer_mark = issuing_body_for(circular.issuer).mark
    circular.issuer_marks, circular.signatures = _joint_parts(circular)
    if circular.supersedes_id and not circular.note:
        circular.note = f"此件替代{circular.supersedes.document_number}"
    _check_glyphs(circular)
    year = circular.signed_on.year
    circular.issuer_code, circular.sequence, circular.document_number = allocate_document_number(circular.issuer, year)
    circular.year = year
    circular.verification_code = new_code()
    circular.content_sha256 = CircularDocument.from_circular(circular).content_digest()
    circular.status = Circular.Status.RENDERING
    circular.render_queued_at = timezone.now()
    circular.render_attempts = 0
    circular.failure_reason = ""
    circular.save()
    if circular.signed_off_at is not None:  # signed off in this step (补签 comes after the issue)
        _audit(circular, by, "sign_off", previous, comment=circular.sign_off_comment)
        previous = circular.status
    _audit(
        circular,
        by,
        "issue",
        previous,
        document_number=circular.document_number,
        content_sha256=circular.content_sha256,
        sign_off_due=circular.sign_off_due.isoformat() if circular.sign_off_due else None,
    )
    circular_id = circular.pk
    transaction.on_commit(lambda: enqueue_render(circular_id))


def circular_revoke(*, by, circular_id: int, reason: str) -> Circular:
    """A signer withdraws an issued circular (废止): verification reports it revoked from now."""
    reason = reason.strip()
    if not reason:
        raise DomainError("invalid", _("Give the reason for revoking the circular."))
    with transaction.atomic():
        circular = _locked_own(by, circular_id)
        if not can_sign_off(by, circular):
            raise PermissionDenied
        if circular.status != Circular.Status.ISSUED or circular.revoked_at is not None:
            raise Conflict(
                _("Only an issued circular in force can be revoked."),
                code="not_revocable",
                details={"status": circular.status},
            )
        circular.revoked_at = timezone.now()
        circular.revocation_reason = reason[:500]
        circular.save(update_fields=["revoked_at", "revocation_reason"])
        _audit(circular, by, "revoke", circular.status, comment=circular.revocation_reason)
    return circular


def circular_preview(*, by, circular_id: int) -> bytes:
    """The draft's PDF as it would be issued, watermarked 草稿/DRAFT (rendered now, not kept)."""
    from notices.circulars.rendering import render_circular

    circular = circular_for_user(by, circular_id)
    if circular.issuer_id != getattr(membership_of(by), "organisation_id", None):
        raise PermissionDenied
    if circular.status not in (Circular.Status.DRAFT, Circular.Status.AWAITING_SIGN_OFF):
        raise Conflict(_("Only a draft has a preview."), code="not_a_draft", details={"status": circular.status})
    document = CircularDocument.from_circular(circular)
    marks, signatures = _joint_parts(circular)
    document.issuer_marks, document.signatures = marks, signatures
    document.draft = True
    try:
        return render_circular(document).pdf
    except MissingGlyphs as exc:
        raise _missing_glyphs_error(exc) from None


def enqueue_render(circular_id: int) -> None:
    """Hand the render to Celery; a broker that is down only delays it (circulars_requeue_stuck)."""
    from notices.circulars.tasks import render_circular

    try:
        render_circular.apply_async((circular_id,), retry=False)
    except Exception:
        log.warning("circular %s left for the re-queue: broker unavailable", circular_id, exc_info=True)


def circular_render(circular_id: int) -> Circular | None:
    """Render the circular's PDF now and sign it (the Celery task calls this; tests call it
    directly). Returns the issued circular, or None when it was not waiting for a render. A
    document that cannot be rendered as it stands (a missing glyph, an impossible layout) is
    marked failed; other errors propagate, for the task to retry."""
    from notices.circulars.rendering import LayoutError, SubsetterMissing, render_circular

    updated = Circular.objects.filter(
        pk=circular_id,
        status=Circular.Status.RENDERING,
        render_attempts__lt=settings.CIRCULAR_RENDER_MAX_ATTEMPTS,
    ).update(render_attempts=F("render_attempts") + 1)
    if not updated:
        # A render that killed its worker every time (redelivered without end) stops here.
        if Circular.objects.filter(pk=circular_id, status=Circular.Status.RENDERING).exists():
            circular_render_failed(
                circular_id,
                reason=f"the render did not complete after {settings.CIRCULAR_RENDER_MAX_ATTEMPTS} attempts",
            )
        return None
    circular = Circular.objects.select_related("issuer").get(pk=circular_id)
    document = CircularDocument.from_circular(circular, verify_url=verify_url(circular.verification_code))
    try:
        rendered = render_circular(document)
    except SubsetterMissing:
        raise
    except (MissingGlyphs, LayoutError) as exc:
        circular_render_failed(circular_id, reason=str(exc))
        return None
    pdf, kids = _signed(circular, rendered)
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        circular = Circular.objects.select_for_update().get(pk=circular_id)
        if circular.status != Circular.Status.RENDERING:
            return None
        circular.sha256 = digest
        circular.signing_key_id = ",".join(kids)
        circular.pdf.save("circular.pdf", ContentFile(pdf), save=False)
        circular.pdf_size = len(pdf)
        circular.page_count = rendered.pages
        circular.status = Circular.Status.ISSUED
        circular.issued_at = timezone.now()
        circular.failure_reason = ""
        circular.save()
        outbox_emit(events.CIRCULAR_ISSUED, case=circular, payload=circular_event_payload(circular))
    log.info(
        "circular %s issued: %s pages, %s bytes, tightening level %s, signed with %s",
        circular.document_number,
        rendered.pages,
        len(pdf),
        rendered.level,
        kids,
    )
    return circular


def _signed(circular: Circular, rendered) -> tuple[bytes, list[str]]:
    """The rendered PDF signed (PAdES) with its seal over the date: by the issuer, or — a joint
    document — by each signing organ in turn, each seal over its own name (GB/T 9704 7.3.5.3)."""
    from coordination.trust.pdf import sign_pdf
    from coordination.trust.services import active_key

    reason = f"签发 {circular.document_number}"
    organs = _signing_organs(circular)
    if organs and len(organs) == len(rendered.anchors):
        pdf = rendered.pdf
        for organ, anchor in zip(organs, rendered.anchors, strict=True):
            pdf = sign_pdf(pdf, organ, seals=[anchor], reason=reason, location=organ.name_zh)
        return pdf, [active_key(organ).kid for organ in organs]
    pdf = sign_pdf(
        rendered.pdf, circular.issuer, seals=rendered.anchors, reason=reason, location=circular.issuer.name_zh
    )
    return pdf, [active_key(circular.issuer).kid]


def _signing_organs(circular: Circular) -> list[Organisation]:
    """The organisations of a joint document's signatures, in its order (none for one issuer)."""
    if not circular.signatures:
        return []
    by_name = {org.name_zh: org for org in issuing_body_for(circular.issuer).joint_issuers.all()}
    organs = [by_name.get(name) for name in circular.signatures]
    return organs if all(organs) else []


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
        circular = _locked_own(by, circular_id)
        if not can_issue(by):
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


def circulars_sign_off_overdue(*, now=None) -> int:
    """Escalate, once, each circular issued first whose sign-off (补签) is late: its
    organisation's signers and leaders are told (Celery beat, every minute)."""
    now = now or timezone.now()
    late = Circular.objects.filter(
        status__in=PUBLISHED_STATUSES,
        signed_off_at__isnull=True,
        sign_off_due__lte=now,
        sign_off_escalated_at__isnull=True,
    )
    count = 0
    for pk in late.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            circular = Circular.objects.select_for_update().get(pk=pk)
            if circular.sign_off_escalated_at is not None or circular.signed_off_at is not None:
                continue
            circular.sign_off_escalated_at = now
            circular.save(update_fields=["sign_off_escalated_at"])
            _audit(circular, None, "sign_off_overdue", circular.status)
            _sign_off_event(circular, "overdue")
            count += 1
    return count


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
