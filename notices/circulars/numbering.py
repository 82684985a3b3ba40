"""Document numbers (发文字号): `沪苏浙皖联防〔2026〕3号`, gap-free per issuer and year.

The counter row of the issuer and year is locked (`select_for_update`) and incremented in the
transaction that issues the circular, as coordination's ReferenceSequence does for cases: two
circulars issued at once get consecutive numbers, and a rolled-back issue gives its number
back. A number, once committed, belongs to a circular for good (a failed render keeps it).
"""

from django.db import transaction

from coordination.models import Organisation
from notices.models.circulars import (
    CircularNumberSequence,
    IssuingBody,
    format_document_number,
    validate_document_number,
)

OFFICE_CODE = "沪苏浙皖联防"
# 发文机关代字 after the region's one-character abbreviation (苏, 沪, 浙, 皖).
KIND_CODES = {
    Organisation.Kind.LIAISON_OFFICE: "联防",
    Organisation.Kind.LEADING_GROUP: "防控",
    Organisation.Kind.HEALTH_COMMISSION: "卫",
    Organisation.Kind.TRANSPORT_DEPARTMENT: "交",
    Organisation.Kind.INSURANCE_CENTRE: "医保",
    Organisation.Kind.HOSPITAL: "医",
}


def default_issuer_code(organisation: Organisation) -> str:
    if organisation.is_cooperation_office or organisation.region_id is None:
        return OFFICE_CODE
    return f"{organisation.region.plate_prefix[:1]}{KIND_CODES.get(organisation.kind, '联防')}"


def issuing_body_for(organisation: Organisation) -> IssuingBody:
    """The organisation's mark and code, created with defaults the first time it issues."""
    body, _created = IssuingBody.objects.get_or_create(
        organisation=organisation,
        defaults={"mark": organisation.name_zh, "code": default_issuer_code(organisation)},
    )
    return body


def allocate_document_number(issuer: Organisation, year: int) -> tuple[str, int, str]:
    """(issuer code, sequence, document number) for the next circular of the issuer in the
    year. Call inside the transaction that issues it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document numbers are allocated inside the transaction that issues the circular")
    code = issuing_body_for(issuer).code
    sequence, _created = CircularNumberSequence.objects.select_for_update().get_or_create(issuer=issuer, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    number = format_document_number(code, year, sequence.last)
    validate_document_number(number)
    return code, sequence.last, number
