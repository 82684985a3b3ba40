"""verify_pdf's own check of sign_pdf's signatures (the CMS checked here, the chain validated by
pyHanko once per certificate and root): the same report as pyHanko's validator gives, and every
kind of damage still found."""

import dataclasses
import io
import json
from datetime import timedelta

import pytest
import time_machine
from asn1crypto import cms
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfStreamError

from coordination.models import Organisation
from coordination.trust import verify
from coordination.trust.models import SigningKey
from coordination.trust.pdf import sign_pdf, verify_pdf
from coordination.trust.services import active_key, key_revoke, root_key
from coordination.trust.trust_list import signed_trust_list
from tests.factories import OrganisationFactory
from tests.trust.conftest import SEAL_BOX, byte_range


@pytest.fixture(autouse=True)
def fresh_chain_cache():
    verify._trusted_chains.clear()
    yield
    verify._trusted_chains.clear()


@pytest.fixture
def pyhanko_calls(monkeypatch):
    """How many signatures went through pyHanko's full validator."""
    calls = []
    original = verify.validate_pdf_signature

    def counted(*args, **kwargs):
        calls.append(args[0].field_name)
        return original(*args, **kwargs)

    monkeypatch.setattr(verify, "validate_pdf_signature", counted)
    return calls


def by_pyhanko_alone(pdf: bytes, **kwargs):
    """verify_pdf as it was: every signature through pyHanko's validator."""
    original = verify._plain_verdict
    verify._plain_verdict = lambda *args: None
    try:
        return verify_pdf(pdf, **kwargs)
    finally:
        verify._plain_verdict = original


def assert_as_pyhanko_reports(pdf: bytes, **kwargs):
    """verify_pdf's report, checked equal to pyHanko's validator's (the chain known by then)."""
    expected = by_pyhanko_alone(pdf, **kwargs)
    result = verify_pdf(pdf, **kwargs)
    assert dataclasses.asdict(result) == dataclasses.asdict(expected)
    return result


@pytest.fixture
def signed(js_office, small_pdf):
    pdf = sign_pdf(small_pdf(2), js_office, seals=[SEAL_BOX])
    assert verify_pdf(pdf).valid  # pyHanko validates the chain, once
    return pdf


def test_a_signature_of_sign_pdf_is_checked_without_pyhankos_validator_once_its_chain_is_known(
    js_office, small_pdf, pyhanko_calls
):
    pdf = sign_pdf(small_pdf(1), js_office, seals=[SEAL_BOX])
    first = verify_pdf(pdf)
    assert len(pyhanko_calls) == 1
    again = verify_pdf(pdf)
    assert len(pyhanko_calls) == 1
    assert again.valid and dataclasses.asdict(again) == dataclasses.asdict(first)
    other = verify_pdf(sign_pdf(small_pdf(2), js_office))  # another document, the same key
    assert other.valid and len(pyhanko_calls) == 1


def test_against_a_downloaded_trust_list_too(signed, pyhanko_calls):
    downloaded = json.loads(json.dumps(signed_trust_list(), ensure_ascii=False))
    pinned = downloaded["list"]["root"]["certificate"]
    result = assert_as_pyhanko_reports(signed, trust_list=downloaded, root_certificate=pinned)
    assert result.valid and result.problems == []


def test_one_byte_changed_inside_the_signed_range(signed, pyhanko_calls):
    offset = signed.index(b"WeasyPrint")
    assert offset < byte_range(signed)[1]
    altered = signed[:offset] + b"X" + signed[offset + 1 :]
    result = assert_as_pyhanko_reports(altered)
    assert result.signed and not result.intact and not result.valid and not result.trusted
    assert "altered" in result.problems[0]
    calls = len(pyhanko_calls)
    verify_pdf(altered)
    assert len(pyhanko_calls) == calls


def test_one_byte_changed_in_the_second_range(signed):
    _, _, start, _ = byte_range(signed)
    offset = signed.index(b"/Type /Sig", start) + len(b"/Type /Sig")  # the line end after it
    assert signed[offset : offset + 1] == b"\n"
    altered = signed[:offset] + b" " + signed[offset + 1 :]
    result = assert_as_pyhanko_reports(altered)
    assert result.signed and not result.intact and not result.valid
    assert "altered" in result.problems[0]


def _signature_value_offset(pdf: bytes) -> int:
    """Where, in the file, the hex digits of the signer's ECDSA signature value begin."""
    _, length, start, _ = byte_range(pdf)
    contents = bytes.fromhex(pdf[length + 1 : start - 1].decode())
    signer_info = cms.ContentInfo.load(contents)["content"]["signer_infos"][0]
    value = signer_info["signature"].native
    return length + 1 + 2 * contents.index(value)


@pytest.mark.parametrize("where", [12, 50, 110], ids=["r", "r-tail", "s"])
def test_a_forged_signature_value(signed, where, pyhanko_calls):
    offset = _signature_value_offset(signed) + where
    digit = signed[offset : offset + 1]
    forged = signed[:offset] + (b"1" if digit != b"1" else b"2") + signed[offset + 1 :]
    result = assert_as_pyhanko_reports(forged)
    assert result.signed and not result.intact and not result.valid and not result.trusted
    assert "altered" in result.problems[0]
    calls = len(pyhanko_calls)
    verify_pdf(forged)
    assert len(pyhanko_calls) == calls


def test_a_certificate_of_another_root(js_office, sh_office, small_pdf, pyhanko_calls):
    pdf = sign_pdf(small_pdf(1), js_office)
    assert verify_pdf(pdf).valid
    SigningKey.objects.filter(is_root=False).delete()  # another platform: a root of its own
    SigningKey.objects.filter(is_root=True).delete()
    active_key(sh_office)
    calls = len(pyhanko_calls)
    result = assert_as_pyhanko_reports(pdf)
    assert not result.valid and not result.trusted and result.key_status == "unknown"
    assert len(pyhanko_calls) == calls + 2  # an unknown chain always goes to pyHanko's validator
    assert f"The signing key {result.kid} is not in the trust list." in result.problems


def test_a_key_the_downloaded_list_does_not_hold(js_office, sh_office, small_pdf):
    active_key(js_office)
    downloaded = json.loads(json.dumps(signed_trust_list(), ensure_ascii=False))
    pdf = sign_pdf(small_pdf(1), sh_office)  # a key made after the list was downloaded
    assert verify_pdf(pdf).valid
    result = assert_as_pyhanko_reports(pdf, trust_list=downloaded)
    assert result.trusted and result.key_status == "unknown" and not result.valid
    assert any("not in the trust list" in p for p in result.problems)


def test_a_certificate_other_than_the_one_the_list_publishes(signed, js_office):
    SigningKey.objects.filter(kid=active_key(js_office).kid).update(certificate_pem=root_key().certificate_pem)
    result = assert_as_pyhanko_reports(signed)
    assert not result.valid and result.key_status == "unknown"
    assert any("not the one the trust list publishes" in p for p in result.problems)


def test_a_revoked_key(signed, js_office, pyhanko_calls):
    key_revoke(kid=active_key(js_office).kid, reason="私钥泄露")
    result = assert_as_pyhanko_reports(signed)
    assert result.intact and result.trusted and not result.valid
    assert (result.key_status, result.revocation_reason) == ("revoked", "私钥泄露")
    assert any("revoked" in p for p in result.problems)


def test_an_expired_key_and_certificate_go_back_to_pyhankos_validator(signed, js_office, pyhanko_calls):
    calls = len(pyhanko_calls)
    verify_pdf(signed)
    assert len(pyhanko_calls) == calls
    with time_machine.travel(active_key(js_office).valid_until + timedelta(days=1)):
        result = assert_as_pyhanko_reports(signed)
        verify_pdf(signed)
    assert result.key_status == "expired" and not result.trusted and not result.valid
    assert len(pyhanko_calls) == calls + 3  # outside the certificate's validity: pyHanko's validator


def _append_page_content(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf (forged) Tj ET")))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_update_changing_a_page_after_the_only_signature(signed, pyhanko_calls):
    changed = _append_page_content(signed)
    result = assert_as_pyhanko_reports(changed)
    assert result.signed and not result.intact and not result.valid
    (check,) = result.signatures
    assert check.intact and not check.covers_whole_file and not check.allowed_changes_only
    assert any("changed after" in p for p in result.problems)
    calls = len(pyhanko_calls)
    verify_pdf(changed)
    assert len(pyhanko_calls) == calls  # the difference analysis is pyHanko's still, not its validator


def test_an_update_adding_nothing_but_an_object_after_the_signature(signed):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.add_object(generic.TextStringObject("an object nothing refers to"))
    out = io.BytesIO()
    writer.write(out)
    result = assert_as_pyhanko_reports(out.getvalue())
    assert not result.intact  # the last signature does not cover the whole file
    assert not result.signatures[0].covers_whole_file


@pytest.fixture
def four_offices(js_office, sh_office):
    return [js_office, sh_office] + [
        OrganisationFactory(
            code=f"t-{code}-liaison", name_zh=name, kind=Organisation.Kind.LIAISON_OFFICE, region_id=None, city_id=None
        )
        for code, name in (("zj", "浙江省测试联络办"), ("ah", "安徽省测试联络办"))
    ]


def test_a_joint_document_of_four_signatures(four_offices, small_pdf, pyhanko_calls):
    pdf = small_pdf(1)
    for n, office in enumerate(four_offices):
        pdf = sign_pdf(pdf, office, seals=[(0, (60 + 120 * n, 80, 170 + 120 * n, 190))])
    calls = len(pyhanko_calls)
    result = verify_pdf(pdf)
    assert result.valid, result.problems
    assert len(pyhanko_calls) == calls + 4  # four chains not seen before
    result = assert_as_pyhanko_reports(pdf)
    assert [s.covers_whole_file for s in result.signatures] == [False, False, False, True]
    assert all(s.intact and s.allowed_changes_only and s.trusted for s in result.signatures)
    assert len(pyhanko_calls) == calls + 8  # by_pyhanko_alone's four, none of verify_pdf's
    changed = _append_page_content(pdf)
    result = assert_as_pyhanko_reports(changed)
    assert not result.intact and not result.valid
    assert not any(s.allowed_changes_only for s in result.signatures)


def test_a_joint_document_with_a_page_changed_between_two_signatures(js_office, sh_office, small_pdf):
    first = sign_pdf(small_pdf(1), js_office, seals=[(0, (300, 80, 420, 200))])
    joint = sign_pdf(_append_page_content(first), sh_office, seals=[(0, (430, 80, 550, 200))])
    verify_pdf(joint)
    result = assert_as_pyhanko_reports(joint)
    assert not result.intact and not result.valid
    assert [s.allowed_changes_only for s in result.signatures] == [False, True]
    assert any("changed after 江苏省测试联络办" in p for p in result.problems)


# The hex strings of pyHanko's reader: read at once, the same result as pyHanko's own reader.


@pytest.mark.parametrize(
    "raw",
    [
        b"<>",
        b"<4142>",
        b"<41 42\n43\r\t\x00\x0c>",
        b"<414>",
        b"<feff00e400f6>",
        b"<" + b"0a" * 300 + b">",
        b"<" + b"0A" * 3000 + b"\n>",
        b"<" + b"12" * 600_000 + b">",
        b"<41 % a comment\n42>",
        b"<4g>",
        b"<41",
        b"<" + b"00" * 1000,
    ],
)
def test_hex_strings_read_as_pyhankos_reader_reads_them(raw):
    def read(function):
        stream = io.BytesIO(raw + b" /Next")
        try:
            value = function(stream)
        except PdfStreamError:
            return "error"
        return type(value), value.original_bytes, stream.tell()

    fast = generic.read_hex_string_from_stream
    assert getattr(fast, "yrd_fast", False)
    assert read(fast) == read(fast.original)
