"""Keys over time: rotation keeps old documents verifying, revocation and expiry are reported."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from coordination.trust.models import SigningKey
from coordination.trust.pdf import sign_pdf, verify_pdf
from coordination.trust.services import SigningKeyError, active_key, key_create, key_revoke, key_rotate, root_key
from tests.trust.conftest import SEAL_BOX


def test_a_document_signed_by_a_revoked_key_reports_revoked(js_office, small_pdf):
    signed = sign_pdf(small_pdf(1), js_office, seals=[SEAL_BOX])
    kid = active_key(js_office).kid
    key_revoke(kid=kid, reason="私钥泄露")
    result = verify_pdf(signed)
    assert result.intact and not result.valid
    assert (result.key_status, result.revocation_reason) == ("revoked", "私钥泄露")
    assert result.revoked_at is not None
    assert any("revoked" in p for p in result.problems)
    # The organisation's next document gets a new key.
    assert active_key(js_office).kid != kid
    assert verify_pdf(sign_pdf(small_pdf(1), js_office)).valid


def test_after_rotation_old_documents_verify_and_new_ones_use_the_new_kid(js_office, small_pdf):
    old_kid = active_key(js_office).kid
    old_document = sign_pdf(small_pdf(1), js_office, seals=[SEAL_BOX])
    new_key = key_rotate(organisation=js_office)
    assert new_key.kid != old_kid and active_key(js_office) == new_key
    assert SigningKey.objects.get(kid=old_kid).retired_at is not None
    old, new = verify_pdf(old_document), verify_pdf(sign_pdf(small_pdf(1), js_office, seals=[SEAL_BOX]))
    assert old.valid and old.kid == old_kid
    assert new.valid and new.kid == new_key.kid


def test_a_document_whose_key_expired_reports_expired(js_office, small_pdf):
    signed = sign_pdf(small_pdf(1), js_office)
    key = active_key(js_office)
    with time_machine.travel(key.valid_until + timedelta(days=1)):
        result = verify_pdf(signed)
    assert result.intact and not result.valid
    assert result.key_status == "expired"
    assert any("expired" in p for p in result.problems)


def test_active_key_replaces_a_key_near_its_expiry(js_office, settings):
    key = active_key(js_office)
    with time_machine.travel(key.valid_until - timedelta(days=settings.SIGNING_KEY_RENEW_DAYS - 1)):
        renewed = active_key(js_office)
    assert renewed.kid != key.kid
    assert SigningKey.objects.get(kid=key.kid).retired_at is not None


def test_active_key_makes_the_root_and_the_key_once(js_office):
    assert active_key(js_office, create=False) is None
    first = active_key(js_office)
    assert active_key(js_office) == first
    assert SigningKey.objects.filter(is_root=True).count() == 1
    assert first.issuer == root_key()
    assert first.certificate.issuer == root_key().certificate.subject


def test_the_certificate_names_the_organisation_and_carries_the_kid(js_office):
    from cryptography import x509

    from coordination.trust.crypto import kid_serial_number

    key = active_key(js_office)
    subject = key.certificate.subject
    assert subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == "江苏省测试联络办"
    assert subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)[0].value == "江苏省测试联络办"
    assert subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)[0].value == key.kid
    assert key.certificate.serial_number == kid_serial_number(key.kid)
    root_subject = root_key().certificate.subject
    assert root_subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == "长三角区域合作办公室"
    assert key.certificate.not_valid_after_utc <= root_key().certificate.not_valid_after_utc


def test_the_root_is_named_after_the_office_when_there_is_one(db):
    from cryptography import x509

    from coordination.models import Organisation
    from tests.factories import OrganisationFactory

    OrganisationFactory(
        code="t-office",
        name_zh="长三角区域合作测试办公室",
        kind=Organisation.Kind.COOPERATION_OFFICE,
        region_id=None,
        city_id=None,
    )
    names = root_key().certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    assert names[0].value == "长三角区域合作测试办公室"


def test_the_root_cannot_be_revoked_and_a_revocation_needs_a_reason(js_office):
    with pytest.raises(SigningKeyError, match="root"):
        key_revoke(kid=root_key().kid, reason="test")
    with pytest.raises(SigningKeyError, match="reason"):
        key_revoke(kid=active_key(js_office).kid, reason="  ")
    with pytest.raises(SigningKeyError):
        key_revoke(kid="NOSUCHKID0000000", reason="test")


def test_key_create_refuses_a_second_current_key(js_office):
    key_create(organisation=js_office)
    with pytest.raises(SigningKeyError, match="rotate"):
        key_create(organisation=js_office)
    with pytest.raises(SigningKeyError):
        key_create(root=True)


def test_the_database_holds_one_current_key_per_organisation(js_office):
    from django.db import IntegrityError, transaction

    key = active_key(js_office)
    with pytest.raises(IntegrityError), transaction.atomic():
        SigningKey.objects.create(
            organisation=js_office,
            issuer=root_key(),
            kid="AAAAAAAAAAAAAAAA",
            certificate_pem=key.certificate_pem,
            private_key_encrypted="v1:x",
            valid_from=timezone.now(),
            valid_until=timezone.now() + timedelta(days=1),
        )
