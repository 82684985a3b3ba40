"""One verification for every document: the issued circular's PDF dropped on
/documents/verify/ is checked from its own signature (who signed it, unchanged or altered)
and matched to the platform's record (in force, replaced, revoked); the same offline with
`manage.py verify_document`; the public links come from SITE_URL."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from coordination.errors import Conflict
from notices.circulars.services import circular_revoke, circular_sign_off, verify_url


@pytest.fixture
def circular(issue):
    return issue(to=("sh-liaison",))


def pdf_of(circular) -> bytes:
    with circular.pdf.open("rb") as pdf:
        return pdf.read()


def upload(client, data: bytes, name="circular.pdf"):
    return client.post("/documents/verify/", {"pdf": SimpleUploadedFile(name, data, "application/pdf")})


def test_the_issued_pdf_is_signed_by_its_issuer_and_matches_the_record(client, circular):
    response = upload(client, pdf_of(circular))
    assert response.status_code == 200
    page = response.content.decode()
    assert "verdict-ok" in page
    assert circular.issuer.name_zh in page and circular.document_number in page
    assert circular.signing_key_id and circular.signing_key_id in page


def test_a_pdf_with_one_byte_changed_is_reported_altered(client, circular):
    data = bytearray(pdf_of(circular))
    at = data.index(b"/MediaBox") + 2  # inside the signed range, outside the signature itself
    data[at] = ord("X") if data[at] != ord("X") else ord("Y")
    response = upload(client, bytes(data))
    assert response.status_code == 200
    page = response.content.decode()
    assert "verdict-ok" not in page and "verdict-bad" in page


def test_a_revoked_circular_is_reported_revoked(client, demo, circular):
    circular_revoke(by=demo.user("yrd-leader"), circular_id=circular.pk, reason="内容有误，另行发文。")
    page = client.get(f"/documents/verify/{circular.verification_code}/").content.decode()
    assert "内容有误，另行发文。" in page and "verdict-bad" in page
    assert "内容有误，另行发文。" in upload(client, pdf_of(circular)).content.decode()


def test_a_replaced_circular_names_its_replacement(client, demo, issue, circular):
    replacement = issue(to=("sh-liaison",), supersedes=circular, title="关于长三角地区健康码互认通用的补充通知")
    assert replacement.note == f"此件替代{circular.document_number}"
    page = client.get(f"/documents/verify/{circular.verification_code}/").content.decode()
    assert replacement.document_number in page and "verdict-warn" in page


def test_what_is_not_a_pdf_or_too_large_is_refused_with_422(client, circular, settings):
    assert upload(client, b"hello").status_code == 422
    settings.DOCUMENT_VERIFY_MAX_BYTES = 1000
    assert upload(client, pdf_of(circular)).status_code == 422
    assert client.post("/documents/verify/", {}).status_code == 422


def test_a_code_typed_in_the_form_leads_to_its_page(client, circular):
    code = circular.verification_code
    response = client.get("/documents/verify/", {"code": f"{code[:4]}-{code[4:8]}-{code[8:]}".lower()})
    assert response.status_code == 302 and response["Location"] == f"/documents/verify/{code}/"
    assert client.get("/documents/verify/", {"code": "nonsense"}).status_code == 200


def test_public_links_are_built_from_site_url(settings, circular):
    settings.SITE_URL = "https://yrd.example.gov.cn"
    assert (
        verify_url(circular.verification_code)
        == f"https://yrd.example.gov.cn/documents/verify/{circular.verification_code}/"
    )


def test_verify_document_checks_a_pdf_offline_with_a_downloaded_trust_list(tmp_path, client, circular):
    trust_list = client.get("/trust-list.json")
    assert trust_list.status_code == 200
    assert client.get("/api/v1/trust-list/").json()["list"]["keys"] == trust_list.json()["list"]["keys"]
    (tmp_path / "trust-list.json").write_bytes(trust_list.content)
    (tmp_path / "circular.pdf").write_bytes(pdf_of(circular))
    out = io.StringIO()
    call_command(
        "verify_document", str(tmp_path / "circular.pdf"), trust_list=str(tmp_path / "trust-list.json"), stdout=out
    )
    assert circular.issuer.name_zh in out.getvalue()


def test_a_signed_off_circular_cannot_be_signed_off_again(demo, issue, circular):
    assert circular.signed_off_at is not None
    with pytest.raises(Conflict) as refused:
        circular_sign_off(by=demo.user("yrd-leader"), circular_id=circular.pk)
    assert refused.value.error_code == "already_signed_off"
