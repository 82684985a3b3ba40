"""A signed PDF: PAdES, the seal where asked, validated by pyHanko, verify_pdf and a reader."""

import io
import json
import shutil
import subprocess

import pytest
from asn1crypto import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from coordination.trust.models import SigningKey
from coordination.trust.pdf import sign_pdf, verify_pdf
from coordination.trust.services import active_key, root_key
from coordination.trust.trust_list import signed_trust_list
from tests.trust.conftest import SEAL_BOX, byte_range


@pytest.fixture
def signed(js_office, small_pdf):
    return sign_pdf(small_pdf(2), js_office, seals=[SEAL_BOX], reason="签发", location="南京")


def test_pyhankos_validator_finds_a_trusted_intact_pades_signature(signed):
    root = x509.Certificate.load(root_key().certificate.public_bytes(serialization.Encoding.DER))
    (embedded,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[root], allow_fetching=False))
    assert status.bottom_line
    assert status.intact and status.valid and status.trusted
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert status.md_algorithm == "sha256"
    assert status.signing_cert.public_key.algorithm == "ec"
    assert embedded.sig_object["/Reason"] == "签发"
    assert embedded.sig_object["/Location"] == "南京"
    # PAdES baseline: the signing certificate is a signed attribute, the time is not (it is /M).
    attributes = [a["type"].native for a in embedded.signer_info["signed_attrs"]]
    assert attributes == ["content_type", "message_digest", "signing_certificate_v2"]
    # The chain is embedded: the issuer's certificate and the root's.
    assert len(embedded.signed_data["certificates"]) == 2


def test_verify_pdf_reports_the_signer_and_a_valid_key(signed, js_office):
    result = verify_pdf(signed)
    assert result.valid, result.problems
    assert (result.signed, result.intact, result.trusted, result.key_status) == (True, True, True, "valid")
    assert result.organisation_name == "江苏省测试联络办"
    assert result.organisation_id == js_office.pk
    assert result.kid == active_key(js_office).kid
    assert result.signed_at is not None
    assert result.problems == []
    assert len(result.document_sha256) == 64


def test_verify_pdf_against_the_database_costs_a_query_per_signature(signed, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert verify_pdf(signed).valid


def test_verifying_needs_no_signing_secret(signed, settings):
    settings.DEBUG, settings.SIGNING_KEYS_SECRET = False, ""
    assert verify_pdf(signed).valid


def test_verify_pdf_checks_a_downloaded_trust_list_offline(signed, django_assert_num_queries):
    downloaded = json.loads(json.dumps(signed_trust_list(), ensure_ascii=False))
    with django_assert_num_queries(0):
        result = verify_pdf(signed, trust_list=downloaded, root_certificate=downloaded["list"]["root"]["certificate"])
        assert result.valid, result.problems
        assert verify_pdf(signed, trust_list=downloaded).valid


def test_a_tampered_trust_list_is_not_used(signed):
    downloaded = signed_trust_list()
    downloaded["list"]["keys"][0]["valid_until"] = "2099-01-01T00:00:00Z"
    result = verify_pdf(signed, trust_list=downloaded)
    assert not result.valid
    assert result.key_status == "unknown"
    assert "signature" in result.problems[0]


def test_one_byte_changed_inside_the_signed_range_reports_altered(signed):
    start, length, _, _ = byte_range(signed)
    offset = signed.index(b"WeasyPrint")  # the producer's name: inside the first signed range
    assert start <= offset < start + length
    altered = signed[:offset] + b"X" + signed[offset + 1 :]
    result = verify_pdf(altered)
    assert result.signed and not result.intact and not result.valid
    assert "altered" in result.problems[0]


def test_a_change_in_a_page_content_stream_reports_altered(signed):
    offset = signed.index(b"stream", signed.index(b"/Length")) + 20  # inside a (compressed) stream
    assert offset < byte_range(signed)[1]
    altered = signed[:offset] + bytes([signed[offset] ^ 0xFF]) + signed[offset + 1 :]
    assert not verify_pdf(altered).intact


def test_an_update_appended_after_the_signature_is_not_intact(signed):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf (forged) Tj ET")))
    out = io.BytesIO()
    writer.write(out)
    result = verify_pdf(out.getvalue())
    assert result.signed and not result.intact and not result.valid


def test_the_seal_is_the_signature_widget_in_the_box_asked(signed):
    reader = PdfFileReader(io.BytesIO(signed))
    (embedded,) = reader.embedded_signatures
    widget = embedded.sig_field
    assert [float(v) for v in widget["/Rect"]] == list(SEAL_BOX[1])
    assert widget["/P"].get_object() == reader.root["/Pages"]["/Kids"][0].get_object()
    appearance = widget["/AP"]["/N"]
    seal = appearance["/Resources"]["/XObject"]["/Seal"]
    assert seal["/Resources"]["/ExtGState"]["/Ink"]["/BM"] == "/Multiply"
    drawing = seal.data
    assert b" rg " in drawing and b" f Q" in drawing  # red, and filled glyph outlines
    assert b"Tf" not in drawing  # no font: the lettering is outlines


def test_further_seal_boxes_are_drawn_on_their_pages_under_the_same_signature(js_office, small_pdf):
    signed = sign_pdf(small_pdf(2), js_office, seals=[SEAL_BOX, (1, (100, 100, 220, 220))])
    result = verify_pdf(signed)
    assert result.valid, result.problems
    second_page = PdfFileReader(io.BytesIO(signed)).root["/Pages"]["/Kids"][1].get_object()
    assert any(name.startswith("/SealExtra1") for name in second_page["/Resources"]["/XObject"])


def test_a_joint_document_is_signed_by_each_organisation_in_turn(js_office, sh_office, small_pdf):
    first = sign_pdf(small_pdf(1), js_office, seals=[(0, (300, 80, 420, 200))])
    joint = sign_pdf(first, sh_office, seals=[(0, (430, 80, 550, 200))])
    result = verify_pdf(joint)
    assert result.valid, result.problems
    assert [s.organisation_name for s in result.signatures] == ["江苏省测试联络办", "上海市测试联络办"]
    assert [s.covers_whole_file for s in result.signatures] == [False, True]
    assert all(s.intact and s.allowed_changes_only for s in result.signatures)
    with pytest.raises(ValueError, match="unsigned"):
        sign_pdf(first, sh_office, seals=[(0, (430, 80, 550, 200)), (0, (10, 10, 100, 100))])


def test_an_invisible_signature_without_seal_boxes(js_office, small_pdf):
    result = verify_pdf(sign_pdf(small_pdf(1), js_office))
    assert result.valid, result.problems


def test_the_signing_time_is_the_one_given(js_office, small_pdf):
    from datetime import UTC, datetime

    at = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    assert verify_pdf(sign_pdf(small_pdf(1), js_office, signed_at=at)).signed_at == at


@pytest.mark.parametrize("seals", [[(5, (0, 0, 100, 100))], [(0, (100, 100, 100, 200))]])
def test_a_seal_box_outside_the_document_is_refused(js_office, small_pdf, seals):
    with pytest.raises(ValueError):
        sign_pdf(small_pdf(1), js_office, seals=seals)


def test_an_unsigned_pdf_and_a_non_pdf_report_why(small_pdf, js_office):
    active_key(js_office)
    unsigned = verify_pdf(small_pdf(1))
    assert (unsigned.signed, unsigned.valid, unsigned.problems) == (
        False,
        False,
        ["The document carries no signature."],
    )
    garbage = verify_pdf(b"not a pdf at all")
    assert not garbage.signed and garbage.problems == ["The file is not a readable PDF."]


def test_a_document_signed_under_another_root_does_not_verify(js_office, small_pdf):
    signed = sign_pdf(small_pdf(1), js_office)
    SigningKey.objects.filter(is_root=False).delete()
    SigningKey.objects.filter(is_root=True).delete()  # another platform: a root of its own
    result = verify_pdf(signed)
    assert not result.valid
    assert result.key_status == "unknown"
    assert not result.trusted


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils' pdfsig is not installed")
def test_a_common_reader_finds_the_signature_valid(signed, tmp_path):
    """poppler (Evince, Okular…) checks the signature; it does not know our root, so it says so."""
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    output = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid" in output
    assert "Total document signed" in output
    assert "江苏省测试联络办" in output
