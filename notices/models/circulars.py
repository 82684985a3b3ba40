"""Circulars (通知/通报): official documents in the national format (GB/T 9704-2012).

A circular is numbered `沪苏浙皖联防〔2026〕3号` — its issuer's code, the full year in
U+3014/U+3015 brackets, a sequence without leading zeros and 号 — gap-free per issuer and year
(`CircularNumberSequence`, incremented under a row lock in the transaction that issues it).
The PDF is rendered off the request path (notices/circulars/tasks.py) and stored with its
SHA-256; the QR code printed on page 1 carries `content_sha256`, the digest of what the
document says, since a file cannot contain its own hash.
"""

import re

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.models import Organisation

DOCUMENT_NUMBER_RE = re.compile(r"^[\u4e00-\u9fa5]+〔\d{4}〕[1-9]\d*号$")
ISSUER_CODE_RE = re.compile(r"^[\u4e00-\u9fa5]+$")

validate_document_number = RegexValidator(
    DOCUMENT_NUMBER_RE, _("A document number reads like 沪苏浙皖联防〔2026〕3号."), code="invalid_document_number"
)
validate_issuer_code = RegexValidator(
    ISSUER_CODE_RE, _("An issuer code is written in Chinese characters only, e.g. 苏联防."), code="invalid_issuer_code"
)


def format_document_number(code: str, year: int, sequence: int) -> str:
    return f"{code}〔{year}〕{sequence}号"


def format_chinese_date(day) -> str:
    """成文日期 as GB/T 9704 writes it: full year, no leading zeros (2026年3月10日)."""
    return f"{day.year}年{day.month}月{day.day}日"


class IssuingBody(models.Model):
    """How an organisation appears on its circulars: the red mark (发文机关标志) and the code
    in its document numbers (发文机关代字). Created with defaults on first issue; an
    administrator may change both (numbers already issued keep the code they were given)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="issuing_body"
    )
    mark = models.CharField(_("issuing-body mark"), max_length=40)
    code = models.CharField(_("issuer code"), max_length=16, validators=[validate_issuer_code])
    # 联合行文: the organisations in whose joint name this body issues (the Office for the four
    # regions); their marks head its circulars and each signs. Empty: it issues alone.
    joint_issuers = models.ManyToManyField(Organisation, related_name="+", blank=True, verbose_name=_("joint issuers"))

    class Meta:
        verbose_name = _("issuing body")
        verbose_name_plural = _("issuing bodies")

    def __str__(self):
        return f"{self.mark} ({self.code})"


class CircularNumberSequence(models.Model):
    """The last sequence number given per issuer and year: gap-free because it is incremented
    under a row lock in the transaction that issues the circular."""

    issuer = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="unique_circular_number_sequence")]

    def __str__(self):
        return f"{self.issuer_id}/{self.year}: {self.last}"


class CircularStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_SIGN_OFF = "awaiting_sign_off", _("Awaiting sign-off")
    RENDERING = "rendering", _("Rendering")
    ISSUED = "issued", _("Issued")
    FAILED = "failed", _("Rendering failed")


# Numbered and sent: the addressees see these; drafts only the issuing organisation.
PUBLISHED_STATUSES = (CircularStatus.RENDERING, CircularStatus.ISSUED, CircularStatus.FAILED)


def circular_pdf_path(circular, filename: str) -> str:
    return f"circulars/{circular.year}/{circular.pk}-{circular.sha256[:16]}.pdf"


class Circular(models.Model):
    Status = CircularStatus

    issuer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="circulars_issued", verbose_name=_("issuer")
    )
    # The issuer's mark and code when it was issued (IssuingBody may change later).
    issuer_mark = models.CharField(_("issuing-body mark"), max_length=40, blank=True)
    issuer_code = models.CharField(_("issuer code"), max_length=16, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    document_number = models.CharField(
        _("document number"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_document_number],
    )
    title = models.CharField(_("title"), max_length=120)
    # 主送机关 as printed; the organisations behind it decide who sees a circular without a case.
    addressee_line = models.CharField(_("addressees"), max_length=300)
    addressees = models.ManyToManyField(
        Organisation, related_name="circulars_received", blank=True, verbose_name=_("addressee organisations")
    )
    body = models.TextField(_("body"))
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    signature = models.CharField(_("signature"), max_length=60)
    signed_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    copy_to = models.CharField(_("copy to"), max_length=300, blank=True)
    printed_by = models.CharField(_("printing organisation"), max_length=60)
    printed_on = models.DateField(_("printing date"))

    # The case it belongs to, if any: whoever sees the case sees the circular.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    case = GenericForeignKey("content_type", "object_id")

    # 联合行文: the marks heading it and the organs signing it, as issued (empty: the issuer's).
    issuer_marks = models.JSONField(_("issuing-body marks"), default=list, blank=True)
    signatures = models.JSONField(_("signatures"), default=list, blank=True)
    # The issued document this one replaces (an amended measure is a new, numbered document).
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("replaces"),
    )

    status = models.CharField(_("status"), max_length=20, choices=CircularStatus.choices, default=CircularStatus.DRAFT)
    # 签发: who signed it off, when, with what comment. A circular issued first (an emergency
    # whose mechanism allows it) is signed off afterwards (补签) by `sign_off_due`.
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    sign_off_comment = models.CharField(_("sign-off comment"), max_length=500, blank=True)
    sign_off_due = models.DateTimeField(_("sign-off due"), null=True, blank=True)
    sign_off_escalated_at = models.DateTimeField(_("late sign-off escalated"), null=True, blank=True)
    # The short code printed beside the QR code; /documents/verify/<code>/ finds it.
    verification_code = models.CharField(_("verification code"), max_length=16, unique=True, null=True, blank=True)
    # The key(s) that signed its PDF: one per signing organ of a joint document, comma-separated.
    signing_key_id = models.CharField(_("signing keys"), max_length=200, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    failure_reason = models.TextField(_("reason for failure"), blank=True)
    render_attempts = models.PositiveSmallIntegerField(_("render attempts"), default=0)
    render_queued_at = models.DateTimeField(_("render queued"), null=True, blank=True)
    content_sha256 = models.CharField(_("content digest"), max_length=64, blank=True, db_index=True)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True, db_index=True)
    pdf = models.FileField(_("PDF"), upload_to=circular_pdf_path, blank=True)
    pdf_size = models.PositiveIntegerField(_("PDF size"), null=True, blank=True)
    page_count = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("circular")
        verbose_name_plural = _("circulars")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year", "sequence"], name="unique_circular_sequence"),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="circular_case"),
            models.Index(fields=["status", "render_queued_at"], name="circular_render_queue"),
            models.Index(fields=["sign_off_due"], name="circular_sign_off_due"),
        ]

    def __str__(self):
        return f"{self.document_number or _('(draft)')} {self.title}"

    @property
    def signed_on_display(self) -> str:
        return format_chinese_date(self.signed_on)

    @property
    def printed_on_display(self) -> str:
        return format_chinese_date(self.printed_on)

    @property
    def is_numbered(self) -> bool:
        """Issued (or being rendered, or failed to render): what its addressees may see."""
        return self.status in PUBLISHED_STATUSES

    @property
    def download_filename(self) -> str:
        return f"{self.document_number or 'circular'} {self.title}.pdf"
