"""Write services of INS, cross-region medical-insurance filing: file (one or a batch), attach,
open and unmask (audited), bulk-approve emergency COVID filings, and the receipt.

Reviews themselves are the engine's transitions (approve, return_for_correction, reject,
resubmit, withdraw) fired through `transition_fire`.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework import serializers

from coordination.errors import APIError, Conflict
from coordination.insurance.attachments import InvalidAttachment, check_attachment
from coordination.insurance.validation import validate_filing_fields
from coordination.models import (
    FilingAccess,
    FilingAttachment,
    InsuranceFiling,
    Membership,
    Organisation,
    Participant,
    Region,
)
from coordination.workflow.access import case_for_user, case_perms, membership_of
from coordination.workflow.engine import case_create, transition_fire

log = logging.getLogger(__name__)

FILERS = {(Organisation.Kind.HOSPITAL, Membership.Role.HOSPITAL_FILER)}
UNMASK_PERMISSION = "coordination.unmask_insurancefiling"
FILING_FIELDS = (
    "patient_name",
    "id_number",
    "sex",
    "birth_date",
    "insurance_type",
    "insuring_city",
    "filing_type",
    "diagnosis",
    "admission_date",
    "phone",
)


class DuplicateFiling(Conflict):
    """An open filing for the same person, insuring region and hospital, or the same hospital
    reference, exists already: 409 with a link to it."""

    def __init__(self, existing: InsuranceFiling, *, reason: str):
        from django.urls import reverse

        message = (
            _("This hospital reference was already filed as %(reference)s.")
            if reason == "hospital_reference"
            else _("An open filing for this person and insuring region exists already: %(reference)s.")
        )
        super().__init__(
            message % {"reference": existing.reference},
            code="duplicate",
            details={
                "reason": reason,
                "existing": {
                    "id": existing.pk,
                    "reference": existing.reference,
                    "state": existing.state,
                    "url": reverse("insurance-filing-detail", args=[existing.pk]),
                },
            },
        )
        self.existing = existing
        self.reason = reason


def can_file(user) -> bool:
    membership = membership_of(user)
    return membership is not None and (membership.organisation.kind, membership.role) in FILERS


def can_unmask(user, filing) -> bool:
    """The filing's own hospital or insuring centre, and a person holding the unmask permission."""
    return bool(case_perms(user, filing) & {"originate", "respond"}) and user.has_perm(UNMASK_PERMISSION)


def insuring_centre_for(region: Region) -> Organisation:
    centre = Organisation.objects.filter(kind=Organisation.Kind.INSURANCE_CENTRE, region=region).order_by("id").first()
    if centre is None:
        raise serializers.ValidationError(
            {"insuring_city": [_("The insuring region has no medical-insurance centre on the platform.")]}
        )
    return centre


# Case titles are stored in Chinese, the platform's default language (like the demo's cases).
FILING_TYPE_TITLES = {
    "emergency": "急诊抢救",
    "referral": "转诊转院",
    "long_term_residence": "异地长期居住",
    "temporary_work": "异地工作",
}


def filing_title(filing_type: str, diagnosis_code: str) -> str:
    # No personal data in the title: it travels in notices to escalation observers too.
    return f"医保异地备案（{FILING_TYPE_TITLES[filing_type]}）{diagnosis_code}"


def _existing_open(hospital: Organisation, id_number: str, insuring_region: Region):
    from coordination.insurance import crypto

    today = timezone.localdate()
    candidates = InsuranceFiling.objects.filter(
        originator=hospital,
        insuring_region=insuring_region,
        id_number_hash=crypto.search_hash(id_number, purpose="insurance.id_number"),
    ).only("id", "reference", "state", "valid_until")
    for filing in candidates.order_by("-id"):
        if filing.state in InsuranceFiling.OPEN_STATES:
            return filing
        if filing.state == InsuranceFiling.S.APPROVED and (filing.valid_until is None or filing.valid_until >= today):
            return filing
    return None


def insurance_filing_create(*, by, hospital_reference: str = "", **fields) -> InsuranceFiling:
    """A hospital files for a patient insured in another region; routed to that region's
    medical-insurance centre. Raises ValidationError (400, field by field), DuplicateFiling (409)."""
    if not can_file(by):
        raise PermissionDenied
    hospital = membership_of(by).organisation
    missing = [name for name in FILING_FIELDS if fields.get(name) in (None, "")]
    if missing:
        raise serializers.ValidationError({name: [_("This field is required.")] for name in missing})
    cleaned = validate_filing_fields(fields, hospital=hospital)
    insuring_region = cleaned["insuring_city"].province
    centre = insuring_centre_for(insuring_region)
    hospital_reference = (hospital_reference or "").strip()
    if hospital_reference:
        existing = InsuranceFiling.objects.filter(originator=hospital, hospital_reference=hospital_reference).first()
        if existing is not None:
            raise DuplicateFiling(existing, reason="hospital_reference")
    existing = _existing_open(hospital, cleaned["id_number"], insuring_region)
    if existing is not None:
        raise DuplicateFiling(existing, reason="open_filing")
    try:
        with transaction.atomic():
            return case_create(
                InsuranceFiling,
                by=by,
                title=filing_title(cleaned["filing_type"], cleaned["diagnosis"].code),
                hospital_reference=hospital_reference,
                insuring_region=insuring_region,
                insuring_centre=centre,
                treating_region_id=hospital.region_id,
                treating_city_id=hospital.city_id or hospital.region_id,
                participants=[(centre, Participant.Role.RESPONDER)],
                **{name: cleaned[name] for name in FILING_FIELDS},
            )
    except IntegrityError:
        # A concurrent request filed the same person (or reference) first.
        existing = _existing_open(hospital, cleaned["id_number"], insuring_region) or (
            InsuranceFiling.objects.filter(originator=hospital, hospital_reference=hospital_reference).first()
            if hospital_reference
            else None
        )
        if existing is None:
            raise
        raise DuplicateFiling(existing, reason="open_filing") from None


@dataclass
class BatchItemResult:
    index: int
    result: str  # created | duplicate | invalid
    hospital_reference: str = ""
    filing: InsuranceFiling | None = None
    errors: dict | None = None
    existing: dict | None = None

    def as_dict(self) -> dict:
        row = {"index": self.index, "result": self.result, "hospital_reference": self.hospital_reference}
        if self.filing is not None:
            row.update(id=self.filing.pk, reference=self.filing.reference, state=self.filing.state)
        if self.errors:
            row["errors"] = self.errors
        if self.existing:
            row["existing"] = self.existing
        return row


def insurance_filings_batch_create(*, by, items: list[dict]) -> list[BatchItemResult]:
    """Each item on its own: created, duplicate (with the existing filing) or invalid (with its
    errors, nothing stored). One item's failure never undoes another's filing."""
    if not can_file(by):
        raise PermissionDenied
    results = []
    for index, item in enumerate(items):
        reference = str(item.get("hospital_reference") or "")
        try:
            filing = insurance_filing_create(by=by, **item)
        except DuplicateFiling as exc:
            results.append(BatchItemResult(index, "duplicate", reference, existing=exc.details["existing"]))
        except serializers.ValidationError as exc:
            results.append(BatchItemResult(index, "invalid", reference, errors=exc.detail))
        else:
            results.append(BatchItemResult(index, "created", reference, filing=filing))
    return results


# --- opening a filing: every access recorded ---------------------------------------------------


def filing_access_record(filing, *, by, action: str) -> None:
    membership = membership_of(by)
    FilingAccess.objects.create(
        filing=filing, user=by, organisation=membership.organisation if membership else None, action=action
    )


def insurance_filing_open(*, by, pk, action: str = FilingAccess.Action.OPEN) -> InsuranceFiling:
    """The filing, for its hospital or insuring centre (404 for everybody else); recorded."""
    filing = case_for_user(by, InsuranceFiling, pk)
    filing_access_record(filing, by=by, action=action)
    return filing


def insurance_filing_unmask(*, by, pk) -> dict:
    """The full ID and phone numbers, for a person with the unmask permission in the filing's
    hospital or insuring centre; recorded."""
    filing = case_for_user(by, InsuranceFiling, pk)
    if not can_unmask(by, filing):
        raise PermissionDenied
    filing_access_record(filing, by=by, action=FilingAccess.Action.UNMASK)
    return {"id_number": filing.id_number, "phone": filing.phone}


def filing_attachment_add(*, by, pk, upload, kind: str) -> FilingAttachment:
    """The hospital attaches a referral letter or diagnosis certificate while the filing is open."""
    with transaction.atomic():
        filing = case_for_user(by, InsuranceFiling, pk, action="originate", lock=True)
        if filing.state not in InsuranceFiling.OPEN_STATES:
            raise Conflict(_("Attachments can be added only while the filing is open."), code="filing_closed")
        if kind not in FilingAttachment.Kind.values:
            raise serializers.ValidationError({"kind": [_("Choose a kind of attachment.")]})
        try:
            content_type = check_attachment(upload)
        except InvalidAttachment as exc:
            raise serializers.ValidationError({"file": [str(exc)]}) from None
        content = upload.read()
        attachment = FilingAttachment(
            filing=filing,
            kind=kind,
            original_name=str(upload.name)[:200],
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=by,
        )
        attachment.file.save(f"{filing.pk}-{attachment.sha256[:16]}", ContentFile(content), save=False)
        attachment.save()
    return attachment


def filing_attachment_open(*, by, pk, attachment_id) -> FilingAttachment:
    filing = case_for_user(by, InsuranceFiling, pk)
    attachment = filing.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    filing_access_record(filing, by=by, action=FilingAccess.Action.ATTACHMENT)
    return attachment


# --- the centre's bulk approval of emergency COVID filings -----------------------------------


def insurance_filings_bulk_approve(
    *, by, ids: list[int], effective_from: date, valid_until: date, comment: str
) -> list[dict]:
    """Approve emergency COVID-19 filings (U07.1, U07.2) in one go with one reason; each filing
    is its own transition (own audit entry and notice) and its own result."""
    results = []
    for pk in ids:
        try:
            filing = case_for_user(by, InsuranceFiling, pk, action="respond")
            if not filing.is_emergency_covid:
                raise Conflict(
                    _("Only emergency COVID-19 filings can be approved in bulk."), code="not_emergency_covid"
                )
            filing = transition_fire(
                InsuranceFiling,
                pk,
                "approve",
                by=by,
                data={"effective_from": effective_from.isoformat(), "valid_until": valid_until.isoformat()},
                comment=comment,
            )
        except Http404:
            results.append({"id": pk, "result": "not_found"})
        except PermissionDenied:
            results.append({"id": pk, "result": "forbidden"})
        except APIError as exc:
            results.append({"id": pk, "result": "refused", "code": exc.error_code, "message": str(exc.detail)})
        else:
            results.append({"id": pk, "result": "approved", "reference": filing.reference})
    return results


# --- the receipt (备案回执) --------------------------------------------------------------------


def verify_url(digest: str) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.CIRCULAR_PUBLIC_BASE_URL + reverse("insurance-receipt-verify", args=[digest])


def insurance_receipt_pdf(*, by, pk) -> InsuranceFiling:
    """The approved filing with its receipt PDF (rendered on first request, then kept); 404
    before approval and for anybody but the hospital and the centre. Recorded."""
    filing = case_for_user(by, InsuranceFiling, pk)
    if filing.state != InsuranceFiling.S.APPROVED:
        raise Http404
    filing_access_record(filing, by=by, action=FilingAccess.Action.RECEIPT)
    if filing.receipt_pdf:
        return filing
    return insurance_receipt_render(filing)


def insurance_receipt_render(filing: InsuranceFiling) -> InsuranceFiling:
    # The one render service of official documents (notices/circulars/rendering.py); imported
    # here, not at module level, so coordination does not load notices unless a receipt is asked for.
    from notices.circulars.rendering import get_renderer, qr_svg

    digest = filing.receipt_digest or filing.receipt_digest_compute()
    with translation.override("zh-hans"):
        context = {
            "filing": filing,
            "content": filing.receipt_content(),
            "digest": digest,
            "digest_grouped": " ".join(digest[i : i + 16] for i in range(0, 64, 16)),
            "qr_svg": qr_svg(verify_url(digest)),
            "pitch": "28.000pt",
            "filing_type": filing.get_filing_type_display(),
            "insurance_type": filing.get_insurance_type_display(),
            "sex": filing.get_sex_display(),
        }
        rendered = get_renderer().render_template("insurance/receipt.html", context)
    with transaction.atomic():
        locked = InsuranceFiling.objects.select_for_update().get(pk=filing.pk)
        if not locked.receipt_pdf:
            locked.receipt_pdf.save(f"{locked.reference}.pdf", ContentFile(rendered.pdf), save=False)
            locked.receipt_sha256 = hashlib.sha256(rendered.pdf).hexdigest()
            locked.receipt_digest = digest
            InsuranceFiling.objects.filter(pk=locked.pk).update(
                receipt_pdf=locked.receipt_pdf.name, receipt_sha256=locked.receipt_sha256, receipt_digest=digest
            )
        filing.receipt_pdf, filing.receipt_sha256 = locked.receipt_pdf, locked.receipt_sha256
        filing.receipt_digest = locked.receipt_digest
    return filing
