"""INS: cross-region medical-insurance filing (医保异地备案). A hospital (the treating side)
files for a patient insured in another region; that region's medical-insurance centre approves
it, returns it for correction or rejects it, the same working day (emergencies: two hours).

It is configuration of the *request–review* pattern (`ReviewCase` in
coordination/workflow/patterns.py) plus its own fields. ID and phone numbers are
encrypted at rest, searched by keyed hash and shown masked; only the filing hospital and the
insuring centre may open a filing (its declaration's `visible_to_rule_viewers = False`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase
from rest_framework import serializers

from coordination.models.organisations import Organisation
from coordination.models.participants import Participant
from coordination.models.regions import Region
from coordination.pii import idcard
from coordination.pii.fields import EncryptedCharField
from coordination.workflow.patterns import ReviewCase

Role = Participant.Role


# --- reference tables -------------------------------------------------------------------------


class Diagnosis(models.Model):
    """An ICD-10 code hospitals may file (seeded by migration; administrators add more)."""

    code = models.CharField(_("ICD-10 code"), max_length=8, primary_key=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=128)
    name_en = models.CharField(_("name (English)"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("diagnosis (ICD-10)")
        verbose_name_plural = _("diagnoses (ICD-10)")

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "zh-hans").startswith("en") else self.name_zh


# --- the filing -------------------------------------------------------------------------------


class InsuranceType(models.TextChoices):
    EMPLOYEE = "employee", _("Employee basic medical insurance")
    RESIDENT = "resident", _("Urban and rural resident basic medical insurance")


class FilingType(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency treatment")
    REFERRAL = "referral", _("Referral")
    LONG_TERM_RESIDENCE = "long_term_residence", _("Long-term residence elsewhere")
    TEMPORARY_WORK = "temporary_work", _("Temporary work elsewhere")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class RejectionReason(models.TextChoices):
    NOT_INSURED = "not_insured", _("Not insured in this region")
    INSURANCE_SUSPENDED = "insurance_suspended", _("Insurance suspended or in arrears")
    ALREADY_FILED = "already_filed", _("Already filed elsewhere")
    NOT_ELIGIBLE = "not_eligible", _("Filing type not eligible")
    DOCUMENTS_INVALID = "documents_invalid", _("Supporting documents invalid")
    OTHER = "other", _("Other")


# Fields a reviewer may ask the hospital to correct, and the hospital may change on resubmitting.
CORRECTABLE_FIELDS = (
    "patient_name",
    "id_number",
    "sex",
    "birth_date",
    "insurance_type",
    "filing_type",
    "diagnosis",
    "admission_date",
    "phone",
    "attachments",
)


class ApprovalPayload(serializers.Serializer):
    effective_from = serializers.DateField(label=_("Effective from"))
    valid_until = serializers.DateField(label=_("Valid until"))

    def validate(self, attrs):
        if attrs["valid_until"] < attrs["effective_from"]:
            raise serializers.ValidationError({"valid_until": _("The filing cannot end before it starts.")})
        return attrs


class FieldNames(serializers.MultipleChoiceField):
    """A list of field names, or one comma-separated string (as a page's form sends it)."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = [name.strip() for name in data.split(",") if name.strip()]
        return super().to_internal_value(data)


class ReturnPayload(serializers.Serializer):
    return_reason = serializers.CharField(label=_("Reason"), max_length=2000)
    fields_to_correct = FieldNames(label=_("Fields to correct (comma-separated)"), choices=CORRECTABLE_FIELDS)

    def validate_fields_to_correct(self, value):
        if not value:
            raise serializers.ValidationError(_("Name at least one field to correct."))
        return sorted(value)


class RejectionPayload(serializers.Serializer):
    reject_reason_code = serializers.ChoiceField(label=_("Reason code"), choices=RejectionReason.choices)
    return_reason = serializers.CharField(label=_("Reason"), max_length=2000, required=False, allow_blank=True)


class FilingCorrection(serializers.Serializer):
    """The fields a hospital may correct when resubmitting (validated together with the rest
    of the filing by the service's validation rules)."""

    patient_name = serializers.CharField(max_length=64, required=False)
    id_number = serializers.CharField(max_length=32, required=False)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    birth_date = serializers.DateField(required=False)
    insurance_type = serializers.ChoiceField(choices=InsuranceType.choices, required=False)
    filing_type = serializers.ChoiceField(choices=FilingType.choices, required=False)
    diagnosis = serializers.CharField(max_length=8, required=False)
    admission_date = serializers.DateField(required=False)
    phone = serializers.CharField(max_length=20, required=False)

    def validate(self, attrs):
        from coordination.mechanisms.insurance.validation import validate_filing_fields

        return validate_filing_fields(attrs, instance=self.context["case"])


class InsuranceFiling(ReviewCase):
    InsuranceType = InsuranceType
    FilingType = FilingType
    Sex = Sex
    RejectionReason = RejectionReason

    hospital_reference = models.CharField(_("hospital reference"), max_length=64, blank=True)
    patient_name = models.CharField(_("patient name"), max_length=64)
    id_number = EncryptedCharField(_("ID number"), purpose="insurance.id_number")
    id_number_hash = models.CharField(_("ID number search hash"), max_length=64, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    insurance_type = models.CharField(_("insurance type"), max_length=16, choices=InsuranceType.choices)
    # Foreign keys without an index of their own where a composite index below (or none: a
    # city, a diagnosis are only filtered on inside a centre's queue) serves: every index costs
    # each ingested filing a write, and Django's char-key indexes come with a second `_like` one
    # nothing here uses (bench/insurance.py: 29 indexes on this table before).
    insuring_city = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("insuring city"), db_index=False
    )
    insuring_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("insuring region"), db_index=False
    )
    insuring_centre = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("insuring medical-insurance centre"),
        db_index=False,
    )
    filing_type = models.CharField(_("filing type"), max_length=24, choices=FilingType.choices)
    diagnosis = models.ForeignKey(
        Diagnosis, on_delete=models.PROTECT, related_name="+", verbose_name=_("diagnosis"), db_index=False
    )
    admission_date = models.DateField(_("admission date"))
    treating_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("treating region"), db_index=False
    )
    treating_city = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("treating city"), db_index=False
    )
    phone = EncryptedCharField(_("contact phone"), purpose="insurance.phone")
    phone_hash = models.CharField(_("phone search hash"), max_length=64, editable=False)
    phone_masked = models.CharField(_("contact phone"), max_length=20, editable=False)
    # The decision:
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    reject_reason_code = models.CharField(
        _("rejection reason"), max_length=24, choices=RejectionReason.choices, blank=True
    )
    # The receipt (备案回执): its content digest is fixed at approval and printed as a QR code;
    # the PDF is rendered on first download and kept with its SHA-256.
    receipt_digest = models.CharField(_("receipt code"), max_length=64, blank=True)
    receipt_pdf = models.FileField(_("receipt"), upload_to="insurance/receipts/%Y/%m/", blank=True)
    receipt_sha256 = models.CharField(_("receipt SHA-256"), max_length=64, blank=True)

    class Meta(ReviewCase.Meta):
        verbose_name = _("insurance filing")
        verbose_name_plural = _("insurance filings")
        permissions = [("unmask_insurancefiling", _("Can see full ID and phone numbers of filings"))]
        indexes = [
            *ReviewCase.Meta.indexes,
            # The centre's queue (first page by deadline) and the hospital's "my filings".
            models.Index(fields=["insuring_centre", "state", "due_at", "id"], name="insfiling_queue"),
            models.Index(fields=["originator", "-created_at", "-id"], name="insfiling_hospital"),
            models.Index(fields=["id_number_hash"], name="insfiling_id_hash"),
            models.Index(fields=["phone_hash"], name="insfiling_phone_hash"),
            # A regional leader's briefing finds the region's filings by these (briefing/core.py).
            models.Index(fields=["insuring_region"], name="insfiling_insuring_region"),
            models.Index(fields=["treating_region"], name="insfiling_treating_region"),
            # Verifying a receipt's QR code; only approved filings have one.
            models.Index(fields=["receipt_digest"], name="insfiling_receipt", condition=~models.Q(receipt_digest="")),
        ]
        constraints = [
            # One open filing per person, insuring region and treating hospital (race-safe).
            models.UniqueConstraint(
                fields=["id_number_hash", "insuring_region", "originator"],
                condition=models.Q(state__in=["submitted", "returned"]),
                name="insfiling_one_open",
            ),
            models.UniqueConstraint(
                fields=["originator", "hospital_reference"],
                condition=~models.Q(hospital_reference=""),
                name="insfiling_hospital_reference",
            ),
        ]

    def save(self, *args, **kwargs):
        self.refresh_search_columns()
        super().save(*args, **kwargs)

    def refresh_search_columns(self):
        from coordination.pii import crypto

        self.id_number_hash = crypto.search_hash(self.id_number, purpose="insurance.id_number")
        self.id_number_masked = idcard.mask(self.id_number)
        self.phone_hash = crypto.search_hash(self.phone, purpose="insurance.phone")
        self.phone_masked = idcard.mask_phone(self.phone)

    @property
    def patient_name_masked(self) -> str:
        return idcard.mask_name(self.patient_name or "")

    @property
    def is_emergency_covid(self) -> bool:
        from coordination.mechanisms.insurance.icd10 import COVID_CODES

        return self.filing_type == FilingType.EMERGENCY and self.diagnosis_id in COVID_CODES

    def deadline_on_entering(self, state, now, *, working_day=None):
        # Emergencies within two hours; otherwise the catalogue's same working day (a per-filing
        # time limit overrides both).
        if state in self.timed_states and self.time_limit is None and self.filing_type == FilingType.EMERGENCY:
            return now + settings.INSURANCE_EMERGENCY_TIME_LIMIT
        return super().deadline_on_entering(state, now, working_day=working_day)

    def decision_recorded(self, ctx, outcome: str) -> None:
        if outcome == self.S.APPROVED:
            self.receipt_digest = self.receipt_digest_compute()

    def receipt_content(self) -> dict:
        """What the receipt certifies; its canonical SHA-256 is the code the QR carries."""
        from django.utils import timezone

        return {
            "reference": self.reference,
            "patient_name": self.patient_name,
            "id_number": idcard.mask(self.id_number),
            "insurance_type": self.insurance_type,
            "filing_type": self.filing_type,
            "diagnosis": self.diagnosis_id,
            "hospital": self.originator.name_zh,
            "centre": self.insuring_centre.name_zh,
            "effective_from": str(self.effective_from or ""),
            "valid_until": str(self.valid_until or ""),
            "decided_on": str(timezone.localdate(self.decided_at)) if self.decided_at else "",
        }

    def receipt_digest_compute(self) -> str:
        import hashlib
        import json

        canonical = json.dumps(self.receipt_content(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def record_correction(self, data: dict) -> dict:
        # The audit trail is read by both sides for years: it keeps masks, never the numbers.
        record = {"corrected": sorted(data), "resubmission": self.resubmissions + 1}
        if "id_number" in data:
            record["id_number"] = idcard.mask(data["id_number"])
        if "phone" in data:
            record["phone"] = idcard.mask_phone(data["phone"])
        return record


class FilingAttachment(models.Model):
    class Kind(models.TextChoices):
        REFERRAL_LETTER = "referral_letter", _("Referral letter")
        DIAGNOSIS_CERTIFICATE = "diagnosis_certificate", _("Diagnosis certificate")
        OTHER = "other", _("Other")

    filing = models.ForeignKey(InsuranceFiling, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="insurance/attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=32)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("filing attachment")
        verbose_name_plural = _("filing attachments")

    def __str__(self):
        return self.original_name


class InsuranceFilingGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct-foreign-key permission table for insurance filings."""

    content_object = models.ForeignKey(InsuranceFiling, on_delete=models.CASCADE)
