"""Write services of INS, cross-region medical-insurance filing: file (one or a batch), attach,
open and unmask (audited), bulk-approve emergency COVID filings, and the receipt.

Reviews themselves are the engine's transitions (approve, return_for_correction, reject,
resubmit, withdraw) fired through `transition_fire`.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework import serializers

from coordination import events
from coordination.errors import Conflict, DomainError, Invalid
from coordination.mechanisms.insurance.attachments import InvalidAttachment, check_attachment
from coordination.mechanisms.insurance.models import FilingAttachment, InsuranceFiling
from coordination.mechanisms.insurance.validation import validate_filing_fields
from coordination.models import Organisation, Participant, Region
from coordination.pii.access import Action, personal_data_access_record
from coordination.workflow import mechanisms
from coordination.workflow.access import case_for_user, case_perms, membership_of, visible_cases
from coordination.workflow.engine import NewCase, case_create, cases_create_many, transition_fire

log = logging.getLogger(__name__)

UNMASK_PERMISSION = "insurance.unmask_insurancefiling"
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
    """Who may file: the declaration's `may_create` (hospitals' filers)."""
    return mechanisms.for_model(InsuranceFiling).may_create.allows(user)


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


SEARCH_COLUMNS = ("id_number_hash", "id_number_masked", "phone_hash", "phone_masked")


def _blocks_new_filing(filing: InsuranceFiling, today: date) -> bool:
    """An open filing, or an approved one still valid, stands in the way of filing the same
    person for the same insuring region again."""
    if filing.state in InsuranceFiling.OPEN_STATES:
        return True
    return filing.state == InsuranceFiling.S.APPROVED and (filing.valid_until is None or filing.valid_until >= today)


def _existing_open(hospital: Organisation, id_number: str, insuring_region: Region):
    from coordination.pii import crypto

    today = timezone.localdate()
    candidates = InsuranceFiling.objects.filter(
        originator=hospital,
        insuring_region=insuring_region,
        id_number_hash=crypto.search_hash(id_number, purpose="insurance.id_number"),
    ).only("id", "reference", "state", "valid_until")
    return next((filing for filing in candidates.order_by("-id") if _blocks_new_filing(filing, today)), None)


class FilingLookups:
    """The diagnoses, insuring cities and centres a batch names, read once for all its items
    (validation then finds them resolved; unknown codes are left for it to report)."""

    def __init__(self, items: list[dict]):
        from coordination.mechanisms.insurance import icd10
        from coordination.mechanisms.insurance.models import Diagnosis

        codes = {icd10.normalise(str(item.get("diagnosis") or "")) for item in items}
        self.diagnoses = {
            diagnosis.code: diagnosis
            for diagnosis in Diagnosis.objects.filter(code__in={c for c in codes if icd10.valid_format(c)}, active=True)
        }
        cities = {str(item.get("insuring_city") or "").strip() for item in items}
        self.cities = {
            city.code: city for city in Region.objects.cities().select_related("parent").filter(code__in=cities)
        }
        self.centres: dict[str, Organisation] = {}

    def resolve(self, fields: dict) -> dict:
        from coordination.mechanisms.insurance import icd10

        fields = dict(fields)
        if isinstance(fields.get("diagnosis"), str):
            fields["diagnosis"] = self.diagnoses.get(icd10.normalise(fields["diagnosis"]), fields["diagnosis"])
        if isinstance(fields.get("insuring_city"), str):
            fields["insuring_city"] = self.cities.get(fields["insuring_city"].strip(), fields["insuring_city"])
        return fields

    def centre_for(self, region: Region) -> Organisation:
        if region.pk not in self.centres:
            self.centres[region.pk] = insuring_centre_for(region)
        return self.centres[region.pk]


def filing_to_create(hospital: Organisation, fields: dict, *, hospital_reference: str = "", lookups=None) -> NewCase:
    """Validate one filing (ValidationError: 400, field by field) and shape it for the engine:
    routed to the insuring region's centre, with the search and mask columns of its numbers."""
    missing = [name for name in FILING_FIELDS if fields.get(name) in (None, "")]
    if missing:
        raise serializers.ValidationError({name: [_("This field is required.")] for name in missing})
    if lookups is not None:
        fields = lookups.resolve(fields)
    cleaned = validate_filing_fields(fields, hospital=hospital)
    insuring_region = cleaned["insuring_city"].province
    centre = lookups.centre_for(insuring_region) if lookups is not None else insuring_centre_for(insuring_region)
    # What InsuranceFiling.save() derives from the numbers, here for the bulk insert that skips
    # save(): the model's own method, given just the two numbers (a whole filing costs 7× more).
    derived = SimpleNamespace(id_number=cleaned["id_number"], phone=cleaned["phone"])
    InsuranceFiling.refresh_search_columns(derived)
    return NewCase(
        title=filing_title(cleaned["filing_type"], cleaned["diagnosis"].code),
        participants=[(centre, Participant.Role.RESPONDER)],
        fields={
            "hospital_reference": (hospital_reference or "").strip(),
            "insuring_region": insuring_region,
            "insuring_centre": centre,
            "treating_region_id": hospital.region_id,
            "treating_city_id": hospital.city_id or hospital.region_id,
            **{name: cleaned[name] for name in FILING_FIELDS},
            **{name: getattr(derived, name) for name in SEARCH_COLUMNS},
        },
    )


def insurance_filing_create(*, by, hospital_reference: str = "", **fields) -> InsuranceFiling:
    """A hospital files for a patient insured in another region; routed to that region's
    medical-insurance centre. Raises ValidationError (400, field by field), DuplicateFiling (409)."""
    if not can_file(by):
        raise PermissionDenied
    hospital = membership_of(by).organisation
    new = filing_to_create(hospital, fields, hospital_reference=hospital_reference)
    hospital_reference, insuring_region = new.fields["hospital_reference"], new.fields["insuring_region"]
    if hospital_reference:
        existing = InsuranceFiling.objects.filter(originator=hospital, hospital_reference=hospital_reference).first()
        if existing is not None:
            raise DuplicateFiling(existing, reason="hospital_reference")
    existing = _existing_open(hospital, new.fields["id_number"], insuring_region)
    if existing is not None:
        raise DuplicateFiling(existing, reason="open_filing")
    try:
        with transaction.atomic():
            return case_create(InsuranceFiling, by=by, title=new.title, participants=new.participants, **new.fields)
    except IntegrityError:
        # A concurrent request filed the same person (or reference) first.
        existing = _existing_open(hospital, new.fields["id_number"], insuring_region) or (
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


BATCH_ATTEMPTS = 3


def insurance_filings_batch_create(*, by, items: list[dict]) -> list[BatchItemResult]:
    """Each item created, duplicate (with the existing filing) or invalid (with its errors),
    as if filed one after another in order: an item repeating an earlier one of the batch is a
    duplicate of it. Invalid and duplicate items store nothing; the created ones are written
    together by the engine's bulk path (cases_create_many), all or none of them."""
    if not can_file(by):
        raise PermissionDenied
    hospital = membership_of(by).organisation
    lookups = FilingLookups(items)
    results: dict[int, BatchItemResult] = {}
    valid: list[tuple[int, str, NewCase]] = []
    for index, item in enumerate(items):
        fields = dict(item)
        reference = str(fields.get("hospital_reference") or "")
        try:
            new = filing_to_create(
                hospital, fields, hospital_reference=fields.pop("hospital_reference", ""), lookups=lookups
            )
        except serializers.ValidationError as exc:
            results[index] = BatchItemResult(index, "invalid", reference, errors=exc.detail)
        else:
            valid.append((index, reference, new))
    for attempt in range(1, BATCH_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                results.update(_batch_file(by=by, hospital=hospital, valid=valid))
            break
        except IntegrityError:
            # A concurrent request filed one of these people (or references) first: the check
            # is run again and now sees it.
            if attempt == BATCH_ATTEMPTS:
                raise
            log.info("batch of %s filings met a concurrent filing; checking again", len(valid))
    return [results[index] for index in range(len(items))]


def _batch_file(*, by, hospital: Organisation, valid: list[tuple[int, str, NewCase]]) -> dict[int, BatchItemResult]:
    """The duplicate check of the whole batch in two queries, then one bulk creation."""
    references = {new.fields["hospital_reference"] for _index, _reference, new in valid} - {""}
    taken: dict[str, InsuranceFiling | int] = {}  # hospital reference → its filing, or position in `accepted`
    if references:
        # The exclude repeats the unique index's condition: past 100 values PostgreSQL no longer
        # proves that an IN list implies it, and scans all the hospital's filings instead.
        same_reference = (
            InsuranceFiling.objects.filter(originator=hospital, hospital_reference__in=references)
            .exclude(hospital_reference="")
            .only("id", "reference", "state", "hospital_reference")
            .order_by()
        )
        taken.update((filing.hospital_reference, filing) for filing in same_reference)
    open_filings: dict[tuple[str, str], InsuranceFiling | int] = {}  # (ID hash, insuring region) → the same
    today = timezone.localdate()
    hashes = {new.fields["id_number_hash"] for _index, _reference, new in valid}
    candidates = (
        InsuranceFiling.objects.filter(originator=hospital, id_number_hash__in=hashes)
        .only("id", "reference", "state", "valid_until", "id_number_hash", "insuring_region_id")
        .order_by("-id")
    )
    for filing in candidates:
        key = (filing.id_number_hash, filing.insuring_region_id)
        if key not in open_filings and _blocks_new_filing(filing, today):
            open_filings[key] = filing
    accepted: list[tuple[int, str, NewCase]] = []
    duplicates: list[tuple[int, str, str, InsuranceFiling | int]] = []
    for index, reference, new in valid:
        hospital_reference = new.fields["hospital_reference"]
        person = (new.fields["id_number_hash"], new.fields["insuring_region"].pk)
        if hospital_reference and hospital_reference in taken:
            duplicates.append((index, reference, "hospital_reference", taken[hospital_reference]))
        elif person in open_filings:
            duplicates.append((index, reference, "open_filing", open_filings[person]))
        else:
            if hospital_reference:
                taken[hospital_reference] = len(accepted)
            open_filings[person] = len(accepted)
            accepted.append((index, reference, new))
    filings = cases_create_many(InsuranceFiling, [new for _index, _reference, new in accepted], by=by)
    results = {
        index: BatchItemResult(index, "created", reference, filing=filing)
        for (index, reference, _new), filing in zip(accepted, filings, strict=True)
    }
    for index, reference, reason, existing in duplicates:
        existing = filings[existing] if isinstance(existing, int) else existing
        details = DuplicateFiling(existing, reason=reason).details["existing"]
        results[index] = BatchItemResult(index, "duplicate", reference, existing=details)
    return results


# --- opening a filing: every access recorded ---------------------------------------------------


def filing_access_record(filing, *, by, action: str, reason: str = "") -> None:
    personal_data_access_record(filing, by=by, action=action, reason=reason)


def insurance_filing_open(*, by, pk, action: str = Action.OPEN) -> InsuranceFiling:
    """The filing, for its hospital or insuring centre (404 for everybody else); recorded."""
    filing = case_for_user(by, InsuranceFiling, pk)
    filing_access_record(filing, by=by, action=action)
    return filing


def insurance_filing_unmask(*, by, pk, reason: str) -> dict:
    """The full ID and phone numbers, for a person with the unmask permission in the filing's
    hospital or insuring centre, who states why; recorded with the reason."""
    filing = case_for_user(by, InsuranceFiling, pk)
    if not can_unmask(by, filing):
        raise PermissionDenied
    if not (reason or "").strip():
        raise Invalid(_("Say why you need the full numbers."), details={"reason": [_("This field is required.")]})
    filing_access_record(filing, by=by, action=Action.UNMASK, reason=reason.strip())
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
    filing_access_record(filing, by=by, action=Action.ATTACHMENT)
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
        except DomainError as exc:
            results.append({"id": pk, "result": "refused", "code": exc.error_code, "message": str(exc.detail)})
        else:
            results.append({"id": pk, "result": "approved", "reference": filing.reference})
    return results


# --- the receipt (备案回执) --------------------------------------------------------------------

RECEIPT_READY = events.DOCUMENT_READY  # emitted when a receipt's PDF is stored (the hospital is told)


def verify_url(digest: str) -> str:
    from coordination import verification

    return verification.verify_url(digest)


def receipt_record(token: str, user):
    """Receipts in the one verification (coordination/verification): found by the code their
    QR carries (the content digest) or the SHA-256 of the PDF; no personal numbers."""
    from django.db.models import Q
    from django.urls import reverse

    from coordination import verification

    if not verification.HEX_RE.match(token):
        return None
    filing = (
        InsuranceFiling.objects.defer("id_number", "phone")
        .select_related("originator", "insuring_centre")
        .exclude(receipt_digest="")
        .filter(Q(receipt_digest=token) | Q(receipt_sha256=token))
        .first()
    )
    if filing is None:
        return None
    in_force = filing.state == InsuranceFiling.S.APPROVED
    may_download = (
        in_force
        and user is not None
        and user.is_authenticated
        and visible_cases(user, InsuranceFiling).filter(pk=filing.pk).exists()
    )
    validity = f"{filing.effective_from:%Y-%m-%d} – {filing.valid_until:%Y-%m-%d}" if filing.effective_from else ""
    return verification.Record(
        kind_zh="异地就医备案回执",
        kind_en="cross-region medical-insurance filing receipt",
        title=f"{filing.patient_name_masked} · {filing.get_filing_type_display()}",
        number=filing.reference,
        issuer_zh=filing.insuring_centre.name_zh,
        issuer_en=filing.insuring_centre.name_en,
        issued_at=filing.decided_at or filing.updated_at,
        sha256=filing.receipt_sha256,
        status="valid" if in_force else "revoked",
        revocation_reason="" if in_force else filing.get_state_display(),
        download_url=reverse("insurance-filing-receipt", args=[filing.pk]) if may_download else None,
        extra=(
            (_("Treating hospital"), filing.originator.name),
            (_("Valid"), validity),
        ),
    )


def insurance_receipt_pdf(*, by, pk) -> InsuranceFiling:
    """The approved filing with its receipt PDF (rendered by a Celery task after approval, or
    here on first request if the task has not stored it yet); 404 before approval and for
    anybody but the hospital and the centre. Recorded."""
    filing = case_for_user(by, InsuranceFiling, pk)
    if filing.state != InsuranceFiling.S.APPROVED:
        raise Http404
    filing_access_record(filing, by=by, action=Action.RECEIPT)
    if filing.receipt_pdf:
        return filing
    return insurance_receipt_render(filing, by=by)


def insurance_receipt_render_after_approval(event) -> None:
    """After-commit subscriber of CASE_TRANSITIONED (the mechanism's apps.py): an approved
    filing's receipt is queued for rendering, so the hospital's first download is instant."""
    payload = event.payload
    if payload.get("model") == InsuranceFiling._meta.label_lower and payload.get("state") == InsuranceFiling.S.APPROVED:
        transaction.on_commit(lambda: insurance_receipt_enqueue(payload["id"]))


def insurance_receipt_enqueue(filing_id: int) -> None:
    """Hand the render to Celery; a broker that is down only means the first download renders it."""
    from coordination.mechanisms.insurance.tasks import render_insurance_receipt

    try:
        render_insurance_receipt.apply_async((filing_id,), retry=False)
    except Exception:
        log.warning("receipt of filing %s left for its first download: broker unavailable", filing_id, exc_info=True)


def insurance_receipt_render_queued(filing_id: int) -> InsuranceFiling | None:
    """The queued render (the Celery task calls this): None when the filing is no longer
    approved or its receipt is stored already."""
    filing = (
        InsuranceFiling.objects.select_related("originator", "insuring_centre")
        .filter(pk=filing_id, state=InsuranceFiling.S.APPROVED)
        .first()
    )
    if filing is None or filing.receipt_pdf:
        return None
    return insurance_receipt_render(filing)


def receipt_context(filing: InsuranceFiling) -> dict:
    """What the receipt's template (insurance/receipt.html) is given; call in zh-hans."""
    from coordination import documents

    digest = filing.receipt_digest or filing.receipt_digest_compute()
    return {
        "filing": filing,
        "content": filing.receipt_content(),
        "digest": digest,
        "digest_grouped": " ".join(digest[i : i + 16] for i in range(0, 64, 16)),
        "qr_svg": documents.qr_svg(verify_url(digest)),
        "pitch": "28.000pt",
        "filing_type": filing.get_filing_type_display(),
        "insurance_type": filing.get_insurance_type_display(),
        "sex": filing.get_sex_display(),
    }


def insurance_receipt_render(filing: InsuranceFiling, *, by=None) -> InsuranceFiling:
    """Render the receipt through the registered official-document renderer and store it
    once; the render that stores it emits DOCUMENT_READY (`by`, if a person's download caused
    it, is not told what they already hold)."""
    from django.urls import reverse

    from coordination import documents
    from coordination.trust.pdf import sign_pdf
    from coordination.workflow.engine import case_event_payload, outbox_emit

    digest = filing.receipt_digest or filing.receipt_digest_compute()
    with translation.override("zh-hans"):
        context = receipt_context(filing)
        rendered = documents.renderer().render_template("insurance/receipt.html", context)
    # Signed by the centre that approved it, its seal over the date (coordination/trust).
    pdf = sign_pdf(
        rendered.pdf,
        filing.insuring_centre,
        seals=rendered.anchors,
        reason=f"备案回执 {filing.reference}",
        location=filing.insuring_centre.name_zh,
    )
    with transaction.atomic():
        locked = InsuranceFiling.objects.select_for_update().get(pk=filing.pk)
        if not locked.receipt_pdf:
            locked.receipt_pdf.save(f"{locked.reference}.pdf", ContentFile(pdf), save=False)
            locked.receipt_sha256 = hashlib.sha256(pdf).hexdigest()
            locked.receipt_digest = digest
            InsuranceFiling.objects.filter(pk=locked.pk).update(
                receipt_pdf=locked.receipt_pdf.name, receipt_sha256=locked.receipt_sha256, receipt_digest=digest
            )
            outbox_emit(
                RECEIPT_READY,
                case=locked,
                payload=case_event_payload(
                    locked,
                    link=reverse("insurance-filing-receipt", args=[locked.pk]),
                    document_zh="备案回执",
                    document_en="filing receipt",
                    notify_roles=[Participant.Role.ORIGINATOR],
                    actor=by.pk if by is not None else None,
                ),
            )
        filing.receipt_pdf, filing.receipt_sha256 = locked.receipt_pdf, locked.receipt_sha256
        filing.receipt_digest = locked.receipt_digest
    return filing
